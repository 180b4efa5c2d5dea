/**
 * The reliable link: exactly-once, in-order delivery of TLPs between two peers over Ethernet
 * (or anything that carries frames), like PCIe's data link layer. The wire format and every
 * protocol rule are in docs/wire-format.md.
 *
 * <h2>What callers use</h2>
 * <ul>
 *   <li>{@link dev.vpcie.protocol.link.LinkEndpoint#start LinkEndpoint.start(transport, config)}:
 *       one agent thread per transport; {@link dev.vpcie.protocol.link.LinkConfig#defaults()} plus
 *       {@code with…} for the group, host instance, window, timers.</li>
 *   <li>VRC side: {@link dev.vpcie.protocol.link.LinkEndpoint#discover discover(wait)} returns
 *       {@link dev.vpcie.protocol.link.Announcement}s; {@link dev.vpcie.protocol.link.LinkEndpoint#connect
 *       connect(mac, instance)} returns a {@link dev.vpcie.protocol.link.Link} that (re)opens
 *       sessions until closed; {@link dev.vpcie.protocol.link.Link#awaitUp awaitUp}.</li>
 *   <li>Endpoint side: {@link dev.vpcie.protocol.link.LinkEndpoint#announce announce(info)} answers
 *       discovery; {@link dev.vpcie.protocol.link.LinkEndpoint#onAccept onAccept(link -> …)} gets each
 *       link a peer opens (set its handler there; close it to refuse).</li>
 *   <li>{@link dev.vpcie.protocol.link.Link} is a {@link dev.vpcie.protocol.link.TlpPort}:
 *       {@code send} (blocks on a full window), {@code trySend}, {@code handler}, {@code isUp},
 *       {@code close}; its {@link dev.vpcie.protocol.link.TlpHandler} hears {@code onTlp} in order
 *       on the link thread, {@code onLinkUp(peerEpoch)} when a session starts and
 *       {@code onLinkDown(reason)} when it ends (peer restarted, silent, reset or closed). A new
 *       peer epoch means a new peer incarnation: an endpoint resets its functions on
 *       {@code onLinkDown}, a VRC re-enumerates after {@code onLinkUp}.</li>
 *   <li>{@link dev.vpcie.protocol.link.LinkCounters} snapshots from
 *       {@link dev.vpcie.protocol.link.Link#counters()} and
 *       {@link dev.vpcie.protocol.link.LinkEndpoint#counters()}.</li>
 * </ul>
 *
 * <h2>Inside</h2>
 * {@link dev.vpcie.protocol.link.LinkAgent} owns all state and does all work in
 * {@code doWork(nowNs)}, with time passed in, so tests drive two agents with a fake clock; other
 * threads reach it only through queues. Per peer, {@code Peer} runs the session state machine
 * with a {@code ReplayBuffer} (sender), a {@code ReceiveBuffer} (receiver, reorders) and an
 * {@code RttEstimator}; {@code FrameWriter} packs queued TLPs into frames up to the MTU and
 * queues them in the transport, which sends a duty cycle's frames in one system call
 * ({@code sendmmsg} on AF_PACKET and UDP) when the agent flushes at the end of the cycle.
 */
package dev.vpcie.protocol.link;
