package dev.vpcie.protocol.tlp;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of valid TLPs of every kind over each field's whole range (all pass the decoder's rules). */
final class TlpArbitraries {
    private TlpArbitraries() {}

    static Arbitrary<Tlp> any() {
        return Arbitraries.oneOf(memReads(), memWrites(), ioReads(), ioWrites(), cfgReads(), cfgWrites(), completions(), messages());
    }

    static Arbitrary<Integer> ids() { return Arbitraries.integers().between(0, 0xFFFF); }

    static Arbitrary<Integer> tags() { return Arbitraries.integers().between(0, 0x3FF); }

    static Arbitrary<Integer> be() { return Arbitraries.integers().between(0, 0xF); }

    static Arbitrary<Attributes> attributes() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 7),
                Arbitraries.of(false, true)).as(Attributes::of);
    }

    static Arbitrary<byte[]> data(int dws) { return Arbitraries.bytes().array(byte[].class).ofSize(dws * 4); }

    /** A memory range that stays inside one 4 KiB page, in 3DW or 4DW form (4DW possibly below 4 GiB). */
    record Range(long address, int length, boolean longAddress, int firstBe, int lastBe) {}

    static Arbitrary<Range> ranges() {
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.integers().between(1, 1024), Arbitraries.of(1, 2, 3, 1024));
        return Combinators.combine(lengths, Arbitraries.of(false, true), Arbitraries.longs().between(0, (1L << 50) - 1),
                        Arbitraries.integers().between(0, 1023))
                .flatAs((length, longAddress, page, dwOffset) -> {
                    long pageBase = (longAddress ? page : page & 0xFFFFF) << 12;
                    long address = pageBase | (long) (dwOffset % (1025 - length)) * 4;
                    return byteEnables(length, address)
                            .map(bes -> new Range(address, length, longAddress, bes[0], bes[1]));
                });
    }

    /** First/Last DW BEs that obey 2.2.5 for a request of {@code length} DW at {@code address}. */
    static Arbitrary<int[]> byteEnables(int length, long address) {
        if (length == 1) return be().map(f -> new int[] {f, 0});
        Arbitrary<Integer> nonZero = Arbitraries.integers().between(1, 0xF);
        if (length == 2 && (address & 4) == 0) return Combinators.combine(nonZero, nonZero).as((f, l) -> new int[] {f, l});
        return Combinators.combine(Arbitraries.of(0xF, 0xE, 0xC, 0x8), Arbitraries.of(0x1, 0x3, 0x7, 0xF)).as((f, l) -> new int[] {f, l});
    }

    static Arbitrary<Tlp> memReads() {
        return Combinators.combine(ids(), tags(), ranges(), attributes())
                .as((req, tag, r, a) -> new MemRead(req, tag, r.address, r.length, r.firstBe, r.lastBe, r.longAddress, a));
    }

    static Arbitrary<Tlp> memWrites() {
        return Combinators.combine(ids(), tags(), ranges(), attributes())
                .flatAs((req, tag, r, a) -> data(r.length).map(d ->
                        new MemWrite(req, tag, r.address, r.firstBe, r.lastBe, r.longAddress, a, d)));
    }

    static Arbitrary<Integer> ioAddresses() { return Arbitraries.integers().map(i -> i & ~3); }

    static Arbitrary<Tlp> ioReads() {
        return Combinators.combine(ids(), tags(), ioAddresses(), be()).as(IoRead::new);
    }

    static Arbitrary<Tlp> ioWrites() {
        return Combinators.combine(ids(), tags(), ioAddresses(), be(), data(1)).as(IoWrite::new);
    }

    static Arbitrary<Integer> registers() { return Arbitraries.integers().between(0, 0x3FF).map(dw -> dw * 4); }

    static Arbitrary<Tlp> cfgReads() {
        return Combinators.combine(Arbitraries.of(ConfigType.class), ids(), tags(), ids(), registers(), be()).as(CfgRead::new);
    }

    static Arbitrary<Tlp> cfgWrites() {
        return Combinators.combine(Arbitraries.of(ConfigType.class), ids(), tags(), ids(), registers(), be(), data(1))
                .as(CfgWrite::new);
    }

    static Arbitrary<Tlp> completions() {
        Arbitrary<Integer> byteCounts = Arbitraries.oneOf(Arbitraries.integers().between(1, 4096), Arbitraries.of(1, 4, 4095, 4096));
        return Combinators.combine(ids(), Arbitraries.of(CplStatus.class), Arbitraries.of(false, true), byteCounts, ids(), tags(),
                        Arbitraries.integers().between(0, 0x7F), attributes())
                .flatAs((cpl, status, bcm, bc, req, tag, la, a) -> {
                    int maxDw = bcm ? 1024 : Math.min(1024, ((la & 3) + bc + 3) / 4);
                    Arbitrary<byte[]> payload = Arbitraries.integers().between(1, maxDw).flatMap(TlpArbitraries::data);
                    return Arbitraries.oneOf(Arbitraries.just((byte[]) null), payload)
                            .map(d -> new Completion(cpl, status, bcm, bc, req, tag, la, a, d));
                });
    }

    static Arbitrary<Tlp> messages() {
        // INTx codes have their own rule (Local, no data); everything else any routing, with or without data
        Arbitrary<Tlp> intx = Combinators.combine(ids(), Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
                .as((req, pin, assertion) -> assertion ? Message.assertIntx(req, pin) : Message.deassertIntx(req, pin));
        Arbitrary<Integer> codes = Arbitraries.integers().between(0, 0xFF).filter(c -> c < 0x20 || c > 0x27);
        Arbitrary<byte[]> payload = Arbitraries.oneOf(Arbitraries.just((byte[]) null),
                Arbitraries.integers().between(1, 1024).flatMap(TlpArbitraries::data));
        Arbitrary<Tlp> general = Combinators.combine(ids(), tags(), Arbitraries.of(MessageRouting.class), codes, Arbitraries.longs(),
                attributes(), payload).as(Message::new);
        return Arbitraries.oneOf(intx, general);
    }
}
