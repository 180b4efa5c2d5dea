package dev.vpcie.protocol.tlp;

import static dev.vpcie.protocol.tlp.CompletionAssembler.State.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CompletionAssemblerTest {
    private static final int HOST = 0, NIC = 0x100;

    private static Completion cpld(int byteCount, int lowerAddress, int dws) {
        byte[] data = new byte[dws * 4];
        for (int i = 0; i < data.length; i++) data[i] = (byte) ((lowerAddress & ~3) + i); // each byte holds its address
        return new Completion(NIC, CplStatus.SC, false, byteCount, HOST, 1, lowerAddress, Attributes.DEFAULT, data);
    }

    @Test void assemblesInOrderPieces() {
        CompletionAssembler a = new CompletionAssembler(0x1002, 70); // 0x1002..0x1047
        assertEquals(PENDING, a.accept(cpld(70, 0x02, 16)));          // 0x1000..0x103f, 62 bytes useful
        assertEquals(62, a.received());
        assertEquals(DONE, a.accept(cpld(8, 0x40, 2)));
        assertEquals(70, a.bytes().length);
        assertEquals(0x02, a.bytes()[0]);
        assertEquals(0x40, a.bytes()[62]);
    }

    @Test void errorStatusFailsTheRead() {
        CompletionAssembler a = new CompletionAssembler(0x1000, 4);
        assertEquals(FAILED, a.accept(new Completion(NIC, CplStatus.UR, false, 4, HOST, 1, 0, Attributes.DEFAULT, null)));
        assertEquals(CplStatus.UR, a.status());
        assertThrows(IllegalStateException.class, a::bytes);
        assertThrows(IllegalStateException.class, () -> a.accept(cpld(4, 0, 1)));
    }

    @Test void inconsistentCompletionsFailTheRead() {
        assertEquals(FAILED, new CompletionAssembler(0x1000, 8).accept(cpld(4, 0, 1)), "Byte Count not what is owed");
        assertEquals(FAILED, new CompletionAssembler(0x1000, 8).accept(cpld(8, 4, 2)), "Lower Address not the next byte");
        assertEquals(FAILED, new CompletionAssembler(0x1000, 4).accept(cpld(4, 0, 2)), "more data than owed");
        assertEquals(FAILED, new CompletionAssembler(0x1000, 4).accept(
                new Completion(NIC, CplStatus.SC, false, 4, HOST, 1, 0, Attributes.DEFAULT, null)), "no data");
        CompletionAssembler a = new CompletionAssembler(0x1000, 4);
        a.accept(cpld(8, 4, 1));
        assertTrue(a.failure().contains("Byte Count 8"), a.failure());
    }

    @Test void zeroLengthReadCompletesWithOneByte() {
        MemRead flush = new MemRead(HOST, 1, 0x2000, 1, 0, 0);
        CompletionAssembler a = CompletionAssembler.forRequest(flush);
        assertEquals(DONE, a.accept(Completions.read(flush, NIC, new byte[4], 64, 128).getFirst()));
    }
}
