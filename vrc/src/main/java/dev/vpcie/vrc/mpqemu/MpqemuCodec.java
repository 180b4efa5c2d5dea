package dev.vpcie.vrc.mpqemu;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire layout of QEMU's multi-process messages, both ways, as pure functions: host byte
 * order (little-endian here), natural C alignment. A 16-byte header ({@code int32 cmd},
 * padding, {@code uint64 size}) then the command's payload:
 *
 * <pre>
 * SYNC_SYSMEM   u64 gpa[8] @0, u64 size[8] @64, i64 offset[8] @128     entry i is descriptor i
 * RET           u64 value
 * PCI_CFG*      u32 addr @0, u32 val @4, i32 len @8
 * BAR_*         u64 addr @0, u64 val @8, u32 size @16, u8 memory @20, 3 bytes padding
 * SET_IRQFD     (none; descriptors irqfd, resamplefd)
 * DEVICE_RESET  (none)
 * </pre>
 */
public final class MpqemuCodec {
    private MpqemuCodec() {}

    private static final int CONFIG_SPACE = 256;

    /** A message laid out for sending: header and payload bytes, descriptors to attach. */
    public record Encoded(byte[] bytes, int[] fds) {}

    /** The command number and payload size a header announces. */
    public record Header(long command, long size) {}

    public static Header header(byte[] header) {
        ByteBuffer b = ByteBuffer.wrap(header, 0, Command.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new Header(b.getInt(0), b.getLong(8));
    }

    /**
     * Decodes one message from its header fields, {@code size} payload bytes and the descriptors
     * that came with it. On failure the caller still owns (and must close) the descriptors.
     */
    public static MpqemuMessage decode(long commandCode, byte[] payload, int size, int[] fds) throws MalformedMessageException {
        Command c = Command.of(commandCode);
        if (c == null) throw new MalformedMessageException(Reason.UNKNOWN_COMMAND, null, "unknown command " + commandCode);
        if (size != c.payloadSize)
            throw new MalformedMessageException(Reason.PAYLOAD_SIZE, c, c + " with a payload of " + size + " bytes (expected " + c.payloadSize + ")");
        if (fds.length < c.minFds || fds.length > c.maxFds)
            throw new MalformedMessageException(Reason.DESCRIPTORS, c, c + " with " + fds.length + " descriptors (expected "
                    + (c.minFds == c.maxFds ? c.minFds : c.minFds + ".." + c.maxFds) + ")");
        ByteBuffer b = ByteBuffer.wrap(payload, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        return switch (c) {
            case SYNC_SYSMEM -> syncSysmem(b, fds);
            case RET -> new Ret(b.getLong(0));
            case PCI_CFGWRITE -> {
                int len = config(c, b);
                yield new PciConfigWrite(b.getInt(0), b.getInt(4), len);
            }
            case PCI_CFGREAD -> new PciConfigRead(b.getInt(0), config(c, b));
            case BAR_WRITE -> {
                boolean memory = bar(c, b);
                yield new BarWrite(b.getLong(0), b.getLong(8), b.getInt(16), memory);
            }
            case BAR_READ -> new BarRead(b.getLong(0), b.getInt(16), bar(c, b));
            case SET_IRQFD -> new SetIrqFd(fds[0], fds[1]);
            case DEVICE_RESET -> new DeviceReset();
        };
    }

    private static SyncSysmem syncSysmem(ByteBuffer b, int[] fds) throws MalformedMessageException {
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < fds.length; i++) {
            long gpa = b.getLong(8 * i), size = b.getLong(64 + 8 * i), offset = b.getLong(128 + 8 * i);
            if (size <= 0 || offset < 0 || gpa < 0 || gpa + size < gpa)
                throw new MalformedMessageException(Reason.FIELD, Command.SYNC_SYSMEM, String.format(
                        "SYNC_SYSMEM region %d is not a RAM section: gpa 0x%x size 0x%x offset 0x%x", i, gpa, size, offset));
            regions.add(new Region(gpa, size, offset, fds[i]));
        }
        return new SyncSysmem(regions);
    }

    private static int config(Command c, ByteBuffer b) throws MalformedMessageException {
        int addr = b.getInt(0), len = b.getInt(8);
        if ((len != 1 && len != 2 && len != 4) || addr < 0 || addr + len > CONFIG_SPACE || addr % len != 0)
            throw new MalformedMessageException(Reason.FIELD, c, c + " of " + len + " bytes at 0x" + Integer.toHexString(addr)
                    + ": configuration accesses are 1, 2 or 4 bytes, naturally aligned, inside 256 bytes");
        return len;
    }

    private static boolean bar(Command c, ByteBuffer b) throws MalformedMessageException {
        int size = b.getInt(16), memory = b.get(20);
        if ((size != 1 && size != 2 && size != 4 && size != 8) || (memory != 0 && memory != 1) || memory == 0 && size == 8)
            throw new MalformedMessageException(Reason.FIELD, c, c + " of " + size + " bytes, memory=" + memory
                    + ": accesses are 1, 2, 4 or 8 bytes (I/O: up to 4)");
        return memory == 1;
    }

    /** Lays a message out for sending; the descriptors it names are attached, not duplicated. */
    public static Encoded encode(MpqemuMessage m) {
        Command c = m.command();
        ByteBuffer b = ByteBuffer.allocate(Command.HEADER_SIZE + c.payloadSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, c.code);
        b.putLong(8, c.payloadSize);
        int p = Command.HEADER_SIZE;
        int[] fds = switch (m) {
            case SyncSysmem s -> {
                if (s.regions().isEmpty() || s.regions().size() > Command.MAX_REGIONS)
                    throw new IllegalArgumentException("SYNC_SYSMEM carries 1.." + Command.MAX_REGIONS + " regions: " + s.regions().size());
                int[] out = new int[s.regions().size()];
                for (int i = 0; i < out.length; i++) {
                    Region r = s.regions().get(i);
                    b.putLong(p + 8 * i, r.gpa());
                    b.putLong(p + 64 + 8 * i, r.size());
                    b.putLong(p + 128 + 8 * i, r.offset());
                    out[i] = r.fd();
                }
                yield out;
            }
            case Ret r -> {
                b.putLong(p, r.value());
                yield new int[0];
            }
            case PciConfigWrite w -> {
                b.putInt(p, w.address()).putInt(p + 4, w.value()).putInt(p + 8, w.length());
                yield new int[0];
            }
            case PciConfigRead r -> {
                b.putInt(p, r.address()).putInt(p + 8, r.length());
                yield new int[0];
            }
            case BarWrite w -> {
                b.putLong(p, w.address()).putLong(p + 8, w.value()).putInt(p + 16, w.size()).put(p + 20, (byte) (w.memory() ? 1 : 0));
                yield new int[0];
            }
            case BarRead r -> {
                b.putLong(p, r.address()).putInt(p + 16, r.size()).put(p + 20, (byte) (r.memory() ? 1 : 0));
                yield new int[0];
            }
            case SetIrqFd s -> new int[] {s.irqfd(), s.resamplefd()};
            case DeviceReset d -> new int[0];
        };
        return new Encoded(b.array(), fds);
    }
}
