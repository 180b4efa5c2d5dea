package dev.vpcie.vrc.bench;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.nettlp.NetTlpPort;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.ByteEnables;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The hosts {@link NetTlpReaders} measure in one process: the VRC in NetTLP mode (a root
 * complex serving host memory through a DMA window, one CplD per MRd), and, as the baseline, a
 * bare responder on the same {@link NetTlpPort} that answers every MRd with zeros at once (the
 * sockets, the codec and the loop, without the root complex).
 */
public final class NetTlpResponders {
    private NetTlpResponders() {}

    /** A running host; closing stops it. */
    public interface Host extends AutoCloseable {
        @Override void close();
    }

    /**
     * A VRC with {@code hostMemory} bytes, its DMA window open to {@code requester} over all of it,
     * on a loop that spins {@code spin} after its last work before it blocks.
     */
    public static Host vrc(InetAddress local, InetAddress device, int requester, long hostMemory, Duration spin) throws IOException {
        AgentLoop loop = AgentLoop.start("vrc", spin);
        RootComplex rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(hostMemory), loop);
        try {
            NetTlpPort port = NetTlpPort.open(NetTlpPort.Role.HOST, local, device, rc.loop());
            var link = rc.attach(port);
            if (Bdf.bus(requester) != link.bus())
                throw new IllegalArgumentException("the requester must be on bus " + link.bus() + ": " + Bdf.toString(requester));
            rc.dmaReadCompletionLimit(4096);
            rc.dmaWindows().map(requester, 0, hostMemory);
            return () -> {
                rc.close();
                port.close();
                loop.close();
            };
        } catch (IOException | RuntimeException e) {
            rc.close();
            loop.close();
            throw e;
        }
    }

    /** The baseline: the same port, answering each MRd with one CplD of zeros and nothing else. */
    public static Host bare(InetAddress local, InetAddress device, Duration spin) throws IOException {
        AgentLoop loop = AgentLoop.start("nettlp-bare-responder", spin);
        try {
            NetTlpPort port = NetTlpPort.open(NetTlpPort.Role.HOST, local, device, loop);
            port.handler((Tlp tlp) -> {
                if (!(tlp instanceof MemRead r)) return;
                int bytes = ByteEnables.byteCount(r.length(), r.firstBe(), r.lastBe());
                port.send(new Completion(0, CplStatus.SC, false, bytes, r.requester(), r.tag(),
                        (int) (r.address() + ByteEnables.firstByteOffset(r.firstBe()) & 0x7F), Attributes.DEFAULT, new byte[r.length() * 4]));
            });
            return () -> {
                port.close();
                loop.close();
            };
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw e;
        }
    }
}
