package dev.vpcie.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.link.Announcement;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.Await;
import dev.vpcie.vrc.PcieDevice;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's group test (root only; skipped visibly otherwise): four VRCs and four endpoint
 * hosts of eight dmatest identities each, in four groups on one bridge. Each VRC enumerates
 * exactly its group's eight and its lspci shows exactly those; the switch keeps the other groups'
 * frames from the VRCs' ports, and the endpoints, whose ports carry every group, count the other
 * groups' broadcasts as refused. A ninth endpoint restarted with another group is seen by the
 * other group's VRC on its next discovery and no longer by the first.
 */
class GroupIsolationTest {
    static final int FIRST_GROUP = 21, GROUPS = 4, PER_GROUP = 8;
    static final Duration WINDOW = Duration.ofMillis(300), PATIENCE = Duration.ofSeconds(60);

    @Test
    void fourVrcsEachSeeOnlyTheirGroupsEight() throws Exception {
        String why = Fabric.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "scale test skipped: " + why);
        FabricLayout layout = FabricLayout.groups(FIRST_GROUP, GROUPS, PER_GROUP).withHost(new FabricLayout.Host(FIRST_GROUP, 1));
        List<AutoCloseable> started = new ArrayList<>();
        try (Fabric fabric = Fabric.create(layout)) {
            List<EndpointHost> hosts = new ArrayList<>();
            List<FabricVrc> vrcs = new ArrayList<>();
            try {
                for (int g = 0; g < GROUPS; g++) {
                    hosts.add(EndpointHost.start(fabric.host(g), FIRST_GROUP + g, PER_GROUP));
                    started.add(hosts.getLast());
                    vrcs.add(FabricVrc.start(fabric.vrc(g), FIRST_GROUP + g, 16L << 20));
                    started.add(vrcs.getLast());
                }
                for (int g = 0; g < GROUPS; g++) {
                    FabricVrc vrc = vrcs.get(g);
                    List<PcieDevice> devices = vrc.connectAndEnumerate(PER_GROUP, WINDOW, PATIENCE);
                    assertEquals(PER_GROUP, devices.size(), () -> "group " + vrc.group() + " enumerated " + devices + "\n" + fabric.vlans());
                    MacAddress own = hosts.get(g).links().getFirst().address();
                    assertTrue(vrc.rootComplex().links().stream().allMatch(l -> l.port().describe().startsWith(own.toString())),
                            () -> "group " + vrc.group() + " holds only its host's endpoints: " + vrc.rootComplex().links());
                    String listing = vrc.lspci();
                    assertEquals(PER_GROUP, listing.lines().count(), listing);
                }
                for (int g = 0; g < GROUPS; g++) {
                    assertEquals(0, vrcs.get(g).links().securityCounters().otherGroup(), "the switch keeps other groups off a VRC's port");
                    EndpointHost h = hosts.get(g);
                    Await.until(() -> h.otherGroupFrames() > 0, "the endpoints of group " + h.group() + " count the other groups' DISCOVERs", PATIENCE);
                }
                if (fabric.filter() == Fabric.Filter.NFTABLES)
                    assertTrue(fabric.framesFiltered() > 0, "the switch dropped other groups' frames at the VRCs' ports: " + fabric.vlans());

                // A ninth endpoint in the first group, then restarted in the second.
                Fabric.Port moverPort = fabric.host(GROUPS);
                MacAddress mover;
                try (EndpointHost first = EndpointHost.start(moverPort, FIRST_GROUP, 1)) {
                    mover = first.links().getFirst().address();
                    assertTrue(seenWithin(vrcs.get(0), mover), "the first group's VRC sees the new endpoint");
                    assertTrue(!seen(vrcs.get(1).discover(WINDOW), mover), "the second group's VRC does not");
                }
                try (EndpointHost moved = EndpointHost.start(moverPort, FIRST_GROUP + 1, 1)) {
                    assertTrue(seenWithin(vrcs.get(1), mover), "after the restart in group " + (FIRST_GROUP + 1) + " its VRC sees it");
                    assertTrue(!seen(vrcs.get(0).discover(WINDOW), mover), "and the first group's VRC no longer does");
                }
            } finally {
                for (AutoCloseable c : started.reversed()) c.close();
            }
        }
    }

    private static boolean seen(List<Announcement> found, MacAddress mac) { return found.stream().anyMatch(a -> a.address().equals(mac)); }

    /** Discovery rounds until {@code mac} answers, within {@link #PATIENCE}. */
    private static boolean seenWithin(FabricVrc vrc, MacAddress mac) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        do {
            if (seen(vrc.discover(WINDOW), mac)) return true;
        } while (System.nanoTime() - deadline < 0);
        return false;
    }
}
