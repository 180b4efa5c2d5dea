/**
 * The NICs' own wires on the endpoint side (not the interconnect): what an emulated NIC's
 * Ethernet port 0 is plugged into, and the controls a user has over its link at run time.
 *
 * <ul>
 *   <li>{@link dev.vpcie.endpoint.wire.InterfaceWire} — an interface of the endpoint's host (a veth
 *       into a peer namespace, a real adapter) through a promiscuous AF_PACKET or pcap transport;</li>
 *   <li>{@link dev.vpcie.endpoint.wire.TapWire} — a TAP device, so the endpoint's own host gets an
 *       interface on the NIC's cable;</li>
 *   <li>{@link dev.vpcie.endpoint.wire.EchoPeerWire} — an in-memory cable whose far end answers ARP
 *       and ICMP echo itself, so a NIC can be pinged with no interface at all (demos without root).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * A wire receives on a thread of its own and never calls the device from it: frames and link
 * changes are handed to the function's {@link java.util.concurrent.Executor} (its
 * {@link dev.vpcie.endpoint.FunctionHost}), given to {@link dev.vpcie.endpoint.wire.Wire#start}
 * once the endpoint has built it. Frames the device transmits go out on the calling (function)
 * thread.
 */
package dev.vpcie.endpoint.wire;
