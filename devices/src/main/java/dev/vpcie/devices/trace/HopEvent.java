package dev.vpcie.devices.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event per {@link Hop} a frame passes, with {@link System#nanoTime} beside JFR's own clock:
 * the endpoint's built-in trace. Off unless a recording enables {@value #NAME} (e.g.
 * {@code vpcie endpoint --trace FILE}), and then a cheap commit on the agent thread; off, a call
 * costs an allocation the JIT removes and a flag test. {@code vpcie trace FILE} turns a
 * recording into the median time between hops.
 */
@Name(HopEvent.NAME)
@Label("vpcie hop")
@Category("vpcie")
@Description("A frame passed a point inside the endpoint")
@StackTrace(false)
@Enabled(false)
public final class HopEvent extends Event {
    public static final String NAME = "dev.vpcie.Hop";

    @Label("Hop")
    public String hop;

    @Label("Nano time")
    @Description("System.nanoTime() when the frame passed")
    public long nanoTime;

    /** Records that a frame passed {@code hop} now (when a recording wants it). */
    public static void mark(Hop hop) {
        HopEvent e = new HopEvent();
        if (!e.isEnabled()) return;
        e.hop = hop.name();
        e.nanoTime = System.nanoTime();
        e.commit();
    }
}
