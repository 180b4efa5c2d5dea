package dev.vpcie.vrc.mpqemu;

import java.util.List;

/** One message of QEMU's multi-process protocol, as the remote side receives or sends it. */
public sealed interface MpqemuMessage {

    Command command();

    /** One RAM section: guest-physical {@code [gpa, gpa + size)} is {@code fd} from {@code offset}. */
    record Region(long gpa, long size, long offset, int fd) {}

    /** Guest RAM as it is now; the previous layout (and its descriptors) is obsolete. */
    record SyncSysmem(List<Region> regions) implements MpqemuMessage {
        public SyncSysmem { regions = List.copyOf(regions); }
        @Override public Command command() { return Command.SYNC_SYSMEM; }
    }

    /** The reply to a request; for reads, the value (QEMU keeps the low 32 bits of a config read). */
    record Ret(long value) implements MpqemuMessage {
        @Override public Command command() { return Command.RET; }
    }

    /** A guest write of {@code length} (1, 2, 4) bytes at {@code address} (0..255) of configuration space. */
    record PciConfigWrite(int address, int value, int length) implements MpqemuMessage {
        @Override public Command command() { return Command.PCI_CFGWRITE; }
    }

    record PciConfigRead(int address, int length) implements MpqemuMessage {
        @Override public Command command() { return Command.PCI_CFGREAD; }
    }

    /**
     * A guest write of {@code size} (1, 2, 4, 8) bytes at an absolute address: guest-physical
     * for a memory BAR ({@code memory}), a port for an I/O BAR.
     */
    record BarWrite(long address, long value, int size, boolean memory) implements MpqemuMessage {
        @Override public Command command() { return Command.BAR_WRITE; }
    }

    record BarRead(long address, int size, boolean memory) implements MpqemuMessage {
        @Override public Command command() { return Command.BAR_READ; }
    }

    /** The KVM irqfd for the guest's INTx line and its resample fd. */
    record SetIrqFd(int irqfd, int resamplefd) implements MpqemuMessage {
        @Override public Command command() { return Command.SET_IRQFD; }
    }

    /** The machine is resetting the device. */
    record DeviceReset() implements MpqemuMessage {
        @Override public Command command() { return Command.DEVICE_RESET; }
    }
}
