package dev.vpcie.vrc.mpqemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarRead;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The channel's poll, which a loop calls whenever the socket may hold something: never waits, keeps a partial message. */
class MpqemuChannelTest {

    @Test void pollReassemblesAMessageThatArrivesInPiecesAndNeverWaits() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (MpqemuChannel bridgeSide = new MpqemuChannel(pair[0]); UnixSocket qemu = pair[1]) {
            assertNull(bridgeSide.poll(), "nothing sent: null at once");
            assertFalse(bridgeSide.ended());
            byte[] bytes = MpqemuCodec.encode(new BarRead(0xE000_0008L, 4, true)).bytes();
            qemu.send(Arrays.copyOfRange(bytes, 0, 5));
            assertNull(bridgeSide.poll(), "half a header");
            qemu.send(Arrays.copyOfRange(bytes, 5, Command.HEADER_SIZE + 3));
            assertNull(bridgeSide.poll(), "the header and part of the payload");
            qemu.send(Arrays.copyOfRange(bytes, Command.HEADER_SIZE + 3, bytes.length));
            assertEquals(new BarRead(0xE000_0008L, 4, true), bridgeSide.poll());
            assertNull(bridgeSide.poll(), "and nothing after it");

            qemu.send(bytes); // two whole messages at once come out one by one
            qemu.send(bytes);
            assertEquals(new BarRead(0xE000_0008L, 4, true), bridgeSide.poll());
            assertEquals(new BarRead(0xE000_0008L, 4, true), bridgeSide.poll());

            qemu.shutdown();
            assertNull(bridgeSide.poll());
            assertTrue(bridgeSide.ended(), "end of stream is told apart from nothing yet");
        }
    }

    @Test void pollGivesUpOnAHeaderThatAnnouncesTooMuch() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try (MpqemuChannel bridgeSide = new MpqemuChannel(pair[0]); UnixSocket qemu = pair[1]) {
            byte[] header = new byte[Command.HEADER_SIZE];
            Arrays.fill(header, 8, 15, (byte) 0x7F); // uint64 size @8: far past MAX_PAYLOAD
            qemu.send(header);
            IOException e = assertThrows(IOException.class, bridgeSide::poll);
            assertTrue(e.getMessage().contains("framing lost"), e.getMessage());
            assertTrue(bridgeSide.ended());
        }
    }
}
