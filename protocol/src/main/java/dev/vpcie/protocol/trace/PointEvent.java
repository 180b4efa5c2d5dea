package dev.vpcie.protocol.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event per {@link TracePoint} a frame passes, with {@link System#nanoTime} beside JFR's own
 * clock: the built-in trace of both sides. {@code nanoTime} is CLOCK_MONOTONIC on Linux, one clock
 * for every process of the host, so an endpoint's and a VRC's traces taken on one machine line up.
 * Off unless a recording enables {@value #NAME} ({@code vpcie endpoint --trace FILE},
 * {@code vpcie vrc attach --trace FILE}), and then a cheap commit on the agent thread; off, a call
 * costs an allocation the JIT removes and a flag test. {@code vpcie trace FILE...} turns
 * recordings into the median time between points.
 */
@Name(PointEvent.NAME)
@Label("vpcie hop")
@Category("vpcie")
@Description("A frame passed a point inside the endpoint or the VRC")
@StackTrace(false)
@Enabled(false)
public final class PointEvent extends Event {
    /** The event's name; the name of the first endpoint-only traces, which still read. */
    public static final String NAME = "dev.vpcie.Hop";

    @Label("Hop")
    public String hop;

    @Label("Nano time")
    @Description("System.nanoTime() when the frame passed")
    public long nanoTime;

    /**
     * Loads and initialises the event class now. Whoever creates the first JFR event of a JVM
     * without a recording pays for JFR's set-up (the event class is instrumented as it loads):
     * tens of milliseconds. Paid by the first {@link #mark} on an agent thread, it stalled the
     * link for that long (a VRC's first DMA read answered ~80 ms late, after the device's
     * completion timeout). Call it where the agents are set up, before they carry traffic.
     */
    public static void load() {
        new PointEvent().isEnabled();
    }

    /** Records that a frame passed {@code point} now (when a recording wants it). */
    public static void mark(TracePoint point) {
        PointEvent e = new PointEvent();
        if (!e.isEnabled()) return;
        e.hop = point.name();
        e.nanoTime = System.nanoTime();
        e.commit();
    }
}
