package dev.vpcie.endpoint;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;
import java.util.ArrayDeque;

/**
 * The owning VRC's session as the functions see it, and the way out to it. Every session up and
 * every session down starts a new generation, so work that arrived in one session can tell that it
 * has ended ({@link #send} refuses to put an old session's completion into a new one, where its
 * tag would mean something else).
 *
 * <h2>Never waiting</h2>
 * {@link #send} runs on the endpoint's agent thread and never waits for the link's window: a TLP
 * that finds the window full (or others already waiting) joins a backlog that {@link #drain}
 * retries from the agent's duty cycle as ACKs open the window. The backlog is bounded by what
 * the endpoint lets in while it is {@link #congested}: the host stops running the functions'
 * timers and reading the NICs' wires (the kernel's socket buffers hold their frames), and past
 * {@link #LIMIT} the router drops non-posted requests it could not answer anyway
 * ({@link RouterEvent#BACKLOG_FULL}); what remains — completions of reads already in flight, the
 * MMIO answers of requests already accepted — is bounded by tags and the link's window.
 *
 * <p>The session (and its generation) may be read from any thread; it changes on the thread that
 * hears the link's events. The backlog is the agent thread's: an endpoint whose functions are
 * spread over several agents gives each agent a {@link #lane} of its own, a backlog on the same
 * session.
 */
final class Upstream {
    /** Backlog length from which the host holds back work that makes more traffic. */
    static final int HIGH_WATER = 256;
    /** Backlog length from which requests that would need an answer are dropped. */
    static final int LIMIT = 1024;

    /** One session: the port it runs on, the peer's epoch, and its generation. */
    record Session(TlpPort port, long epoch, int generation) {}

    /** The session state every lane shares. */
    private static final class Sessions {
        volatile Session session;
        volatile int generation;
    }

    private final Sessions sessions;
    // agent thread only
    private final ArrayDeque<Tlp> backlog = new ArrayDeque<>();
    private int backlogGeneration;
    private int maxBacklog;

    Upstream() { this(new Sessions()); }

    private Upstream(Sessions sessions) { this.sessions = sessions; }

    /** Another way out on the same sessions, with a backlog of its own: for another agent thread. */
    Upstream lane() { return new Upstream(sessions); }

    /** The session now up, or null. */
    Session session() { return sessions.session; }

    /** The generation now current (of the session up, or of the gap after one ended). */
    int generation() { return sessions.generation; }

    /** A session started on {@code port}; returns it. For every lane. */
    Session up(TlpPort port, long epoch) {
        synchronized (sessions) {
            Session s = new Session(port, epoch, ++sessions.generation);
            sessions.session = s;
            return s;
        }
    }

    /** The session ended; returns the generation that ended, or -1 if none was up. For every lane. */
    int down() {
        synchronized (sessions) {
            Session s = sessions.session;
            sessions.session = null;
            sessions.generation++;
            return s == null ? -1 : s.generation();
        }
    }

    /**
     * Sends {@code tlp} in session {@code generation}: now if the window has room and nothing waits,
     * else behind the backlog. Agent thread.
     *
     * @throws LinkDownException when that session is no longer up
     */
    void send(Tlp tlp, int generation) {
        Session s = sessions.session;
        if (s == null || s.generation() != generation) throw new LinkDownException("session " + generation + " has ended");
        if (backlogGeneration != generation) {
            backlog.clear(); // what waited for an ended session is dropped, as PCIe drops it on a link down
            backlogGeneration = generation;
        }
        if (backlog.isEmpty() && s.port().trySend(tlp)) return;
        backlog.addLast(tlp);
        maxBacklog = Math.max(maxBacklog, backlog.size());
    }

    /** Sends what waits while the window has room; returns how many went. Agent thread. */
    int drain() {
        if (backlog.isEmpty()) return 0;
        Session s = sessions.session;
        if (s == null || s.generation() != backlogGeneration) {
            backlog.clear();
            return 0;
        }
        int n = 0;
        try {
            while (!backlog.isEmpty() && s.port().trySend(backlog.peekFirst())) {
                backlog.pollFirst();
                n++;
            }
        } catch (LinkDownException e) {
            backlog.clear(); // the link noticed first; its onLinkDown follows
        }
        return n;
    }

    /** Whether the backlog is long enough that work making more traffic should wait. */
    boolean congested() { return backlog.size() >= HIGH_WATER; }

    /** Whether the backlog is at its limit: requests needing an answer are dropped. */
    boolean full() { return backlog.size() >= LIMIT; }

    /** TLPs waiting now, and the most that ever waited (for tests and status). */
    int backlog() { return backlog.size(); }

    int maxBacklog() { return maxBacklog; }
}
