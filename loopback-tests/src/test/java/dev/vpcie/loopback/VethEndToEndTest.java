package dev.vpcie.loopback;

import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.testsupport.netns.FrameLoss;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The end-to-end contract over a veth pair between two network namespaces (root only; skipped
 * visibly otherwise): the VRC's transport in one namespace, the endpoint's in the other, both in
 * this JVM. Over AF_PACKET and over pcap (libpcap), each on a clean wire and with 5 % of the frames
 * each end transmits dropped by nftables, which the link must repair without the layers above
 * noticing.
 * DMA sizes are a subset (up to 1 MiB) to keep the class short.
 */
class VethEndToEndTest {
    static final int ETHERTYPE = 0x88B5;

    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("e2e", "end-to-end tests over veth");

    enum Kind { AF_PACKET, PCAP }

    /** The veth pair as a {@link Wire}: VRC in namespace a, endpoint in namespace b, optional loss on both ends. */
    static Wire veth(Kind kind, int lossPercent) throws IOException {
        List<FrameLoss> losses = new ArrayList<>();
        if (lossPercent > 0) {
            losses.add(testbed.a().dropEgress(testbed.interfaceA(), lossPercent));
            try {
                losses.add(testbed.b().dropEgress(testbed.interfaceB(), lossPercent));
            } catch (IOException | RuntimeException e) {
                losses.forEach(FrameLoss::close);
                throw e;
            }
        }
        return new Wire() {
            @Override public FrameTransport openVrc() throws IOException { return open(testbed.a(), testbed.interfaceA()); }

            @Override public Plug openEndpoint() throws IOException { return new Plug(open(testbed.b(), testbed.interfaceB()), true); }

            private FrameTransport open(NetNamespace ns, String device) throws IOException {
                return ns.call(() -> switch (kind) {
                    case AF_PACKET -> AfPacketTransport.open(device, ETHERTYPE);
                    case PCAP -> PcapTransport.open(device, ETHERTYPE);
                });
            }

            @Override public long framesDropped() throws IOException {
                long n = 0;
                for (FrameLoss l : losses) n += l.dropped();
                return n;
            }

            @Override public String describe() { return kind + " over " + testbed + (lossPercent > 0 ? " with " + lossPercent + " % loss" : ""); }

            @Override public void close() { losses.forEach(FrameLoss::close); }
        };
    }

    /** What every variant shares: the smaller DMA set, and the wire closed with the rig's test. */
    abstract static class OverVeth extends EndToEndContract {
        @Override int[] dmaSizes() { return new int[] {1, 63, 4097, 65_537, 1 << 20}; }
    }

    @Nested
    class AfPacket extends OverVeth {
        @Override Wire wire() throws IOException { return veth(Kind.AF_PACKET, 0); }
    }

    /** Every frame sealed with a group key, in a tagged group (the seal covers the group, not the tag's bytes). */
    @Nested
    class AfPacketWithAGroupKey extends OverVeth {
        @Override Wire wire() throws IOException { return veth(Kind.AF_PACKET, 0); }

        @Override LinkRig.Options options() {
            return LinkRig.Options.defaults().withGroupKey(GroupKey.of("a veth test's group key, 32 bytes".getBytes()));
        }
    }

    @Nested
    class Pcap extends OverVeth {
        @Override Wire wire() throws IOException { return veth(Kind.PCAP, 0); }
    }

    @Nested
    class PcapWithFivePercentLoss extends OverVeth {
        @Override Wire wire() throws IOException { return veth(Kind.PCAP, 5); }

        @Override Duration frozenCompletionTimeout() { return Duration.ofMillis(1000); }
    }

    @Nested
    class AfPacketWithFivePercentLoss extends OverVeth {
        @Override Wire wire() throws IOException { return veth(Kind.AF_PACKET, 5); }

        /** A lost frame costs up to a retransmission timeout; the frozen-endpoint test's short timeout must cover that. */
        @Override Duration frozenCompletionTimeout() { return Duration.ofMillis(1000); }

        @Test
        void theLossIsRealAndTheLinkRepairsIt() throws Exception {
            try (LinkRig r = LinkRig.start(wire())) {
                PcieDevice d = r.enumerateOne();
                DmaBuffer src = r.rc.hostMemory().allocate(1 << 20), dst = r.rc.hostMemory().allocate(1 << 20);
                src.segment().fill((byte) 0x3C);
                d.mapDma(src);
                d.mapDma(dst);
                try (DmaTestDriver drv = new DmaTestDriver(d)) {
                    for (int i = 0; i < 4; i++) {
                        DmaTestDriver.Completion c = drv.run(DmaTestDriver.Op.COPY, src.busAddress(), dst.busAddress(), 1 << 20, 0, 60_000_000_000L);
                        assertNotNull(c);
                        assertTrue(c.ok(), c.statusName());
                    }
                }
                assertEquals(-1, src.segment().mismatch(dst.segment()));
                assertTrue(r.wire.framesDropped() > 0, "nftables dropped no frame");
                LinkCounters counters = r.vrcLink.counters();
                assertTrue(counters.retransmits() + counters.naksSent() > 0, "frames were lost, yet the VRC's link repaired nothing: " + counters);
            }
        }
    }
}
