package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.testsupport.netns.FrameLoss;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reliable link over real transports on a veth pair between two namespaces (root only):
 * {@value #TLPS} TLPs each way arrive exactly once and in order, untagged and with a group VLAN
 * tag, over a clean wire, with 5 % of frames dropped by the kernel (nftables, both directions)
 * and with reordering, duplication and delay from {@link FaultInjectingTransport} on both ends.
 */
class LinkOverVethTest {
    static final int TLPS = 50_000;
    static final int GROUP = 291;
    static final int ETHERTYPE = 0x88B5;
    static final int UDP_PORT = 47_002;
    static final FaultInjectingTransport.Faults FAULTS = FaultInjectingTransport.Faults.NONE
            .withReorder(3, 4).withDuplicates(2).withDelay(100_000).withSeed(20_260_101);

    enum Kind { AF_PACKET, PCAP, UDP }

    enum Wire { CLEAN, KERNEL_LOSS_5_PERCENT, REORDER_DUPLICATE_DELAY }

    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("lk", "link over veth tests");

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Kind kind : List.of(Kind.AF_PACKET, Kind.PCAP))
            for (int group : new int[] {0, GROUP})
                for (Wire wire : Wire.values()) cases.add(Arguments.of(kind, group, wire));
        cases.add(Arguments.of(Kind.UDP, GROUP, Wire.KERNEL_LOSS_5_PERCENT));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, group {1}, {2}")
    @MethodSource("cases")
    void tlpsArriveExactlyOnceInOrderBothWays(Kind kind, int group, Wire wire) throws Exception {
        Assumptions.assumeTrue(kind != Kind.PCAP || PcapTransport.libraryVersion().isPresent(),
                "pcap cases skipped: libpcap is not installed (apt-get install -y libpcap0.8)");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            FrameTransport a = open(kind, testbed.a(), testbed.interfaceA(), VethTestbed.ADDRESS_A, VethTestbed.ADDRESS_B);
            open.add(a);
            FrameTransport b = open(kind, testbed.b(), testbed.interfaceB(), VethTestbed.ADDRESS_B, VethTestbed.ADDRESS_A);
            open.add(b);
            List<FrameLoss> losses = new ArrayList<>();
            if (wire == Wire.KERNEL_LOSS_5_PERCENT) {
                losses.add(testbed.a().dropEgress(testbed.interfaceA(), 5));
                losses.add(testbed.b().dropEgress(testbed.interfaceB(), 5));
                open.addAll(losses);
            }
            if (wire == Wire.REORDER_DUPLICATE_DELAY) {
                a = new FaultInjectingTransport(a, FAULTS);
                b = new FaultInjectingTransport(b, FAULTS.withSeed(FAULTS.seed() + 1));
            }
            LinkConfig config = LinkConfig.defaults().withGroup(group).withEtherType(ETHERTYPE)
                    .withKeepalive(Duration.ofMillis(200), Duration.ofSeconds(5));
            LinkEndpoint endpointA = LinkEndpoint.start(a, config.withHostInstance(1));
            open.add(0, endpointA);
            LinkEndpoint endpointB = LinkEndpoint.start(b, config.withHostInstance(2));
            open.add(0, endpointB);

            InOrderReceiver atB = new InOrderReceiver(TLPS);
            CompletableFuture<Link> accepted = new CompletableFuture<>();
            endpointB.onAccept(link -> {
                link.handler(atB);
                accepted.complete(link);
            });
            Link linkA = endpointA.connect(b.address(), 2);
            InOrderReceiver atA = new InOrderReceiver(TLPS);
            linkA.handler(atA);
            assertTrue(linkA.awaitUp(Duration.ofSeconds(10)), "no session between " + a.name() + " and " + b.name());
            Link linkB = accepted.get(10, TimeUnit.SECONDS);

            Thread senderB = Thread.ofPlatform().name("sender-b").start(() -> sendAll(linkB, atA));
            sendAll(linkA, atB);
            senderB.join(Duration.ofSeconds(120));

            atB.await();
            atA.await();
            atB.check("a -> b over " + a.name());
            atA.check("b -> a over " + b.name());

            LinkCounters counters = linkA.counters().plus(linkB.counters());
            if (wire == Wire.KERNEL_LOSS_5_PERCENT) {
                long dropped = 0;
                for (FrameLoss loss : losses) dropped += loss.dropped();
                assertTrue(dropped > 0, "nftables dropped nothing");
                assertTrue(counters.retransmits() > 0, "frames were lost but nothing was retransmitted: " + counters);
            }
            if (wire == Wire.REORDER_DUPLICATE_DELAY) {
                var stats = ((FaultInjectingTransport) a).stats();
                assertTrue(stats.reordered() > 0 && stats.duplicated() > 0, "no faults injected: " + stats);
                assertTrue(counters.duplicates() > 0, "duplicates were injected but none was noticed: " + counters);
            }
        } finally {
            for (AutoCloseable c : open) c.close();
        }
    }

    private static FrameTransport open(Kind kind, NetNamespace ns, String device, String ip, String peerIp) throws IOException {
        return ns.call(() -> switch (kind) {
            case AF_PACKET -> AfPacketTransport.open(device, ETHERTYPE);
            case PCAP -> PcapTransport.open(device, ETHERTYPE);
            case UDP -> UdpTransport.open(new InetSocketAddress(ip, UDP_PORT), new InetSocketAddress(peerIp, UDP_PORT), ETHERTYPE);
        });
    }

    /** Sends TLPS writes whose address carries their index; stops early if the other side already failed. */
    private static void sendAll(Link link, InOrderReceiver peerReceiver) {
        byte[] payload = new byte[64];
        try {
            for (int i = 0; i < TLPS && !peerReceiver.failed(); i++)
                link.send(new MemWrite(0x0100, 0, (long) i << 6, 0xF, 0xF, payload));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checks that writes arrive with indices 0, 1, 2, ... and nothing else. */
    static final class InOrderReceiver implements TlpHandler {
        private final int expected;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile int next;
        private volatile String problem;

        InOrderReceiver(int expected) { this.expected = expected; }

        @Override public void onTlp(Tlp tlp) {
            if (problem != null) return;
            if (!(tlp instanceof MemWrite w)) {
                fail("unexpected TLP " + tlp);
                return;
            }
            long index = w.address() >>> 6;
            if (index != next) {
                fail("expected write " + next + ", got " + index + (index < next ? " (a duplicate)" : " (a gap)"));
                return;
            }
            next++;
            if (next == expected) done.complete(null);
            else if (next > expected) fail("more writes than sent");
        }

        @Override public void onLinkDown(String reason) {
            if (next < expected) fail("link down after " + next + " writes: " + reason);
        }

        private void fail(String why) {
            problem = why;
            done.complete(null);
        }

        boolean failed() { return problem != null; }

        void await() throws Exception {
            try {
                done.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                problem = "only " + next + " of " + expected + " writes arrived within 120 s";
            }
        }

        void check(String direction) {
            assertEquals(null, problem, direction);
            assertEquals(expected, next, direction);
        }
    }
}
