package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.transport.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which endpoints the VRC connects, from what they announce. */
class VrcNetworksTest {
    private static final String ME = "02:00:00:00:00:01/1";

    private static Announcement announce(long mac, String text) {
        return new Announcement(new MacAddress(mac), 1, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test void ownerIsTheLastOwnerField() {
        assertEquals("none", VrcNetworks.owner("vpcie-endpoint functions=\"00.0 dmatest [1af4:10f0] class 088000\" owner=none"));
        assertEquals("02:00:00:00:00:09/1_via_af_packet:ic1",
                VrcNetworks.owner("vpcie-endpoint functions=\"00.0 x owner=fake\" owner=02:00:00:00:00:09/1_via_af_packet:ic1"));
        assertEquals("none", VrcNetworks.owner("vpcie-endpoint functions=\"00.0 dmatest\""), "no field: nobody owns it");
    }

    @Test void freeEndpointsAndOurOwnAreTakenOthersAreSkippedStrangersIgnored() {
        Announcement free = announce(0x0200_0000_0002L, "vpcie-endpoint functions=\"00.0 dmatest\" owner=none");
        Announcement ours = announce(0x0200_0000_0003L, "vpcie-endpoint functions=\"00.0 dmatest\" owner=" + ME + "_via_af_packet:ic1");
        Announcement taken = announce(0x0200_0000_0004L, "vpcie-endpoint functions=\"00.0 dmatest\" owner=02:00:00:00:00:07/1_via_af_packet:ic1");
        Announcement stranger = announce(0x0200_0000_0005L, "a link bench echo");
        VrcNetworks.Choice c = VrcNetworks.choose(List.of(free, ours, taken, stranger), ME);
        assertEquals(List.of(free, ours), c.usable());
        assertEquals(List.of("02:00:00:00:00:04/1 (owned by 02:00:00:00:00:07/1 via af_packet:ic1)"), c.busy());
    }
}
