package dev.vpcie.vrc.nic;

/** A chip's way to its PHY's MII registers (through MDIC, with whatever paging and locking the chip needs). */
public interface PhyAccess {
    int read(int register);

    void write(int register, int value);
}
