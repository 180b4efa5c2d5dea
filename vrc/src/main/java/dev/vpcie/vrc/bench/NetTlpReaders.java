package dev.vpcie.vrc.bench;

import dev.vpcie.protocol.nettlp.NetTlpCodec;
import dev.vpcie.protocol.nettlp.NetTlpPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.util.stream.IntStream;

/**
 * DMA readers as NetTLP's {@code tlpperf -d read} runs them: one thread per tag (or all on one
 * loop, {@link Mode#LOOP}; see {@link NetTlpReaderLoop}), each with a socket bound to
 * {@code 0x3000 + tag} on the device side's address and connected to the same port of the host,
 * sending one MRd at a time and waiting (up to 500 ms, as libtlp does) for the CplDs that
 * complete it. It plays libtlp's side against any NetTLP host: a VRC in NetTLP mode, a
 * bare responder, or a real adapter.
 *
 * <p>Completions are parsed from the header bytes as libtlp does: Fmt/Type 0x4A, status
 * successful, and the last one is the one whose {@code Length == ((LowerAddress & 3) + ByteCount
 * + 3) >> 2}.
 */
public final class NetTlpReaders {
    /** What a run measured. */
    public record Result(int threads, int length, long reads, long bytes, long timeouts, long errors, double seconds, LatencySummary latency) {
        public double gbitPerSecond() { return bytes * 8 / seconds / 1e9; }

        public double readsPerSecond() { return reads / seconds; }
    }

    private NetTlpReaders() {}

    /** How the readers run: a thread each, as tlpperf's; or all on one thread, as the endpoint's loop runs its reads. */
    public enum Mode { THREADS, LOOP }

    /**
     * Runs {@code threads} readers (tags 0..threads-1) of {@code length} bytes each, at page-aligned
     * addresses walking {@code region} bytes from {@code base}, for {@code seconds}.
     */
    public static Result run(Mode mode, InetAddress local, InetAddress host, int requester, int threads, int length, long base, long region,
                             double seconds) throws IOException, InterruptedException {
        if (threads < 1 || threads > NetTlpPorts.DMA_PORTS) throw new IllegalArgumentException("threads must be 1..256: " + threads);
        if (length < 4 || length > 4096 || (length & 3) != 0) throw new IllegalArgumentException("length must be 4..4096, whole DWs: " + length);
        if (region < 4096) throw new IllegalArgumentException("region must be at least 4096 bytes: " + region);
        int[] tags = IntStream.range(0, threads).toArray();
        return NetTlpReaderLoop.run(local, host, requester, tags, mode == Mode.THREADS, length, base, region, seconds);
    }

    /**
     * The data bytes of the NetTLP datagram {@code in} (of {@code n} bytes) if it is a successful
     * CplD, else -1 (a UR comes as a Cpl without data). Datagram bytes 6-9: DW0, 10-13:
     * completer, status, byte count, 14-17: requester, tag, lower address.
     */
    static int completionBytes(byte[] in, int n) {
        if (n < NetTlpCodec.HEADER_BYTES + 12 || (in[6] & 0xFF) != 0x4A || (in[12] >>> 5 & 7) != 0) return -1;
        int cplLength = (in[8] & 3) << 8 | in[9] & 0xFF;
        return (cplLength == 0 ? 1024 : cplLength) * 4;
    }

    /** Whether the CplD in {@code in} is its read's last, by libtlp's rule. */
    static boolean lastCompletion(byte[] in) {
        int cplLength = (in[8] & 3) << 8 | in[9] & 0xFF;
        if (cplLength == 0) cplLength = 1024;
        int byteCount = (in[12] & 0xF) << 8 | in[13] & 0xFF;
        if (byteCount == 0) byteCount = 4096;
        int lowerAddress = in[17] & 0x7F;
        return cplLength == ((lowerAddress & 3) + byteCount + 3) >> 2;
    }
}
