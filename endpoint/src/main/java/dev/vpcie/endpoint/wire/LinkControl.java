package dev.vpcie.endpoint.wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The user's hands on the NICs' links while the endpoint runs: take a link down as pulling the
 * cable would, bring it back, and see how each NIC and its wire are doing. The driver on the VRC
 * sees each change as a Link Status Change interrupt.
 *
 * <h2>Commands</h2>
 * One per line (the endpoint reads them on standard input):
 * <pre>
 * link N down      take NIC function N's link down (N as in 00.N; "all" for every NIC)
 * link N up        let it come back (up once the wire has carrier)
 * status           one line per NIC: model, address, link, wire and its counters
 * help             this list
 * </pre>
 * Every change happens on the NIC's own function thread, after the work already queued there.
 */
public final class LinkControl {
    private static final long WAIT_SECONDS = 5;

    /**
     * One NIC under control.
     *
     * @param function       its function number (0..7)
     * @param nic            the model
     * @param wire           what its port 0 is plugged into
     * @param functionThread where the model's code runs (its {@code FunctionHost})
     */
    public record Port(int function, Nic nic, Wire wire, Executor functionThread) {
        public Port {
            Objects.requireNonNull(nic, "nic");
            Objects.requireNonNull(wire, "wire");
            Objects.requireNonNull(functionThread, "functionThread");
        }

        String label() { return String.format(Locale.ROOT, "00.%d %s", function, nic.model()); }
    }

    private final List<Port> ports;
    private final boolean[] administrativelyUp;

    public LinkControl(List<Port> ports) {
        this.ports = List.copyOf(ports);
        this.administrativelyUp = new boolean[this.ports.size()];
        java.util.Arrays.fill(administrativelyUp, true);
    }

    public List<Port> ports() { return ports; }

    /** Runs one command line and returns the lines to print (none for a blank line). */
    public List<String> execute(String line) {
        String[] words = line.trim().split("\\s+");
        if (words[0].isEmpty()) return List.of();
        return switch (words[0]) {
            case "link" -> link(words);
            case "status" -> words.length == 1 ? status() : List.of("usage: status");
            case "help", "?" -> help();
            default -> List.of("unknown command '" + words[0] + "'; commands: link N down|up, status, help");
        };
    }

    /** Reads commands from {@code in} until it ends, printing each reply through {@code out}. */
    public void serve(BufferedReader in, Consumer<String> out) throws IOException {
        for (String line; (line = in.readLine()) != null; ) execute(line).forEach(out);
    }

    /** Takes every NIC's link down or lets it come back; returns one line per NIC. */
    public List<String> setAll(boolean up) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) lines.add(setLink(i, up));
        return lines;
    }

    /** One line per NIC. */
    public List<String> status() {
        if (ports.isEmpty()) return List.of("no NICs");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            Port p = ports.get(i);
            String link = onFunctionThread(p, () -> describeLink(p, p.nic().linkUp()));
            lines.add(p.label() + " " + p.nic().macAddress() + "  link " + link + "  wire " + p.wire().describe() + " ("
                    + (p.wire().linkUp() ? "carrier" : "no carrier") + "): " + p.wire().counters());
        }
        return lines;
    }

    private List<String> link(String[] words) {
        if (words.length != 3 || !(words[2].equals("up") || words[2].equals("down"))) return List.of("usage: link N down|up (N: " + numbers() + " or all)");
        boolean up = words[2].equals("up");
        if (words[1].equals("all")) return ports.isEmpty() ? List.of("no NICs") : setAll(up);
        for (int i = 0; i < ports.size(); i++) {
            Port p = ports.get(i);
            if (words[1].equals(Integer.toString(p.function())) || words[1].equals("00." + p.function())) return List.of(setLink(i, up));
        }
        return List.of("no NIC at function '" + words[1] + "'" + (ports.isEmpty() ? "" : " (NICs: " + numbers() + ")"));
    }

    private String setLink(int index, boolean up) {
        Port p = ports.get(index);
        synchronized (administrativelyUp) {
            administrativelyUp[index] = up;
        }
        String result = onFunctionThread(p, () -> {
            p.nic().setLinkUp(up);
            return describeLink(p, p.nic().linkUp());
        });
        return "link " + p.label() + ": " + result;
    }

    private String describeLink(Port p, boolean phyUp) {
        if (phyUp) return "up";
        boolean admin;
        synchronized (administrativelyUp) {
            admin = administrativelyUp[ports.indexOf(p)];
        }
        return admin ? "down (no carrier on the wire)" : "down (set down)";
    }

    private String numbers() {
        return String.join(", ", ports.stream().map(p -> Integer.toString(p.function())).toList());
    }

    private static List<String> help() {
        return List.of("link N down   take NIC function N's link down (the driver sees LSC); N = 0..7 or all",
                "link N up     let it come back (up once the wire has carrier)",
                "status        NICs, their links and wires",
                "help          this list");
    }

    /** Runs {@code what} on the NIC's thread and waits for it, boundedly: the model is never touched from here. */
    private static String onFunctionThread(Port p, Supplier<String> what) {
        CompletableFuture<String> done = new CompletableFuture<>();
        p.functionThread().execute(() -> {
            try {
                done.complete(what.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "unknown (the function did not answer within " + WAIT_SECONDS + " s; the change is queued)";
        } catch (ExecutionException e) {
            return "failed: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
