package dev.vpcie.protocol.transport;

/**
 * What a real-interface transport counted since it opened. Read from another thread the values
 * are a recent snapshot, not an atomic one.
 *
 * @param framesSent     frames handed to the network
 * @param sendDrops      frames the kernel had no buffer for (lost, as on a congested wire)
 * @param framesReceived frames delivered to the caller
 * @param filtered       frames received but dropped: another EtherType, our own, addressed to another station, or runts
 * @param truncated      delivered frames longer than the caller's buffer
 */
public record TransportCounters(long framesSent, long sendDrops, long framesReceived, long filtered, long truncated) {}
