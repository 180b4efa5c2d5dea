package dev.vpcie.bench;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.Completions;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The far end of the benchmark, run in its own process inside the other namespace: it accepts
 * the client's link, completes its reads on the link thread and counts its writes. It prints
 * {@code READY <mac> <instance>} when it listens and exits when its standard input closes.
 */
final class EchoRole implements TlpHandler {
    static final int INSTANCE = 2;

    private Link link;
    private int nextIndex;
    private int outOfOrder;
    private long refused, unexpected;

    static void run(BenchTransport kind, String device, String localIp, String peerIp, AfPacketTransport.Options afPacket,
                    LinkConfig config) throws IOException {
        try (FrameTransport transport = kind.open(device, localIp, peerIp, afPacket);
             LinkEndpoint endpoint = LinkEndpoint.start(transport, config)) {
            EchoRole echo = new EchoRole();
            endpoint.onAccept(l -> {
                echo.link = l;
                l.handler(echo);
            });
            System.out.println("READY " + transport.address() + " " + INSTANCE);
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the benchmark closes our input.
            }
            if (echo.refused > 0) System.err.println("echo: " + echo.refused + " completions did not fit the window");
            if (echo.unexpected > 0) System.err.println("echo: " + echo.unexpected + " TLPs of a kind the benchmark does not send");
        }
    }

    @Override public void onTlp(Tlp tlp) {
        switch (tlp) {
            case MemWrite w -> {
                if (BenchTlps.index(w) != nextIndex) outOfOrder++;
                nextIndex = BenchTlps.index(w) + 1;
            }
            case MemRead r when r.address() == BenchTlps.FENCE_ADDRESS -> {
                byte[] report = ByteBuffer.allocate(8).putInt(nextIndex).putInt(outOfOrder).array();
                nextIndex = 0;
                outOfOrder = 0;
                reply(Completions.read(r, BenchTlps.ECHO_ID, report, Completions.RCB_64, 256).getFirst());
            }
            case MemRead r -> reply(Completions.read(r, BenchTlps.ECHO_ID, new byte[4 * r.length()], Completions.RCB_64, 256).getFirst());
            case IoRead _, IoWrite _, CfgRead _, CfgWrite _, Completion _, Message _ -> unexpected++;
        }
    }

    private void reply(Completion c) {
        if (!link.trySend(c)) refused++;
    }
}
