/**
 * The NetTLP-compatible encapsulation: one TLP per UDP datagram behind NetTLP's 6-byte header,
 * UDP ports that carry direction and tag, and NetTLP's two side channels (the messaging API and
 * the adapter's configuration API). Unlike the native encapsulation there is no link layer: no
 * session, no acknowledgement, no retransmission. A lost request is seen only as a completion
 * timeout, which the requester's own tracker reports and counts.
 *
 * <p>{@link dev.vpcie.protocol.nettlp.NetTlpCodec} is the pure datagram codec;
 * {@link dev.vpcie.protocol.nettlp.NetTlpPorts} the port scheme;
 * {@link dev.vpcie.protocol.nettlp.NetTlpPort} a {@link dev.vpcie.protocol.link.TlpPort} over the
 * sockets, so the endpoint and the root complex run over it unchanged.
 */
package dev.vpcie.protocol.nettlp;
