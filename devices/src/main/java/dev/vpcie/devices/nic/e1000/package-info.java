/**
 * The Intel 82540EM ("e1000") model: {@link dev.vpcie.devices.nic.e1000.E1000Function} is the PCI
 * shell, {@code E1000Core} the register table and reset, {@code E1000Receiver} and
 * {@code E1000Transmitter} the legacy descriptor rings, {@code E1000Interrupts} the one interrupt
 * funnel (INTx with ITR throttling), {@code MicrowireEeprom} the bit-banged EEPROM.
 */
package dev.vpcie.devices.nic.e1000;
