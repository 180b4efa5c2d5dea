package dev.vpcie.protocol.tlp;

/** Configuration request type: type 0 is claimed by the function addressed, type 1 is forwarded by bridges. */
public enum ConfigType { TYPE0, TYPE1 }
