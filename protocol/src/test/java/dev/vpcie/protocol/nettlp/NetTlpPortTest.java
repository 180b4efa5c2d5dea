package dev.vpcie.protocol.nettlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.link.TlpHandler;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The port scheme on real sockets: a host-role port on 127.13.0.1 against a device-role port, or
 * against a plain socket standing in for libtlp, on 127.13.0.2.
 */
class NetTlpPortTest {
    private static final InetAddress HOST = address("127.13.0.1"), DEVICE = address("127.13.0.2");
    private static final long WAIT_S = 20;

    private final AgentLoop hostLoop = AgentLoop.start("nettlp-host-test"), deviceLoop = AgentLoop.start("nettlp-device-test");
    private final LinkedBlockingQueue<Tlp> atHost = new LinkedBlockingQueue<>(), atDevice = new LinkedBlockingQueue<>();

    @AfterEach void stopLoops() {
        hostLoop.close();
        deviceLoop.close();
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TlpHandler into(LinkedBlockingQueue<Tlp> q) { return q::add; }

    private static Tlp next(LinkedBlockingQueue<Tlp> q) throws InterruptedException {
        Tlp t = q.poll(WAIT_S, TimeUnit.SECONDS);
        if (t == null) throw new AssertionError("no TLP within " + WAIT_S + " s");
        return t;
    }

    @Test void dmaGoesOutOnTheTagsPortAndItsCompletionComesBackThere() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             NetTlpPort device = NetTlpPort.open(NetTlpPort.Role.DEVICE, DEVICE, HOST, deviceLoop)) {
            host.handler(into(atHost));
            device.handler(into(atDevice));
            MemRead read = new MemRead(0x0100, 0x42, 0x1000, 2, 0xF, 0xF);
            device.send(read);
            assertEquals(read, next(atHost));
            assertEquals(1, device.counters().sentOn(0x3042));
            assertEquals(1, host.counters().receivedOn(0x3042));
            Completion c = new Completion(0, CplStatus.SC, false, 8, 0x0100, 0x42, 0, Attributes.DEFAULT, new byte[8]);
            host.send(c);
            assertEquals(c, next(atDevice));
            assertEquals(1, host.counters().sentOn(0x3042));
            assertTrue(host.counters().perPort().contains("0x3042 dma tag 66: rx 1 tx 1"), host.counters().perPort().toString());
        }
    }

    @Test void mmioGoesOutOnTheLowTagBitsPort() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             NetTlpPort device = NetTlpPort.open(NetTlpPort.Role.DEVICE, DEVICE, HOST, deviceLoop)) {
            host.handler(into(atHost));
            device.handler(into(atDevice));
            MemWrite w = new MemWrite(0, 0x13, 0xE000_0000L, 0xF, 0, new byte[] {1, 2, 3, 4});
            host.send(w);
            assertEquals(w, next(atDevice));
            assertEquals(1, host.counters().sentOn(0x4003));
            MemRead r = new MemRead(0, 0x17, 0xE000_0000L, 1, 0xF, 0);
            host.send(r);
            assertEquals(r, next(atDevice));
            Completion c = new Completion(0x0100, CplStatus.SC, false, 4, 0, 0x17, 0, Attributes.DEFAULT, new byte[] {5, 6, 7, 8});
            device.send(c);
            assertEquals(c, next(atHost));
            assertEquals(1, host.counters().receivedOn(0x4007));
        }
    }

    /**
     * Each port is a socket with a queue of its own; the receiver still hands TLPs over in the
     * order they were sent, so a read never passes the posted write before it.
     */
    @Test void tlpsOnDifferentPortsArriveInTheOrderTheyWereSent() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             NetTlpPort device = NetTlpPort.open(NetTlpPort.Role.DEVICE, DEVICE, HOST, deviceLoop)) {
            host.handler(into(atHost));
            device.handler(into(atDevice));
            java.util.List<Tlp> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                Tlp t = i % 2 == 0 ? new MemWrite(0, i % 16, 0xE000_0000L + 4L * i, 0xF, 0, new byte[4])
                        : new MemRead(0, (i * 7) % 16, 0xE000_0000L, 1, 0xF, 0);
                sent.add(t);
                host.send(t);
            }
            for (Tlp t : sent) assertEquals(t, next(atDevice));
        }
    }

    /** libtlp's dma_read: a socket bound to 0x3000+tag and connected to the host's, which only hears replies from there. */
    @Test void aLibtlpStyleClientGetsItsCompletionFromTheSamePort() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             DatagramChannel client = DatagramChannel.open()) {
            host.handler(tlp -> {
                MemRead r = (MemRead) tlp;
                host.send(new Completion(0, CplStatus.SC, false, r.length() * 4, r.requester(), r.tag(), (int) (r.address() & 0x7C),
                        Attributes.DEFAULT, new byte[r.length() * 4]));
            });
            client.bind(new InetSocketAddress(DEVICE, 0x3007)).connect(new InetSocketAddress(HOST, 0x3007));
            client.write(ByteBuffer.wrap(NetTlpCodec.encode(0, 0, new MemRead(0x0100, 7, 0x2000, 4, 0xF, 0xF))));
            Completion c = (Completion) NetTlpCodec.decode(receive(client)).tlp();
            assertEquals(7, c.tag());
            assertEquals(16, c.byteCount());
        }
    }

    /** One datagram, or a failure after {@link #WAIT_S} (the socket adaptor honours the timeout; a channel read would not). */
    private static byte[] receive(DatagramChannel c) throws IOException {
        c.configureBlocking(true);
        java.net.DatagramSocket s = c.socket();
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_S));
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[8192], 8192);
        s.receive(p);
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    @Test void aTlpOnAPortThatDoesNotCarryItsDirectionIsDropped() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             DatagramChannel client = DatagramChannel.open()) {
            host.handler(into(atHost));
            client.bind(new InetSocketAddress(DEVICE, 0x4002)).connect(new InetSocketAddress(HOST, 0x4002));
            // a request on an MMIO port: the host issues those, a device does not
            client.write(ByteBuffer.wrap(NetTlpCodec.encode(0, 0, new MemRead(0x0100, 2, 0x2000, 1, 0xF, 0))));
            client.write(ByteBuffer.wrap(new byte[] {0, 0, 0}));
            Await.until(() -> host.counters().get(NetTlpCounters.Event.WRONG_PORT) + host.counters().get(NetTlpCounters.Event.MALFORMED) >= 2,
                    "both refusals counted");
            assertTrue(atHost.isEmpty());
        }
    }

    @Test void messagingApiAnswersTheSender() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             DatagramChannel client = DatagramChannel.open()) {
            host.handler(into(atHost));
            host.messagingFacts(new MessagingApi.Facts(0xE010_0000L, 0x0100, List.of(new MessagingApi.MsixEntry(0xFEE0_0000L, 0x30))));
            client.connect(new InetSocketAddress(HOST, NetTlpPorts.MESSAGING)); // unbound, as libtlp's is
            assertEquals(0xE010_0000L, MessagingApi.bar4(ask(client, MessagingApi.BAR4_ADDRESS, 8)));
            assertEquals(0x0100, MessagingApi.deviceId(ask(client, MessagingApi.DEVICE_ID, 2)));
            assertEquals(0x30, MessagingApi.msix(ask(client, MessagingApi.MSIX_TABLE, 192)).getFirst().data());
            assertEquals(3, host.counters().get(NetTlpCounters.Event.MESSAGING_ANSWERED));
        }
    }

    private static byte[] ask(DatagramChannel c, int code, int expected) throws IOException {
        byte[] reply = ask(c, MessagingApi.request(code));
        assertEquals(expected, reply.length);
        return reply;
    }

    @Test void configApiReadsAndWritesTheAdaptersConfigSpace() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             DatagramChannel client = DatagramChannel.open()) {
            host.handler(into(atHost));
            client.bind(new InetSocketAddress(DEVICE, NetTlpPorts.CONFIG)).connect(new InetSocketAddress(HOST, NetTlpPorts.CONFIG));
            client.write(ByteBuffer.wrap(ConfigApi.encode(new ConfigApi.Packet(ConfigApi.WRITE, 0xF, 4, 0xF7C0_0000))));
            byte[] reply = ask(client, ConfigApi.encode(new ConfigApi.Packet(ConfigApi.READ, 0xF, 4, 0)));
            assertEquals(0xF7C0_0000, ConfigApi.decode(reply, 6).value());
            byte[] ids = ask(client, ConfigApi.encode(new ConfigApi.Packet(ConfigApi.READ, 0xF, 0, 0)));
            assertArrayEquals(new byte[] {0x3C, 0, 0x76, 0x37, 0x22, (byte) 0x80}, ids);
            assertEquals(1, host.counters().get(NetTlpCounters.Event.CONFIG_WRITE));
        }
    }

    private static byte[] ask(DatagramChannel c, byte[] request) throws IOException {
        c.write(ByteBuffer.wrap(request));
        return receive(c);
    }

    @Test void anInjectedDropIsCountedAndNothingArrives() throws Exception {
        try (NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
             NetTlpPort device = NetTlpPort.open(NetTlpPort.Role.DEVICE, DEVICE, HOST, deviceLoop)) {
            host.handler(into(atHost));
            device.handler(into(atDevice));
            device.dropBeforeSend(t -> t.tag() == 1);
            device.send(new MemRead(0x0100, 1, 0x1000, 1, 0xF, 0));
            MemRead kept = new MemRead(0x0100, 2, 0x1000, 1, 0xF, 0);
            device.send(kept);
            assertEquals(kept, next(atHost)); // the one after the drop arrives; the dropped one never does
            assertEquals(1, device.counters().get(NetTlpCounters.Event.INJECTED_DROP));
            assertEquals(0, host.counters().receivedOn(0x3001));
        }
    }

    @Test void bothSidesNeedTheirOwnAddress() {
        assertThrows(IllegalArgumentException.class, () -> NetTlpPort.open(NetTlpPort.Role.HOST, HOST, HOST, hostLoop));
    }

    @Test void aClosedPortTellsItsHandlerAndRefusesToSend() throws Exception {
        NetTlpPort host = NetTlpPort.open(NetTlpPort.Role.HOST, HOST, DEVICE, hostLoop);
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        host.handler(new TlpHandler() {
            @Override public void onTlp(Tlp tlp) {}

            @Override public void onLinkUp(long epoch) { events.add("up"); }

            @Override public void onLinkDown(String reason) { events.add("down"); }
        });
        host.close();
        assertEquals(List.of("up", "down"), List.copyOf(events));
        assertInstanceOf(RuntimeException.class, assertThrows(RuntimeException.class, () -> host.send(new MemRead(0, 1, 0, 1, 0xF, 0))));
    }
}
