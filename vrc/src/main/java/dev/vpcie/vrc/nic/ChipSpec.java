package dev.vpcie.vrc.nic;

import java.util.function.IntUnaryOperator;

/**
 * What the shared driver needs to know of a chip as values: its name, its rings' layout and
 * where their doorbells (tail registers) are. The chip's register sequences are its
 * {@link IntelChip}.
 *
 * @param name   the chip as Intel names it, e.g. {@code 82540EM}
 * @param layout the rings' descriptor formats and buffer sizes
 * @param txTail the TX queue's tail register (TDT)
 * @param rxTail the tail register (RDT) of RX queue n
 */
public record ChipSpec(String name, RingLayout layout, int txTail, IntUnaryOperator rxTail) {}
