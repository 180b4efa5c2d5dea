package dev.vpcie.cli.control;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.cli.control.ControlProtocol.Response;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket: requests answered, bad and oversized ones refused, the socket file's life. */
class ControlServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ControlServer.Handler ECHO = args -> new Response(args.size(), String.join(" ", args) + "\n", "");

    @TempDir Path dir;

    private Path socket() { return dir.resolve("ic0-7.sock"); }

    @Test void aRequestIsAnsweredWithItsExitStatusAndOutput() throws Exception {
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            Response r = ControlClient.call(socket(), List.of("lspci", "-vv", "quote\"and\\back\nslash"), TIMEOUT).orElseThrow();
            assertEquals(new Response(3, "lspci -vv quote\"and\\back\nslash\n", ""), r);
        }
    }

    @Test void theSocketIsTheOwnersOnlyAndRemovedOnClose() throws Exception {
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())));
        }
        assertFalse(Files.exists(socket()));
        assertEquals(java.util.Optional.empty(), ControlClient.call(socket(), List.of("status"), TIMEOUT), "no VRC: no response");
    }

    @Test void aStaleSocketIsReplaced() throws Exception {
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket())); // closing leaves the file, as a killed VRC does
        }
        assertTrue(Files.exists(socket()));
        assertFalse(ControlClient.listening(socket()));
        assertEquals(java.util.Optional.empty(), ControlClient.call(socket(), List.of("status"), TIMEOUT), "stale: nobody answers");
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            assertEquals(1, ControlClient.call(socket(), List.of("status"), TIMEOUT).orElseThrow().exit());
        }
    }

    @Test void aLiveSocketIsNotTakenUnlessAsked() throws Exception {
        try (ControlServer first = ControlServer.start(socket(), ECHO, false)) {
            assertThrows(ControlServer.AlreadyServedException.class, () -> ControlServer.start(socket(), ECHO, false));
            try (ControlServer second = ControlServer.start(socket(), args -> new Response(0, "second\n", ""), true)) {
                assertEquals("second\n", ControlClient.call(socket(), List.of("x"), TIMEOUT).orElseThrow().out());
                first.close(); // leaves the newer VRC's socket in place
                assertEquals("second\n", ControlClient.call(socket(), List.of("x"), TIMEOUT).orElseThrow().out());
            }
        }
    }

    @Test void badRequestsAreAnsweredWithAnError() throws Exception {
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            for (String bad : List.of("hello", "[\"lspci\"]", "{\"version\":1}", "{\"version\":1,\"args\":[]}", "{\"version\":2,\"args\":[\"x\"]}",
                    "{\"version\":1,\"args\":[1]}", "{\"version\":1,\"args\":[\"x\"],\"extra\":0}", "{\"version\":1,\"args\":[\"x\"", "\u00ff\u0000")) {
                Response r = raw(bad + "\n");
                assertEquals(2, r.exit(), bad);
                assertTrue(r.err().startsWith("vpcie: bad control request: "), r.err());
                assertEquals(1, r.err().lines().count(), r.err());
            }
        }
    }

    @Test void anOversizedRequestIsRefused() throws Exception {
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            Response r = raw("x".repeat(ControlProtocol.MAX_REQUEST_BYTES + 10));
            assertEquals(new Response(2, "", "vpcie: request larger than " + ControlProtocol.MAX_REQUEST_BYTES + " bytes refused\n"), r);
            assertEquals(0, ControlClient.call(socket(), List.of(), TIMEOUT).map(Response::exit).map(e -> 0).orElse(1), "still serving");
        }
    }

    @Test void clientsBeyondTheLimitAreTurnedAway() throws Exception {
        List<SocketChannel> idle = new ArrayList<>();
        try (ControlServer ignored = ControlServer.start(socket(), ECHO, false)) {
            for (int i = 0; i < ControlServer.MAX_CLIENTS; i++) idle.add(SocketChannel.open(UnixDomainSocketAddress.of(socket())));
            Response r = ControlClient.call(socket(), List.of("status"), TIMEOUT).orElseThrow();
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("clients already"), r.err());
            idle.removeFirst().close();
            // The closed one leaves room: a later client is served (the server sees the close first or at its next read).
            Response served = null;
            for (int i = 0; i < 1000 && (served == null || !served.out().equals("status\n")); i++)
                served = ControlClient.call(socket(), List.of("status"), TIMEOUT).orElseThrow();
            assertEquals("status\n", served.out());
        } finally {
            for (SocketChannel c : idle) c.close();
        }
    }

    /** Writes {@code text} as is and reads the response. */
    private Response raw(String text) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            try {
                while (b.hasRemaining()) ch.write(b);
            } catch (IOException e) {
                // the server may answer and close before it read everything (an oversized request)
            }
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            while (ch.read(in) >= 0) if (!in.hasRemaining()) break;
            return Response.decode(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip());
        }
    }

    @Test void aNetworkNamespaceHasSocketsOfItsOwn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.vpcie.testsupport.netns.NetNamespace.unavailableReason() == null, "needs root");
        Path here = ControlPaths.socket("ic0", 3);
        try (dev.vpcie.testsupport.netns.NetNamespace ns = dev.vpcie.testsupport.netns.NetNamespace.create("ctlpath")) {
            Path there = ns.call(() -> ControlPaths.socket("ic0", 3));
            assertNotEquals(here, there, "an ic0 in another namespace is another interconnect");
            assertTrue(there.getFileName().toString().matches("ic0-3-ns\\d+\\.sock"), there.toString());
            assertEquals(here.getParent(), there.getParent());
        }
    }
}
