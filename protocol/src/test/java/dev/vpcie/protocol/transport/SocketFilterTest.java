package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Runs the socket filter program through a small classic-BPF interpreter (the instructions it
 * uses: word/half loads, the pkttype ancillary load, jeq, ret), as the kernel would.
 */
class SocketFilterTest {
    static final int TYPE = 0x88B5;
    static final long[] PROGRAM = SocketFilter.forEtherType(TYPE);

    /** What the kernel's interpreter would return: bytes to keep, 0 to drop. */
    static int run(long[] program, byte[] frame, int pktType) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int acc = 0, pc = 0;
        while (true) {
            long insn = program[pc++];
            int code = SocketFilter.code(insn), k = SocketFilter.k(insn);
            switch (code) {
                case 0x20 -> { // ld [k] word
                    if (k == -0x1000 + 4) acc = pktType;
                    else if (k < 0 || k + 4 > frame.length) return 0;
                    else acc = b.getInt(k);
                }
                case 0x28 -> { // ldh [k]
                    if (k < 0 || k + 2 > frame.length) return 0;
                    acc = b.getShort(k) & 0xFFFF;
                }
                case 0x15 -> pc += acc == k ? SocketFilter.jt(insn) : SocketFilter.jf(insn);
                case 0x06 -> { return k; }
                default -> throw new AssertionError("unexpected BPF opcode 0x" + Integer.toHexString(code));
            }
        }
    }

    static byte[] frame(int... typeWords) {
        byte[] f = new byte[60];
        int at = 12;
        for (int w : typeWords) {
            f[at++] = (byte) (w >>> 8);
            f[at++] = (byte) w;
        }
        return f;
    }

    @Test
    void acceptsTheEtherTypeUntaggedOrBehindATag() {
        assertEquals(SocketFilter.ACCEPT_BYTES, run(PROGRAM, frame(TYPE), PacketSocket.PACKET_HOST));
        assertEquals(SocketFilter.ACCEPT_BYTES, run(PROGRAM, frame(0x8100, 0x2123, TYPE), PacketSocket.PACKET_HOST));
        assertEquals(SocketFilter.ACCEPT_BYTES, run(PROGRAM, frame(0x88A8, 0x0005, TYPE), PacketSocket.PACKET_BROADCAST));
        assertEquals(SocketFilter.ACCEPT_BYTES, run(PROGRAM, frame(TYPE), PacketSocket.PACKET_MULTICAST));
    }

    @Test
    void dropsOtherTypesOtherStationsAndOurOwnFrames() {
        assertEquals(0, run(PROGRAM, frame(0x0800), PacketSocket.PACKET_HOST));
        assertEquals(0, run(PROGRAM, frame(0x8100, 0x2123, 0x0800), PacketSocket.PACKET_HOST));
        assertEquals(0, run(PROGRAM, frame(0x86DD), PacketSocket.PACKET_MULTICAST));
        assertEquals(0, run(PROGRAM, frame(TYPE), PacketSocket.PACKET_OTHERHOST));
        assertEquals(0, run(PROGRAM, frame(TYPE), PacketSocket.PACKET_OUTGOING));
        assertEquals(0, run(PROGRAM, new byte[13], PacketSocket.PACKET_HOST));
    }

    @Test
    void everyJumpLandsInsideTheProgram() {
        for (int pc = 0; pc < PROGRAM.length; pc++) {
            long insn = PROGRAM[pc];
            if (SocketFilter.code(insn) == 0x15) {
                int jt = pc + 1 + SocketFilter.jt(insn), jf = pc + 1 + SocketFilter.jf(insn);
                assertEquals(true, jt < PROGRAM.length && jf < PROGRAM.length, "jump out of program at " + pc);
            }
        }
        assertEquals(0x06, SocketFilter.code(PROGRAM[PROGRAM.length - 1]), "the program ends in a return");
    }

    @Test
    void refusesAnythingButAnEthernetIiType() {
        assertThrows(IllegalArgumentException.class, () -> SocketFilter.forEtherType(0x05DC));
        assertThrows(IllegalArgumentException.class, () -> SocketFilter.forEtherType(0x10000));
    }
}
