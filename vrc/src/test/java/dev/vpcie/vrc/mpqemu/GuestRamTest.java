package dev.vpcie.vrc.mpqemu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.vrc.Window;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Region;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guest RAM as QEMU shares it: one memfd, sections at guest-physical addresses. */
class GuestRamTest {
    private static final long MIB = 1 << 20;
    private int memfd;
    private Arena arena;
    private MemorySegment ram;
    private final GuestRam guest = new GuestRam();

    @BeforeEach void setUp() throws IOException {
        memfd = SharedMemory.create("guest", 4 * MIB);
        arena = Arena.ofShared();
        ram = SharedMemory.map(memfd, 0, 4 * MIB, arena);
        for (int i = 0; i < 4 * MIB; i += 4096) ram.set(JAVA_BYTE, i, (byte) (i >>> 12));
    }

    @AfterEach void tearDown() {
        guest.close();
        arena.close();
        SharedMemory.close(memfd);
    }

    /** A duplicate of the memfd, as SCM_RIGHTS would deliver: the GuestRam closes it. */
    private int dup() throws Exception {
        UnixSocket[] p = UnixSocket.pair();
        try {
            p[0].send(new byte[1], 0, 1, memfd);
            return p[1].receive(new byte[1], 0, 1).fds()[0];
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    /** QEMU's PC layout: low RAM below the VGA hole, the rest above 1 MiB, one memfd at matching offsets. */
    private void pcLayout() throws Exception {
        guest.replace(List.of(new Region(0x100000, 3 * MIB, 0x100000, dup()), new Region(0, 0xA0000, 0, dup())));
    }

    @Test void sectionsMapAtTheirOffsetsAndHolesAreNotRam() throws Exception {
        pcLayout();
        assertEquals(List.of(new Window(0, 0xA0000), new Window(0x100000, 3 * MIB)), guest.sections());
        assertTrue(guest.contains(0x200000, 4096));
        assertTrue(guest.contains(0, 0xA0000));
        assertFalse(guest.contains(0xA0000, 1), "the VGA hole is not RAM");
        assertFalse(guest.contains(0x9FFFF, 2), "straddles into the hole");
        assertFalse(guest.contains(4 * MIB, 1), "past the end");
        byte[] b = new byte[1];
        guest.read(0x203000, b, 0, 1);
        assertEquals((0x203000 >>> 12) & 0xFF, b[0] & 0xFF, "gpa 0x203000 is memfd offset 0x203000");
        guest.write(0x300010, new byte[] {9, 8, 7}, 0, 3);
        assertEquals(8, ram.get(JAVA_BYTE, 0x300011));
        assertEquals(1, guest.layouts());
    }

    @Test void copiesSpanAdjacentSections() throws Exception {
        guest.replace(List.of(new Region(0, MIB, 0, dup()), new Region(MIB, MIB, MIB, dup())));
        byte[] src = new byte[8192];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 13);
        assertTrue(guest.contains(MIB - 4096, 8192));
        guest.write(MIB - 4096, src, 0, src.length);
        byte[] back = new byte[8192];
        guest.read(MIB - 4096, back, 0, back.length);
        assertArrayEquals(src, back);
        assertEquals(0, guest.unbackedBytes());
    }

    @Test void unbackedBytesReadAsZeroAndWritesToThemGoNowhere() throws Exception {
        pcLayout();
        byte[] b = {1, 1, 1, 1, 1, 1, 1, 1};
        guest.read(0x9FFFC, b, 0, 8);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0}, b);
        assertEquals(4, guest.unbackedBytes());
        guest.write(0xBFFF0, new byte[32], 0, 32);
        assertEquals(4 + 32, guest.unbackedBytes());
    }

    @Test void aNewLayoutReplacesTheOldOne() throws Exception {
        pcLayout();
        guest.replace(List.of(new Region(0, 2 * MIB, 0, dup())));
        assertEquals(List.of(new Window(0, 2 * MIB)), guest.sections());
        assertTrue(guest.contains(0xA0000, 4096), "one section covering everything now");
        assertFalse(guest.contains(3 * MIB, 1));
        assertEquals(2, guest.layouts());
    }

    @Test void aLayoutThatCannotBeMappedLeavesTheOldOneAndClosesItsDescriptors() throws Exception {
        pcLayout();
        int bad = dup();
        IOException e = assertThrows(IOException.class, () -> guest.replace(List.of(new Region(0, MIB, 0, bad),
                new Region(0x80000, MIB, 0, dup()))));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        assertEquals(2, guest.sections().size());
        assertThrows(IOException.class, () -> SharedMemory.map(bad, 0, 4096, Arena.global()), "descriptor closed");
        assertThrows(IOException.class, () -> guest.replace(List.of(new Region(0, MIB, 0, -1))));
        assertEquals(2, guest.sections().size());
    }

    @Test void closeUnmapsEverything() throws Exception {
        pcLayout();
        guest.close();
        assertFalse(guest.contains(0, 1));
        assertEquals(List.of(), guest.sections());
    }
}
