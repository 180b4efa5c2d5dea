package dev.vpcie.devices.regs;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RegisterTableTest {
    private final List<String> events = new ArrayList<>();
    private int live = 0x1234;

    private RegisterTable table() {
        return RegisterTable.builder("test", 0x20000)
                .reg(0x0000, "CTRL").plain().initial(0x40)
                .reg(0x0008, "STATUS").readOnly()
                .reg(0x000C, "ID").readOnly(0xCAFE)
                .reg(0x00C0, "ICR").clearOnRead()
                .reg(0x00C4, "CAUSE").w1c()
                .reg(0x00C8, "MASKED").masked(0x0000_FF0F)
                .reg(0x00D0, "LIVE").read(i -> live)
                .reg(0x00D4, "DOORBELL").write((i, v) -> events.add("doorbell " + Integer.toHexString(v)))
                .reg(0x00D8, "TAIL").masked(0xFFFF).onWrite((i, v) -> events.add("tail " + v))
                .reg(0x00DC, "ACK").w1c(0x3).onWrite((i, v) -> events.add("ack " + v))
                .range(0x5400, 16, 8, "RAL").plain()
                .range(0x4000, 4, 4, "STAT").readOnly().read(i -> 100 + i)
                .range(0x1FFF0, 4, 4, "TOP").plain()
                .build();
    }

    @Test
    void plainRegistersStoreAndResetToTheirInitialValue() {
        RegisterTable t = table();
        assertEquals(0x40, t.read(0, 4));
        t.write(0, 4, 0xDEADBEEFL);
        assertEquals(0xDEADBEEFL, t.read(0, 4));
        t.reset();
        assertEquals(0x40, t.read(0, 4));
    }

    @Test
    void readOnlyRegistersIgnoreWritesButCountThem() {
        RegisterTable t = table();
        t.write(0x0C, 4, 1);
        t.write(0x08, 4, 1);
        assertEquals(0xCAFE, t.read(0x0C, 4));
        assertEquals(0, t.read(0x08, 4));
        t.set(0x08, 0x80000001);
        assertEquals(0x80000001L, t.read(0x08, 4), "the device updates a read-only register");
        assertEquals(2, t.counters().get(RegisterTable.READ_ONLY_WRITES));
    }

    @Test
    void clearOnReadReturnsThenClears() {
        RegisterTable t = table();
        t.setBits(0xC0, 0x5);
        t.setBits(0xC0, 0x2);
        assertEquals(7, t.get(0xC0));
        assertEquals(7, t.read(0xC0, 4));
        assertEquals(0, t.read(0xC0, 4));
        t.set(0xC0, 0x0100);
        assertEquals(1, t.read(0xC1, 1), "a byte read returns its lane...");
        assertEquals(0, t.get(0xC0), "...and clears the whole register, as hardware does");
    }

    @Test
    void writeOneToClear() {
        RegisterTable t = table();
        t.set(0xC4, 0b1111);
        t.write(0xC4, 4, 0b0101);
        assertEquals(0b1010, t.read(0xC4, 4));
        t.set(0xDC, 0b111);
        t.write(0xDC, 4, 0b110);
        assertEquals(0b101, t.get(0xDC), "only the masked bits clear");
        assertEquals(List.of("ack 5"), events);
    }

    @Test
    void maskedKeepsReadOnlyBits() {
        RegisterTable t = table();
        t.set(0xC8, 0xF0F0_00F0);
        t.write(0xC8, 4, 0x0000_FFFF);
        assertEquals(0xF0F0_FFFFL, t.read(0xC8, 4));
    }

    @Test
    void customReadAndWriteHandlers() {
        RegisterTable t = table();
        assertEquals(0x1234, t.read(0xD0, 4));
        live = 7;
        assertEquals(7, t.read(0xD0, 4));
        t.write(0xD4, 4, 0xAB);
        t.write(0xD8, 4, 0x12345);
        assertEquals(0x2345, t.get(0xD8));
        assertEquals(List.of("doorbell ab", "tail 9029"), events);
        assertEquals(0, t.get(0xD4), "a custom write stores nothing by itself");
    }

    @Test
    void rangesPassTheElementIndex() {
        RegisterTable t = table();
        for (int i = 0; i < 4; i++) assertEquals(100 + i, t.read(0x4000 + 4L * i, 4));
        t.write(0x5400 + 8 * 15, 4, 99);
        assertEquals(99, t.get(0x5400 + 8 * 15));
        assertEquals("RAL[15]", t.nameAt(0x5400 + 8 * 15));
        assertFalse(t.defines(0x5404), "stride 8 leaves holes");
        assertEquals(0, t.read(0x5404, 4));
        assertEquals(1, t.counters().get(RegisterTable.UNKNOWN_READS));
        assertEquals(10 + 16 + 4 + 4, t.size());
    }

    @Test
    void subDwordWritesTouchOnlyTheirLanes() {
        RegisterTable t = table();
        t.write(0, 4, 0x11223344);
        t.write(1, 1, 0xAA);
        assertEquals(0x1122AA44L, t.read(0, 4));
        t.write(2, 2, 0xBBCC);
        assertEquals(0xBBCCAA44L, t.read(0, 4));
        assertEquals(0xBB, t.read(3, 1));
        assertEquals(0xBBCC, t.read(2, 2));
        t.set(0xC4, 0xFFFF_FFFF);
        t.write(0xC5, 1, 0xFF);
        assertEquals(0xFFFF_00FFL, t.read(0xC4, 4), "a byte W1C write clears only its lane");
    }

    @Test
    void qwordAccessesReachTwoRegistersLowFirst() {
        RegisterTable t = table();
        t.write(0x5400, 8, 0x0000_0000_1111_2222L);
        assertEquals(0x1111_2222, t.get(0x5400));
        assertEquals(1, t.counters().get(RegisterTable.UNKNOWN_WRITES), "the high half lands in a hole");
        t.write(0x1FFF0, 8, 0x3333_4444_5555_6666L);
        assertEquals(0x3333_4444_5555_6666L, t.read(0x1FFF0, 8));
    }

    @Test
    void unknownAccessesReadZeroAreCountedAndNeverThrow() {
        RegisterTable t = table();
        assertEquals(0, t.read(0x100, 4));
        assertEquals(0, t.read(0x100, 4));
        t.write(0x104, 4, 5);
        assertEquals(0, t.read(0x30000, 4), "beyond the window");
        t.write(-4, 4, 0);
        assertEquals(3, t.counters().get(RegisterTable.UNKNOWN_READS));
        assertEquals(2, t.counters().get(RegisterTable.UNKNOWN_WRITES));
        assertNull(t.nameAt(0x100));
    }

    @Test
    void badDefinitionsAndDeviceSideMistakesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(2, "X"));
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(0x100, "X"));
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(0, "A").reg(0, "B").build());
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(8, "A").range(0, 4, 4, "R").build());
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).range(0, 4, 2, "R"));
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).range(0, 0, 4, "R"));
        assertThrows(IllegalStateException.class, () -> RegisterTable.builder("t", 0x100).reg(0, "A").readOnly(1).onWrite((i, v) -> { }));
        assertThrows(IllegalStateException.class, () -> RegisterTable.builder("t", 0x100).reg(0, "A").write((i, v) -> { }).onWrite((i, v) -> { }));
        RegisterTable t = table();
        assertThrows(IllegalArgumentException.class, () -> t.get(0x100));
        assertThrows(IllegalArgumentException.class, () -> t.set(0x2, 0));
        assertThrows(IllegalArgumentException.class, () -> t.read(0, 3));
        assertThrows(IllegalArgumentException.class, () -> t.write(0, 16, 0));
    }

    @Test
    void aliasesReachTheSameRegisterWithItsOperations() {
        List<Integer> tails = new ArrayList<>();
        RegisterTable t = RegisterTable.builder("igb", 0x10000)
                .range(0xC000, 4, 0x40, "RDBAL").plain()
                .range(0xC018, 4, 0x40, "RDT").plain().onWrite((i, v) -> tails.add(i * 1000 + v))
                .reg(0x00C0, "ICR").w1c()
                .aliasRange(0x2800, 4, 0x100, 0xC000, 0x40)
                .aliasRange(0x2818, 4, 0x100, 0xC018, 0x40)
                .alias(0x00C4, 0x00C0)
                .build();
        t.write(0x2900, 4, 0xABCD);
        assertEquals(0xABCD, t.get(0xC040), "queue 1 through its legacy address");
        assertEquals(0xABCD, t.read(0xC040, 4));
        assertEquals("RDBAL[1]", t.nameAt(0x2900));
        t.write(0x2B18, 4, 7);
        assertEquals(List.of(3007), tails, "the alias carries the element index and the handler");
        t.set(0xC0, 0b11);
        t.write(0xC4, 4, 0b01);
        assertEquals(0b10, t.get(0xC0));
        assertEquals(4 + 4 + 1, t.size());
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(0, "A").alias(4, 8).build(), "no target");
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).reg(0, "A").reg(4, "B").alias(4, 0).build(),
                "alias on a register");
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("t", 0x100).aliasRange(0, 0, 4, 8, 4));
    }

    @Test
    void thousandsOfRegistersInAWideWindowStayDense() {
        RegisterTable.Builder b = RegisterTable.builder("wide", 1L << 31);
        b.range(0, 4096, 4, "LOW").plain();
        b.range(0x4000_0000, 512, 0x100, "SPREAD").plain();
        b.reg(0x7FFF_FFFC, "LAST").plain();
        RegisterTable t = b.build();
        for (int i = 0; i < 512; i++) t.write(0x4000_0000L + 0x100L * i, 4, i);
        for (int i = 0; i < 512; i++) assertEquals(i, t.read(0x4000_0000L + 0x100L * i, 4));
        t.write(0x7FFF_FFFCL, 4, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_FFFFL, t.read(0x7FFF_FFFCL, 4));
        assertThrows(IllegalArgumentException.class, () -> RegisterTable.builder("huge", (1L << 31) + 4));
        assertEquals(4096 + 512 + 1, t.size());
    }

    /** Plain registers behave as little-endian memory for any mix of aligned accesses. */
    @Property
    void plainRegistersBehaveLikeMemory(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 1023) Integer> ops) {
        RegisterTable t = RegisterTable.builder("mem", 64).range(0, 16, 4, "M").plain().build();
        Map<Integer, Integer> model = new HashMap<>();
        long seed = 1;
        for (int op : ops) {
            int size = 1 << (op & 3);
            int offset = (op >>> 2) % 64 & -size;
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            if ((op & 0x200) != 0) {
                t.write(offset, size, seed);
                for (int i = 0; i < size; i++) model.put(offset + i, (int) (seed >>> (8 * i)) & 0xFF);
            } else {
                long expected = 0;
                for (int i = size - 1; i >= 0; i--) expected = expected << 8 | model.getOrDefault(offset + i, 0);
                assertEquals(expected, t.read(offset, size), "read " + size + " at " + offset);
            }
        }
    }
}
