package dev.vpcie.vrc.mpqemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.vrc.mpqemu.MalformedMessageException.Reason;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.DeviceReset;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Region;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Ret;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SetIrqFd;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SyncSysmem;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MpqemuCodecTest {

    private static MpqemuMessage roundTrip(MpqemuMessage m) throws MalformedMessageException {
        MpqemuCodec.Encoded e = MpqemuCodec.encode(m);
        MpqemuCodec.Header h = MpqemuCodec.header(e.bytes());
        assertEquals(m.command().code, h.command());
        assertEquals(e.bytes().length - Command.HEADER_SIZE, h.size());
        return MpqemuCodec.decode(h.command(), Arrays.copyOfRange(e.bytes(), Command.HEADER_SIZE, e.bytes().length), (int) h.size(), e.fds());
    }

    @Test void everyMessageRoundTrips() throws Exception {
        List<MpqemuMessage> all = List.of(
                new SyncSysmem(List.of(new Region(0, 0xA0000, 0, 10), new Region(0x100000, 0x1FF00000, 0x100000, 11))),
                new Ret(0xFFFF_FFFF_FFFF_FFFFL),
                new PciConfigWrite(0x3C, 0x0B, 1),
                new PciConfigRead(0x10, 4),
                new BarWrite(0xFEBC_0000L, 0x1122_3344_5566_7788L, 8, true),
                new BarRead(0xC000, 2, false),
                new SetIrqFd(20, 21),
                new DeviceReset());
        for (MpqemuMessage m : all) assertEquals(m, roundTrip(m));
    }

    /** The bytes QEMU 7.2 writes for a 4-byte read of BAR0 and for a BAR write, as a C struct dump gives them. */
    @Test void layoutMatchesQemusStructs() {
        byte[] cfg = MpqemuCodec.encode(new PciConfigRead(0x10, 4)).bytes();
        assertEquals("03000000000000000c00000000000000" + "10000000" + "00000000" + "04000000", HexFormat.of().formatHex(cfg));
        byte[] bar = MpqemuCodec.encode(new BarWrite(0xFEBC_00C8L, 0x1234, 4, true)).bytes();
        assertEquals("04000000000000001800000000000000" + "c800bcfe00000000" + "3412000000000000" + "04000000" + "01000000",
                HexFormat.of().formatHex(bar));
        byte[] sync = MpqemuCodec.encode(new SyncSysmem(List.of(new Region(0x100000, 0x1000, 0x2000, 5)))).bytes();
        assertEquals(16 + 192, sync.length);
        assertEquals(0x100000, le(sync, 16));
        assertEquals(0x1000, le(sync, 16 + 64));
        assertEquals(0x2000, le(sync, 16 + 128));
    }

    private static long le(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[at + i] & 0xFF);
        return v;
    }

    private static MalformedMessageException reject(long command, byte[] payload, int size, int... fds) {
        return assertThrows(MalformedMessageException.class, () -> MpqemuCodec.decode(command, payload, size, fds));
    }

    private static byte[] payloadOf(MpqemuMessage m) {
        byte[] b = MpqemuCodec.encode(m).bytes();
        return Arrays.copyOfRange(b, Command.HEADER_SIZE, Command.HEADER_SIZE + Command.MAX_PAYLOAD > b.length ? b.length : Command.HEADER_SIZE + Command.MAX_PAYLOAD);
    }

    @Test void unknownCommandIsRejected() {
        MalformedMessageException e = reject(8, new byte[0], 0);
        assertEquals(Reason.UNKNOWN_COMMAND, e.reason());
        assertEquals(null, e.command());
        assertEquals(Reason.UNKNOWN_COMMAND, reject(-1, new byte[0], 0).reason());
    }

    @Test void wrongPayloadSizeIsRejected() {
        MalformedMessageException e = reject(Command.PCI_CFGREAD.code, new byte[24], 24);
        assertEquals(Reason.PAYLOAD_SIZE, e.reason());
        assertEquals(Command.PCI_CFGREAD, e.command());
        assertEquals(Reason.PAYLOAD_SIZE, reject(Command.DEVICE_RESET.code, new byte[8], 8).reason());
    }

    @Test void wrongDescriptorCountsAreRejected() {
        assertEquals(Reason.DESCRIPTORS, reject(Command.SET_IRQFD.code, new byte[0], 0, 5).reason());
        assertEquals(Reason.DESCRIPTORS, reject(Command.SYNC_SYSMEM.code, new byte[192], 192).reason());
        assertEquals(Reason.DESCRIPTORS, reject(Command.SYNC_SYSMEM.code, new byte[192], 192, new int[9]).reason());
        assertEquals(Reason.DESCRIPTORS, reject(Command.BAR_READ.code, payloadOf(new BarRead(0, 4, true)), 24, 3).reason());
    }

    @Test void outOfRangeFieldsAreRejected() {
        byte[] cfg = payloadOf(new PciConfigRead(0x10, 4));
        cfg[8] = 3; // len 3
        assertEquals(Reason.FIELD, reject(Command.PCI_CFGREAD.code, cfg, 12).reason());
        assertEquals(Reason.FIELD, reject(Command.PCI_CFGWRITE.code, payloadOf(new PciConfigWrite(0x102, 0, 2)), 12).reason());
        assertEquals(Reason.FIELD, reject(Command.PCI_CFGWRITE.code, payloadOf(new PciConfigWrite(0x11, 0, 2)), 12).reason(),
                "unaligned");
        assertEquals(Reason.FIELD, reject(Command.BAR_READ.code, payloadOf(new BarRead(0, 3, true)), 24).reason());
        assertEquals(Reason.FIELD, reject(Command.BAR_READ.code, payloadOf(new BarRead(0, 8, false)), 24).reason(), "8-byte I/O");
        byte[] bar = payloadOf(new BarRead(0, 4, true));
        bar[20] = 2;
        assertEquals(Reason.FIELD, reject(Command.BAR_WRITE.code, bar, 24).reason());
        byte[] sync = payloadOf(new SyncSysmem(List.of(new Region(0x1000, 0, 0, 1))));
        assertEquals(Reason.FIELD, reject(Command.SYNC_SYSMEM.code, sync, 192, 1).reason(), "empty region");
        byte[] wrap = payloadOf(new SyncSysmem(List.of(new Region(Long.MAX_VALUE - 10, 4096, 0, 1))));
        assertEquals(Reason.FIELD, reject(Command.SYNC_SYSMEM.code, wrap, 192, 1).reason(), "gpa + size overflows");
    }

    @Test void syncSysmemUsesOneEntryPerDescriptor() throws Exception {
        byte[] p = payloadOf(new SyncSysmem(List.of(new Region(0, 0xA0000, 0, 1), new Region(0x100000, 0x100000, 0x100000, 2))));
        SyncSysmem s = (SyncSysmem) MpqemuCodec.decode(Command.SYNC_SYSMEM.code, p, 192, new int[] {7});
        assertEquals(List.of(new Region(0, 0xA0000, 0, 7)), s.regions());
    }

    @Test void encodeRefusesImpossibleSyncs() {
        assertThrows(IllegalArgumentException.class, () -> MpqemuCodec.encode(new SyncSysmem(List.of())));
    }

    /** Whatever arrives, decoding either yields a message or a MalformedMessageException: nothing else escapes. */
    @Property(tries = 2000)
    void arbitraryInputNeverEscapesAsAnotherException(@ForAll @IntRange(min = -2, max = 9) int command,
                                                      @ForAll @Size(max = 192) byte[] payload,
                                                      @ForAll @IntRange(min = 0, max = 9) int fdCount) {
        byte[] full = Arrays.copyOf(payload, Command.MAX_PAYLOAD);
        try {
            MpqemuMessage m = MpqemuCodec.decode(command, full, payload.length, new int[fdCount]);
            assertEquals(m.command().code, command);
        } catch (MalformedMessageException expected) {
            // counted and dropped by the bridge
        }
    }
}
