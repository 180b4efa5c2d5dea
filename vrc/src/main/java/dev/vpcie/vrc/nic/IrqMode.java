package dev.vpcie.vrc.nic;

/** Which interrupt mechanism a driver asks for. AUTO takes the best the chip has: MSI-X, then MSI, then INTx. */
public enum IrqMode { AUTO, MSIX, MSI, INTX }
