package dev.vpcie.endpoint.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.endpoint.Endpoint;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Link control over an endpoint hosting both NIC models, each wired to an echo peer. */
class LinkControlTest {
    private final List<Wire> wires = new ArrayList<>();
    private Endpoint endpoint;
    private LinkControl control;

    private void build(String... models) {
        Endpoint.Builder b = Endpoint.builder();
        List<Nic> nics = new ArrayList<>();
        for (int i = 0; i < models.length; i++) {
            Nic nic = Nic.create(models[i], MacAddress.parse("02:00:00:00:10:0" + i));
            Wire w = new EchoPeerWire(EchoPeerWire.parseAddress("10.0." + i + ".2"));
            nics.add(nic);
            wires.add(w);
            b.function(nic.function(), List.of(w));
        }
        endpoint = b.build();
        List<LinkControl.Port> ports = new ArrayList<>();
        for (int i = 0; i < models.length; i++) {
            wires.get(i).start(endpoint.function(i));
            ports.add(new LinkControl.Port(i, nics.get(i), wires.get(i), endpoint.function(i)));
        }
        control = new LinkControl(ports);
    }

    @AfterEach
    void close() {
        if (endpoint != null) endpoint.close();
        wires.forEach(Wire::close);
    }

    @Test
    void takesALinkDownAndBringsItBack() {
        build("e1000", "igb");
        assertEquals(List.of("link 00.1 igb: down (set down)"), control.execute("link 1 down"));
        List<String> status = control.status();
        assertTrue(status.get(0).startsWith("00.0 e1000 02:00:00:00:10:00  link up  wire echo peer 10.0.0.2"), status.get(0));
        assertTrue(status.get(1).startsWith("00.1 igb 02:00:00:00:10:01  link down (set down)  wire echo peer 10.0.1.2"), status.get(1));
        assertTrue(status.get(1).contains("(carrier): in 0, out 0"), status.get(1));
        assertEquals(List.of("link 00.1 igb: up"), control.execute("link 00.1 up"));
        assertEquals(List.of("link 00.0 e1000: down (set down)", "link 00.1 igb: down (set down)"), control.execute("  link all down "));
        assertEquals(List.of("link 00.0 e1000: up", "link 00.1 igb: up"), control.setAll(true));
    }

    @Test
    void mistakesGetAnAnswerNotAnException() {
        build("igb");
        assertEquals(List.of("no NIC at function '3' (NICs: 0)"), control.execute("link 3 down"));
        assertEquals(List.of("usage: link N down|up (N: 0 or all)"), control.execute("link 0 sideways"));
        assertEquals(List.of("usage: link N down|up (N: 0 or all)"), control.execute("link"));
        assertEquals(List.of("unknown command 'reboot'; commands: link N down|up, status, help"), control.execute("reboot"));
        assertEquals(List.of(), control.execute("   "));
        assertEquals(4, control.execute("help").size());
    }

    @Test
    void readsCommandsUntilTheInputEnds() throws Exception {
        build("e1000");
        List<String> out = new ArrayList<>();
        control.serve(new BufferedReader(new StringReader("link 0 down\nstatus\nlink 0 up\n")), out::add);
        assertEquals("link 00.0 e1000: down (set down)", out.get(0));
        assertTrue(out.get(1).startsWith("00.0 e1000 02:00:00:00:10:00  link down (set down)"), out.get(1));
        assertEquals("link 00.0 e1000: up", out.get(2));
    }

    @Test
    void withoutNicsItSaysSo() {
        control = new LinkControl(List.of());
        assertEquals(List.of("no NICs"), control.status());
        assertEquals(List.of("no NICs"), control.execute("link all down"));
    }
}
