package dev.vpcie.devices.nic.offload;

/** The network-layer protocol of a frame, as far as the offloads care. */
public enum L3Protocol { IPV4, IPV6, OTHER }
