package dev.vpcie.loopback.vm;

import dev.vpcie.devices.spi.EthernetPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The other end of QEMU's {@code -netdev socket,udp=…} (one Ethernet frame per UDP datagram on
 * the loopback interface) as an {@link EthernetPort}: lets an in-process peer sit on the wire of
 * QEMU's own NIC models, for baselines beside a remote NIC. The receiver runs on the wire's
 * reading thread.
 */
final class UdpFrameWire implements EthernetPort, AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress qemu;
    private final Thread reader;
    private volatile FrameReceiver receiver;

    /** Binds an ephemeral loopback port; QEMU must send to {@link #port()} and listen on {@link #qemuPort()}. */
    UdpFrameWire() throws IOException {
        channel = DatagramChannel.open().setOption(StandardSocketOptions.SO_REUSEADDR, true).bind(new InetSocketAddress("127.0.0.1", 0));
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            qemu = (InetSocketAddress) probe.getLocalAddress(); // free now; QEMU binds it at start
        }
        reader = Thread.ofPlatform().daemon().name("udp-frame-wire").start(this::read);
    }

    int port() throws IOException { return ((InetSocketAddress) channel.getLocalAddress()).getPort(); }

    int qemuPort() { return qemu.getPort(); }

    /** QEMU's option for a NIC on this wire. */
    String netdev(String id) throws IOException {
        return "socket,id=" + id + ",udp=127.0.0.1:" + port() + ",localaddr=127.0.0.1:" + qemuPort();
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try {
            while (channel.isOpen()) {
                buf.clear();
                channel.receive(buf);
                buf.flip();
                FrameReceiver r = receiver;
                if (r != null) r.receive(buf);
            }
        } catch (IOException closed) {
            // the wire was closed
        }
    }

    @Override public boolean send(ByteBuffer frame) {
        try {
            channel.send(frame, qemu);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override public void setReceiver(FrameReceiver receiver) { this.receiver = receiver; }

    @Override public boolean linkUp() { return true; }

    @Override public void setLinkListener(LinkListener listener) { }

    @Override public int maxFrameSize() { return 1514; }

    @Override public void close() throws IOException {
        channel.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
