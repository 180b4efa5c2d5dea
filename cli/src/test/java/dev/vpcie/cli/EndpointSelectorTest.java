package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.transport.MacAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vrc --endpoint}: only the named endpoints, on the buses of their order. */
class EndpointSelectorTest {
    private static Announcement a(long mac, int instance) {
        return new Announcement(new MacAddress(mac), instance, "vpcie-endpoint owner=none".getBytes());
    }

    @Test void parsesMacWithAndWithoutInstance() {
        assertEquals(new EndpointSelector(new MacAddress(0x0200_0000_0002L), 3), EndpointSelector.parse("02:00:00:00:00:02/3"));
        assertEquals(new EndpointSelector(new MacAddress(0x0200_0000_0002L), -1), EndpointSelector.parse("02:00:00:00:00:02"));
        for (String bad : List.of("nonsense", "02:00:00:00:00:02/", "02:00:00:00:00:02/65535", "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:02/x"))
            assertThrows(IllegalArgumentException.class, () -> EndpointSelector.parse(bad), bad);
    }

    @Test void strangersAreIgnoredAndTheNamedOnesKeepTheirOrder() {
        // strangers with lower MACs answer too: sorted first, but not chosen
        List<Announcement> found = List.of(a(0x0200_0000_0001L, 1), a(0x0200_0000_0002L, 1), a(0x0200_0000_0005L, 2),
                a(0x0200_0000_0009L, 1));
        var s = EndpointSelector.select(List.of(EndpointSelector.parse("02:00:00:00:00:09"), EndpointSelector.parse("02:00:00:00:00:05/2")), found);
        assertEquals(List.of(found.get(3), found.get(2)), s.chosen(), "bus 01 is the first named, whatever else answered");
        assertEquals(List.of(), s.missing());
    }

    @Test void aNamedEndpointThatDidNotAnswerIsMissing() {
        var s = EndpointSelector.select(List.of(EndpointSelector.parse("02:00:00:00:00:07/1")), List.of(a(0x0200_0000_0007L, 2)));
        assertEquals(List.of(), s.chosen());
        assertEquals(List.of("02:00:00:00:00:07/1"), s.missing());
    }
}
