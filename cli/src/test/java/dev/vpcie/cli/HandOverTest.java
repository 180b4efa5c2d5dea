package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.cli.control.ControlClient;
import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.cli.control.ControlProtocol;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's hand-over, as users on two hosts do it: an 82576 endpoint (its wire leads to a
 * peer) and two VRC hosts, A and B, on one Linux bridge, each VRC a {@code vrc serve} process of
 * its own (B starts with no endpoint and pins the NIC to bus 05). A attaches the NIC in its VRC
 * ({@code attach --served}) and pings the peer; B cannot. A claims a second endpoint (dmatest)
 * mid-run: the NIC keeps its BDF and BARs and the ping goes on. Then A releases the NIC, B claims
 * it and attaches it, and pings: every ping of B's run is answered, A has no NIC any more and
 * its pings go nowhere. B restarted with the same {@code --bus} pin finds the NIC at the same BDF
 * and BARs. The time from {@code release} to B's first ping reply is printed (the
 * issue's target: under 3 s). Needs root.
 */
class HandOverTest {
    private static final String PEER_IP = "10.68.0.2", HOST_IP = "10.68.0.1";
    private static final MacAddress NIC_MAC = MacAddress.parse("02:15:00:00:00:01"), DMA_MAC = MacAddress.parse("02:15:00:00:00:02");

    @Test void aNicMovesFromHostAToHostBAndPingsFollowIt() throws Exception {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "hand-over over namespaces skipped: " + why);
        try (NetNamespace sw = NetNamespace.create("hosw"); NetNamespace hostA = NetNamespace.create("hoa");
             NetNamespace hostB = NetNamespace.create("hob"); NetNamespace ep = NetNamespace.create("hoep");
             NetNamespace ep2 = NetNamespace.create("hoep2"); NetNamespace peer = NetNamespace.create("hopeer");
             VethPair a = VethPair.create(hostA, sw); VethPair b = VethPair.create(hostB, sw);
             VethPair e = VethPair.create(ep, sw).macs(NIC_MAC.toString(), "02:15:00:00:01:01");
             VethPair e2 = VethPair.create(ep2, sw).macs(DMA_MAC.toString(), "02:15:00:00:01:02");
             VethPair wire = VethPair.create(ep, peer)) {
            sw.ip("link", "add", "br0", "type", "bridge");
            for (VethPair p : List.of(a, b, e, e2)) sw.ip("link", "set", p.nameB(), "master", "br0");
            sw.ip("link", "set", "br0", "up");
            peer.ip("addr", "add", PEER_IP + "/24", "dev", wire.nameB());
            try (VpcieProcess nic = VpcieProcess.start(ep, "endpoint", "--iface", e.nameA(), "--device", "igb", "--wire", wire.nameA())) {
              awaitReady(nic);
              try (VpcieProcess vrcA = VpcieProcess.start(hostA, "vrc", "--iface", a.nameA(), "serve")) {
                awaitServing(vrcA, "A");
                assertTrue(vrcA.output().contains("serving 1 function(s) (01:00.0)"), vrcA.output());
                try (VpcieProcess vrcB = VpcieProcess.start(hostB, "vrc", "--iface", b.nameA(), "--bus", NIC_MAC + "=5", "serve", "--no-endpoints")) {
                    awaitServing(vrcB, "B");
                    Path sockA = hostA.call(() -> ControlPaths.socket(a.nameA(), 0)), sockB = hostB.call(() -> ControlPaths.socket(b.nameA(), 0));

                    // Before: A has the NIC, B has nothing.
                    try (VpcieProcess attach = VpcieProcess.start(hostA, "vrc", "--iface", a.nameA(), "attach", "01:00.0", "--tap", "nic0", "--served")) {
                        assertEquals(0, attach.waitFor(), attach.output() + "\nA:\n" + vrcA.output());
                        assertTrue(attach.output().contains("bridged to nic0 in the running VRC"), attach.output());
                        System.out.print("A attach --served:\n" + attach.output());
                    }
                    hostA.ip("addr", "add", HOST_IP + "/24", "dev", "nic0");
                    awaitReply(hostA, Duration.ofSeconds(20), "host A's first ping");
                    assertTrue(pingAll(hostA, 5), "host A pings through the NIC");
                    assertFalse(ping(hostB), "host B has no NIC yet");

                    // A claims a new endpoint mid-run: nothing of the NIC moves.
                    String treeBefore = call(sockA, "tree").out();
                    String nicLines = function(treeBefore, "01:00.0");
                    assertTrue(nicLines.contains("BAR0 mem 0xe0000000 128K"), treeBefore);
                    try (VpcieProcess dma = VpcieProcess.start(ep2, "endpoint", "--iface", e2.nameA(), "--device", "dmatest")) {
                        awaitReady(dma);
                        Await.until(() -> call(sockA, "pool", "--wait-ms", "300").out().contains(DMA_MAC.toString()), "A's pool lists the dmatest endpoint", Duration.ofSeconds(60));
                        System.out.print("A pool:\n" + call(sockA, "pool", "--wait-ms", "300").out());
                        ControlProtocol.Response claim = call(sockA, "claim", "0", "--wait-ms", "1000"); // by pool's number: only the dmatest is free

                        assertEquals(0, claim.exit(), claim.err() + claim.out());
                        assertTrue(claim.out().startsWith("claimed " + DMA_MAC + "/"), claim.out());
                        assertTrue(claim.out().contains(": 02:00.0 "), claim.out());
                        String treeAfter = call(sockA, "tree").out();
                        assertEquals(nicLines, function(treeAfter, "01:00.0"), "the NIC's BDF and BARs are unchanged:\n" + treeBefore + "\n---\n" + treeAfter);
                        assertTrue(treeAfter.contains("[02] " + DMA_MAC), treeAfter);
                        System.out.print("A tree after the claim:\n" + treeAfter);
                        assertTrue(pingAll(hostA, 5), "host A's pings go on after the claim");
                        assertEquals(0, call(sockA, "release", "02:00.0").exit(), "the dmatest endpoint back to the pool");
                    }

                    // The hand-over.
                    long start = System.nanoTime();
                    ControlProtocol.Response release = call(sockA, "release", "01:00.0");
                    assertEquals(0, release.exit(), release.err());
                    assertTrue(release.out().startsWith("01:00.0: detached: NIC reset, nic0 removed\nreleased bus 01 (01:00.0)"), release.out());
                    long released = System.nanoTime();
                    ControlProtocol.Response claim = call(sockB, "claim", NIC_MAC.toString(), "--wait-ms", "5000");
                    assertEquals(0, claim.exit(), claim.err() + "\nB:\n" + vrcB.output() + "\nendpoint:\n" + nic.output());
                    assertTrue(claim.out().contains(": 05:00.0 "), "pinned to bus 05: " + claim.out());
                    long claimed = System.nanoTime();
                    ControlProtocol.Response attached = call(sockB, "attach", "05:00.0", "--tap", "nic0", "--served");
                    assertEquals(0, attached.exit(), attached.err() + "\nB:\n" + vrcB.output());
                    long up = System.nanoTime();
                    hostB.ip("addr", "add", HOST_IP + "/24", "dev", "nic0");
                    awaitReply(hostB, Duration.ofSeconds(20), "host B's first ping");
                    long replied = System.nanoTime();
                    System.out.printf("hand-over: release %d ms, claim %d ms, attach %d ms, first ping reply on host B %d ms after release "
                                    + "(target < 3000); load average %s%n", ms(released - start), ms(claimed - released), ms(up - claimed),
                            ms(replied - start), Files.readString(Path.of("/proc/loadavg")).strip());

                    System.out.print("A release:\n" + release.out() + "B claim:\n" + claim.out() + "B attach --served:\n" + attached.out()
                            + "B tree:\n" + call(sockB, "tree").out());
                    // After: B has the NIC, A has nothing.
                    assertTrue(pingAll(hostB, 10), "every ping of host B's run is answered");
                    assertFalse(hostA.exec("ip", "-o", "link").contains("nic0"), "host A's TAP is gone");
                    assertFalse(ping(hostA), "host A's pings go nowhere");
                    assertTrue(call(sockA, "tree").out().contains("(no endpoint"), "A holds nothing");
                    String treeB = call(sockB, "tree").out();
                    assertTrue(treeB.contains("[05] " + NIC_MAC), "B holds the NIC at bus 05:\n" + treeB);
                    assertEquals(0, vrcB.terminate(), vrcB.output());
                    assertTrue(vrcB.output().contains("stopped serving"), vrcB.output());

                    // B restarted with the same pin takes the (free again) NIC at the start: same BDF, same BARs.
                    try (VpcieProcess again = VpcieProcess.start(hostB, "vrc", "--iface", b.nameA(), "--bus", NIC_MAC + "=5", "serve")) {
                        awaitServing(again, "B restarted");
                        assertTrue(again.output().contains("serving 1 function(s) (05:00.0)"), again.output());
                        String treeAgain = call(sockB, "tree").out();
                        assertEquals(function(treeB, "05:00.0").lines().toList().getLast(), function(treeAgain, "05:00.0").lines().toList().getLast(),
                                "the same BARs after the restart:\n" + treeB + "---\n" + treeAgain);
                        assertEquals(0, again.terminate(), again.output());
                    }
                }
                assertEquals(0, vrcA.terminate(), vrcA.output());
              }
            }
        }
    }

    /** A function's line of {@code vrc tree} and its BAR line, without the tree's drawing. */
    private static String function(String tree, String bdf) {
        List<String> lines = tree.lines().map(l -> l.replaceFirst("^[\\s|+\\\\-]+", "")).toList();
        for (int i = 0; i + 1 < lines.size(); i++) if (lines.get(i).startsWith(bdf + " ")) return lines.get(i) + "\n" + lines.get(i + 1);
        throw new AssertionError("no " + bdf + " in\n" + tree);
    }

    private static void awaitReady(VpcieProcess endpoint) {
        Await.until(() -> endpoint.output().contains("endpoint ready") || !endpoint.alive(), "the endpoint starts", Duration.ofSeconds(120));
        assertTrue(endpoint.alive(), endpoint.output());
    }

    private static void awaitServing(VpcieProcess vrc, String who) {
        Await.until(() -> vrc.output().contains("Ctrl-C stops") || !vrc.alive(), "VRC " + who + " serves", Duration.ofSeconds(120));
        assertTrue(vrc.alive(), vrc.output());
    }

    private static ControlProtocol.Response call(Path socket, String... args) {
        try {
            return ControlClient.call(socket, List.of(args), Duration.ofMinutes(2)).orElseThrow(() -> new AssertionError("no VRC on " + socket));
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }

    /** One ping with a 1 s deadline: answered or not. */
    private static boolean ping(NetNamespace ns) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ns.command(List.of("ping", "-c", "1", "-W", "1", PEER_IP))).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Pings until one is answered, for at most {@code limit} (a NIC whose link comes up). */
    private static void awaitReply(NetNamespace ns, Duration limit, String what) throws IOException, InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!ping(ns)) if (System.nanoTime() > end) fail(what + ": no reply within " + limit.toSeconds() + " s");
    }

    /**
     * {@code count} pings 0.1 s apart (a deadline for slow replies): all answered, in one of two
     * runs? The NIC path loses a ping now and then on a loaded machine with no pool involved
     * (VethNicTest's system ping shows the same 51/50); a second run that loses nothing tells
     * that from a path that does not work.
     */
    private static boolean pingAll(NetNamespace ns, int count) throws IOException, InterruptedException {
        return pingRun(ns, count) || pingRun(ns, count);
    }

    private static boolean pingRun(NetNamespace ns, int count) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(ns.command(List.of("ping", "-c", "" + count, "-i", "0.1", "-w", "30", PEER_IP))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        boolean all = out.contains(count + " packets transmitted, " + count + " received");
        if (!all) System.out.println(out);
        return all;
    }

    private static long ms(long ns) { return ns / 1_000_000; }
}
