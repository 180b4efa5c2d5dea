package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameFilterTest {
    static final MacAddress SELF = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:03");
    static final FrameFilter FILTER = new FrameFilter.Station(0x88B5, SELF);

    static boolean accepts(byte[] f) {
        return FILTER.accepts(ByteBuffer.wrap(f), 0, f.length);
    }

    @Test
    void acceptsOurTypeAddressedToUsOrToAGroup() {
        assertTrue(accepts(frame(SELF, PEER, -1, 0x88B5, 46, 0)));
        assertTrue(accepts(frame(SELF, PEER, 0x2123, 0x88B5, 46, 0)));
        assertTrue(accepts(frame(MacAddress.BROADCAST, PEER, -1, 0x88B5, 46, 0)));
        assertTrue(accepts(frame(MacAddress.parse("01:80:c2:00:00:0e"), PEER, -1, 0x88B5, 46, 0)));
    }

    @Test
    void dropsOtherStationsOurOwnFramesOtherTypesAndRunts() {
        assertFalse(accepts(frame(OTHER, PEER, -1, 0x88B5, 46, 0)), "unicast to another station");
        assertFalse(accepts(frame(MacAddress.BROADCAST, SELF, -1, 0x88B5, 46, 0)), "our own");
        assertFalse(accepts(frame(SELF, PEER, -1, 0x88B6, 46, 0)), "other type");
        assertFalse(accepts(frame(SELF, PEER, 0x2123, 0x0800, 46, 0)), "other type behind a tag");
        assertFalse(accepts(new byte[13]), "runt");
        byte[] taggedRunt = frame(SELF, PEER, 0x2123, 0x88B5, 0, 0);
        assertFalse(FILTER.accepts(ByteBuffer.wrap(taggedRunt), 0, 16), "tag cut short");
    }

    @Test
    void looksAtTheFrameWhereItStarts() {
        byte[] f = frame(SELF, PEER, -1, 0x88B5, 46, 0);
        byte[] shifted = new byte[f.length + 4];
        System.arraycopy(f, 0, shifted, 4, f.length);
        assertTrue(FILTER.accepts(ByteBuffer.wrap(shifted), 4, f.length));
    }

    @Test
    void refusesAnythingButAnEthernetIiType() {
        assertThrows(IllegalArgumentException.class, () -> new FrameFilter.Station(0x0100, SELF));
    }

    @Test
    void promiscuousAcceptsEveryWholeHeader() {
        FrameFilter all = new FrameFilter.Promiscuous();
        byte[] other = frame(OTHER, PEER, 0x2123, 0x0800, 46, 0);
        assertTrue(all.accepts(ByteBuffer.wrap(other), 0, other.length), "other station, other type, tagged");
        byte[] own = frame(PEER, SELF, -1, 0x86DD, 46, 0);
        assertTrue(all.accepts(ByteBuffer.wrap(own), 0, own.length));
        assertFalse(all.accepts(ByteBuffer.wrap(new byte[13]), 0, 13), "runt");
    }
}
