package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.MessageCode;
import dev.vpcie.protocol.tlp.MessageRouting;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpType;
import dev.vpcie.protocol.tlp.TlpWarning;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A decoded TLP as named fields, in the order a reader wants them: each with a value for humans
 * and, for the keys of {@code tlp decode --json}, a JSON value (Integer or String).
 */
final class TlpFields {
    private TlpFields() {}

    /** {@code json} is null for lines only the human form shows. */
    record Field(String key, String human, Object json) {}

    /** What the input held besides the header: the payload, or only the header (a Header Log). */
    record Source(byte[] raw, int headerBytes, boolean headerOnly) {}

    static List<Field> of(Tlp tlp, Source source) {
        List<Field> f = new ArrayList<>();
        TlpType kind = TlpType.of(tlp);
        int fmt = (source.raw[0] & 0xFF) >>> 5, type = source.raw[0] & 0x1F;
        boolean td = (source.raw[2] & 0x80) != 0;
        f.add(new Field("kind", kind.mnemonic + " (" + kind.description + ")", kind.mnemonic));
        f.add(new Field("fmt", bits(fmt, 3) + " (" + ((fmt & 1) != 0 ? "4DW" : "3DW") + " header, "
                + ((fmt & 2) != 0 ? "with data" : "no data") + ")", fmt));
        f.add(new Field("type", bits(type, 5), type));
        Attributes a = attributes(tlp);
        f.add(new Field("tc", Integer.toString(a.trafficClass()), a.trafficClass()));
        f.add(new Field("attr", attrText(a), a.attrBits()));
        if (a.poisoned()) f.add(new Field("poisoned", "yes (EP=1: the payload is known bad)", null));
        int length = length(tlp);
        f.add(new Field("length", length == 0 ? "0 (no data)" : length + " DW (" + length * 4 + " bytes)", length));
        switch (tlp) {
            case MemRead r -> request(f, r.requester(), r.tag(), r.firstBe(), r.lastBe(), address(r.address()));
            case MemWrite w -> request(f, w.requester(), w.tag(), w.firstBe(), w.lastBe(), address(w.address()));
            case IoRead r -> request(f, r.requester(), r.tag(), r.firstBe(), 0, address(r.address() & 0xFFFFFFFFL));
            case IoWrite w -> request(f, w.requester(), w.tag(), w.firstBe(), 0, address(w.address() & 0xFFFFFFFFL));
            case CfgRead r -> config(f, r.requester(), r.tag(), r.firstBe(), r.target(), r.register());
            case CfgWrite w -> config(f, w.requester(), w.tag(), w.firstBe(), w.target(), w.register());
            case Completion c -> {
                f.add(new Field("completer", Bdf.toString(c.completer()), Bdf.toString(c.completer())));
                f.add(new Field("status", c.status() + " (" + statusName(c.status()) + ")", c.status().name()));
                if (c.bcm()) f.add(new Field("bcm", "1 (Byte Count Modified: a PCI-X completer's partial count)", null));
                f.add(new Field("byteCount", c.byteCount() == 4096 ? "4096 (sent as 0)" : Integer.toString(c.byteCount()), c.byteCount()));
                f.add(new Field("requester", Bdf.toString(c.requester()), Bdf.toString(c.requester())));
                f.add(tag(c.tag()));
                f.add(new Field("lowerAddress", String.format("0x%02x", c.lowerAddress()), c.lowerAddress()));
            }
            case Message m -> message(f, m);
        }
        if (source.headerOnly) {
            if (kind.hasData())
                f.add(new Field("data", "absent: header only (Length says " + length * 4 + " bytes of payload)", null));
            int extra = source.raw.length - source.headerBytes;
            if (extra > 0) f.add(new Field("ignored", extra + " bytes after the " + source.headerBytes / 4
                    + "DW header (a Header Log holds 4 DWs): " + HexFormat.of().formatHex(source.raw, source.headerBytes, source.raw.length), null));
        } else {
            byte[] data = data(tlp);
            if (data != null) f.add(new Field("data", dump(data), HexFormat.of().formatHex(data)));
            if (td) f.add(new Field("digest", HexFormat.of().formatHex(source.raw, source.raw.length - 4, source.raw.length)
                    + " (TD=1: ECRC present, not checked)", null));
        }
        for (TlpWarning w : TlpWarning.of(tlp))
            f.add(new Field("warning", switch (w) {
                case ADDRESS_64_BELOW_4G -> "4DW header for an address below 4 GiB (requesters must use the 3DW format there)";
            }, null));
        return f;
    }

    /** The fields {@code tlp decode --json} has, on one line: {@code MRd32 requester=00:00.0 tag=1 ... address=0xf0000010}. */
    static String oneLine(Tlp tlp, byte[] raw) {
        StringBuilder s = new StringBuilder(TlpType.of(tlp).mnemonic);
        for (Field f : of(tlp, new Source(raw, TlpType.of(tlp).headerBytes(), false))) {
            if (f.json() == null || f.key().equals("kind")) continue;
            s.append(' ').append(f.key()).append('=').append(f.json());
        }
        return s.toString();
    }

    private static void request(List<Field> f, int requester, int tag, int firstBe, int lastBe, String address) {
        f.add(new Field("requester", Bdf.toString(requester), Bdf.toString(requester)));
        f.add(tag(tag));
        f.add(new Field("firstBe", bits(firstBe, 4), firstBe));
        f.add(new Field("lastBe", bits(lastBe, 4), lastBe));
        f.add(new Field("address", address, address));
    }

    private static void config(List<Field> f, int requester, int tag, int firstBe, int target, int register) {
        request(f, requester, tag, firstBe, 0, String.format("0x%03x", register));
        f.set(f.size() - 1, new Field("address", String.format("0x%03x (configuration register: Ext Register 0x%x, Register 0x%02x)",
                register, register >>> 8, register >>> 2 & 0x3F), String.format("0x%03x", register)));
        f.add(new Field("completer", Bdf.toString(target) + " (configuration target)", Bdf.toString(target)));
    }

    private static void message(List<Field> f, Message m) {
        f.add(new Field("requester", Bdf.toString(m.requester()), Bdf.toString(m.requester())));
        f.add(tag(m.tag()));
        f.add(new Field("messageCode", String.format("0x%02x (%s)", m.code(), MessageCode.name(m.code())), m.code()));
        f.add(new Field("routing", routingName(m.routing()) + " (" + bits(m.routing().code, 3) + ")", null));
        long tail = m.headerTail();
        switch (m.routing()) {
            case BY_ADDRESS -> f.add(new Field("address", address(tail), address(tail)));
            case BY_ID -> f.add(new Field("target", Bdf.toString((int) (tail >>> 48)), null));
            case TO_ROOT_COMPLEX, BROADCAST_FROM_ROOT_COMPLEX, LOCAL, GATHERED_TO_ROOT_COMPLEX -> { }
        }
        if (m.code() == Message.VENDOR_DEFINED_TYPE0 || m.code() == Message.VENDOR_DEFINED_TYPE1)
            f.add(new Field("vendor", String.format("0x%04x, vendor-defined word 0x%08x", tail >>> 32 & 0xFFFF, tail & 0xFFFFFFFFL), null));
        else if (m.routing() != MessageRouting.BY_ADDRESS && tail != 0)
            f.add(new Field("bytes8to15", String.format("0x%016x", tail), null));
    }

    private static Field tag(int tag) {
        return new Field("tag", tag > 0xFF ? tag + " (10-bit tag)" : Integer.toString(tag), tag);
    }

    private static String address(long address) { return "0x" + Long.toHexString(address); }

    private static String bits(int value, int width) {
        return "0b" + Integer.toBinaryString(1 << width | value).substring(1);
    }

    private static String attrText(Attributes a) {
        List<String> names = new ArrayList<>();
        if (a.idBasedOrdering()) names.add("IDO");
        if (a.relaxedOrdering()) names.add("RO");
        if (a.noSnoop()) names.add("NS");
        return bits(a.attrBits(), 3) + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")");
    }

    private static String statusName(CplStatus s) {
        return switch (s) {
            case SC -> "Successful Completion";
            case UR -> "Unsupported Request";
            case CRS -> "Configuration Request Retry Status";
            case CA -> "Completer Abort";
        };
    }

    private static String routingName(MessageRouting r) {
        return switch (r) {
            case TO_ROOT_COMPLEX -> "Routed to Root Complex";
            case BY_ADDRESS -> "Routed by Address";
            case BY_ID -> "Routed by ID";
            case BROADCAST_FROM_ROOT_COMPLEX -> "Broadcast from Root Complex";
            case LOCAL -> "Local, terminate at receiver";
            case GATHERED_TO_ROOT_COMPLEX -> "Gathered and routed to Root Complex";
        };
    }

    private static Attributes attributes(Tlp tlp) {
        return switch (tlp) {
            case MemRead r -> r.attributes();
            case MemWrite w -> w.attributes();
            case Completion c -> c.attributes();
            case Message m -> m.attributes();
            case IoRead r -> Attributes.DEFAULT;
            case IoWrite w -> Attributes.DEFAULT;
            case CfgRead r -> Attributes.DEFAULT;
            case CfgWrite w -> Attributes.DEFAULT;
        };
    }

    private static int length(Tlp tlp) {
        return switch (tlp) {
            case MemRead r -> r.length();
            case MemWrite w -> w.length();
            case Completion c -> c.length();
            case Message m -> m.hasData() ? m.data().length / 4 : 0;
            case IoRead r -> 1;
            case IoWrite w -> 1;
            case CfgRead r -> 1;
            case CfgWrite w -> 1;
        };
    }

    private static byte[] data(Tlp tlp) {
        return switch (tlp) {
            case MemWrite w -> w.data();
            case IoWrite w -> w.data();
            case CfgWrite w -> w.data();
            case Completion c -> c.data();
            case Message m -> m.data();
            case MemRead r -> null;
            case IoRead r -> null;
            case CfgRead r -> null;
        };
    }

    /** DWs separated by spaces; past 8 DWs, 32 bytes per line with the offset in front. */
    private static String dump(byte[] data) {
        HexFormat hex = HexFormat.of();
        StringBuilder s = new StringBuilder();
        if (data.length <= 32) {
            for (int i = 0; i < data.length; i += 4) s.append(i == 0 ? "" : " ").append(hex.formatHex(data, i, i + 4));
            return s.toString();
        }
        s.append(data.length).append(" bytes");
        for (int line = 0; line < data.length; line += 32) {
            s.append('\n').append(String.format("+%03x ", line));
            for (int i = line; i < Math.min(data.length, line + 32); i += 4) s.append(' ').append(hex.formatHex(data, i, i + 4));
        }
        return s.toString();
    }
}
