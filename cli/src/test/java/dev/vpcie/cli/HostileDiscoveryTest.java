package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.UdpTransport;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fake discovery answers (issue 10): the VRC and a real endpoint talk over UDP through a relay on
 * the path that sees every frame, as anyone on a segment sees a broadcast DISCOVER, and answers
 * each DISCOVER with a flood of forged ANNOUNCEs from MACs lower than the endpoint's (so they
 * would sort first and take bus 01). With {@code --endpoint} or a group key they change nothing;
 * without either, too many answers are a clear error, never a stack trace.
 */
class HostileDiscoveryTest {
    private static final int GROUP = 5, FAKES = 300;
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @TempDir Path dir;
    private final StringWriter endpointOut = new StringWriter(), endpointErr = new StringWriter();
    private InetSocketAddress endpointAddress, vrcAddress;
    private DatagramChannel towardVrc, towardEndpoint;
    private Thread relay;
    private volatile boolean relaying = true;
    /** Forged ANNOUNCEs the relay sends after each DISCOVER. */
    private volatile int fakes = FAKES;
    private EndpointCommand endpoint;
    private CompletableFuture<Integer> endpointExit;

    /** Starts the relay and the endpoint (with {@code key} if not null). */
    private void start(Path key) throws IOException {
        // the relay's ports first: a port chosen free and released could be handed to them
        towardVrc = DatagramChannel.open().bind(LOOPBACK);
        towardEndpoint = DatagramChannel.open().bind(LOOPBACK);
        int[] ports = VrcOverUdpTest.freeUdpPorts(2);
        endpointAddress = new InetSocketAddress("127.0.0.1", ports[0]);
        vrcAddress = new InetSocketAddress("127.0.0.1", ports[1]);
        relay = Thread.ofPlatform().daemon().name("relay").start(this::relay);
        startEndpoint(key);
    }

    /** Starts the endpoint at its address (again, after {@link #stopEndpoint}: a new process, as it were, with a new epoch). */
    private void startEndpoint(Path key) throws IOException {
        endpointOut.getBuffer().setLength(0);
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(endpointOut, true));
        cl.setErr(new PrintWriter(endpointErr, true));
        endpoint = cl.getSubcommands().get("endpoint").getCommand();
        List<String> argv = new ArrayList<>(List.of("endpoint", "--transport", "udp", "--udp-listen", hostPort(endpointAddress),
                "--udp-peer", hostPort((InetSocketAddress) towardEndpoint.getLocalAddress()), "--group", "" + GROUP, "--device", "dmatest"));
        if (key != null) argv.addAll(List.of("--group-key", key.toString()));
        endpointExit = CompletableFuture.supplyAsync(() -> cl.execute(argv.toArray(String[]::new)));
        Await.until(() -> endpointOut.toString().contains("endpoint ready") || endpointExit.isDone(), "the endpoint is ready");
        assertTrue(endpointOut.toString().contains("endpoint ready"), endpointOut + "" + endpointErr);
    }

    private void stopEndpoint() throws Exception {
        endpoint.stop();
        assertEquals(0, endpointExit.get(10, TimeUnit.SECONDS), endpointErr.toString());
        endpoint = null;
    }

    @AfterEach void stop() throws Exception {
        if (endpoint != null) stopEndpoint();
        relaying = false;
        if (towardVrc != null) towardVrc.close();
        if (towardEndpoint != null) towardEndpoint.close();
        if (relay != null) relay.join(5000);
    }

    private static String hostPort(InetSocketAddress a) { return "127.0.0.1:" + a.getPort(); }

    /** Forwards both ways; after each DISCOVER from the VRC, sends it {@value #FAKES} forged ANNOUNCEs. */
    private void relay() {
        ByteBuffer b = ByteBuffer.allocate(65536);
        try (Selector selector = Selector.open()) {
            towardVrc.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            towardEndpoint.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            while (relaying) {
                selector.select(100);
                selector.selectedKeys().clear();
                for (b.clear(); towardVrc.receive(b) != null; b.clear()) {
                    b.flip();
                    int nonce = discoverNonce(b);
                    towardEndpoint.send(b, endpointAddress);
                    if (nonce != 0) {
                        for (int i = 0; i < fakes; i++) towardVrc.send(fakeAnnounce(new MacAddress(0x0000_0000_0100L + i), nonce, "none"), vrcAddress);
                        // and one in the real endpoint's name, claiming another VRC owns it
                        if (fakes > 0) towardVrc.send(fakeAnnounce(UdpTransport.standInMac(endpointAddress), nonce, "02:00:00:00:00:99/1_via_udp"), vrcAddress);
                    }
                }
                for (b.clear(); towardEndpoint.receive(b) != null; b.clear()) {
                    b.flip();
                    towardVrc.send(b, vrcAddress);
                }
            }
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    /** The nonce of a (tagged) DISCOVER frame, 0 for any other frame. */
    private static int discoverNonce(ByteBuffer f) {
        int link = FrameCodec.ethernetHeaderLength(GROUP);
        if (f.remaining() < link + FrameCodec.LINK_HEADER_LENGTH || (f.get(link + 1) & 0xFF) != FrameType.DISCOVER.code()) return 0;
        return f.getInt(link + 24);
    }

    private ByteBuffer fakeAnnounce(MacAddress from, int nonce, String owner) {
        MacAddress vrc = UdpTransport.standInMac(vrcAddress);
        byte[] text = ("vpcie-endpoint functions=\"00.0 dmatest [1af4:10f0] class 088000\" owner=" + owner).getBytes(StandardCharsets.UTF_8);
        ByteBuf f = Unpooled.buffer();
        FrameCodec.writeEthernet(f, vrc, from, GROUP, FrameCodec.DEFAULT_ETHER_TYPE);
        FrameCodec.writeHeader(f, FrameType.ANNOUNCE, 1, 1, 0, 0, 0, nonce, 0, 0, text.length);
        f.writeBytes(text);
        return f.nioBuffer();
    }

    private record Run(int status, String out, String err) {}

    private Run vrc(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("vrc", "--transport", "udp", "--udp-listen", hostPort(vrcAddress),
                "--udp-peer", hostPort((InetSocketAddress) towardVrc.getLocalAddress()), "--group", "" + GROUP,
                "--discover-timeout-ms", "500", "--completion-timeout-ms", "2000"));
        argv.addAll(List.of(args));
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(argv.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test void withEndpointTheVrcUsesTheRealEndpointOnBus01() throws IOException {
        start(null);
        String ep = UdpTransport.standInMac(endpointAddress) + "/1";
        Run r = vrc("--endpoint", ep, "config", "read", "01:00.0", "0x02.w");
        assertEquals(0, r.status(), r.err());
        assertEquals("10f0\n", r.out(), "01:00.0 is the real dmatest");
    }

    /**
     * Stable bus numbers: once the real endpoint is attached, strangers announcing from lower MACs
     * (unasked, and around its restart) change nothing: the restarted endpoint is hot-inserted
     * at the same BDF, and no stranger gets a bus.
     */
    @Test void aKnownEndpointKeepsItsBdfAcrossARestartWhileStrangersAnnounce() throws Exception {
        fakes = 0; // a quiet segment while the VRC attaches, as a plain `vrc attach` finds it
        start(null);
        var cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.parseArgs("vrc", "--transport", "udp", "--udp-listen", hostPort(vrcAddress), "--udp-peer",
                hostPort((InetSocketAddress) towardVrc.getLocalAddress()), "--group", "" + GROUP, "--discover-timeout-ms", "1000",
                "--completion-timeout-ms", "2000");
        VrcCommand vrc = cl.getSubcommands().get("vrc").getCommand();
        int status = vrc.run(rc -> {
            PcieDevice real = rc.device(Bdf.parse("01:00.0"));
            assertEquals(0x10f0, real.deviceId());
            fakes = FAKES;
            for (int i = 0; i < 50; i++) towardVrc.send(fakeAnnounce(new MacAddress(0x0000_0000_0100L + i), 0, "none"), vrcAddress);
            stopEndpoint();
            Await.until(() -> !real.present(), "the endpoint's removal");
            startEndpoint(null);
            Await.until(() -> real.present() && rc.counters().get(Counter.HOT_INSERTION) == 1, "the endpoint's hot insertion");
            for (int i = 0; i < 50; i++) towardVrc.send(fakeAnnounce(new MacAddress(0x0000_0000_0100L + i), 0, "none"), vrcAddress);
            assertEquals(1, rc.links().size(), "no stranger got a bus");
            assertEquals(List.of(real), rc.devices(), "the real device, still at 01:00.0");
            assertEquals(0x10f0, real.configRead(0x02, 2).value());
            return 0;
        });
        assertEquals(0, status, err.toString());
    }

    @Test void withoutEndpointOrKeyAFloodOfAnswersIsAClearError() throws IOException {
        start(null);
        Run r = vrc("lspci");
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("more than the 255 buses") && r.err().contains("--endpoint"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test void withAGroupKeyForgedAnnouncesAreIgnored() throws IOException {
        Path key = Files.write(dir.resolve("group.key"), "a group key of 32 bytes, honest.".getBytes());
        start(key);
        Run r = vrc("--group-key", key.toString(), "config", "read", "01:00.0", "0x02.w");
        assertEquals(0, r.status(), r.err());
        assertEquals("10f0\n", r.out());
    }
}
