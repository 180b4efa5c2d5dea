package dev.vpcie.endpoint;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.tlp.Tlp;

/**
 * The owning VRC's session as the functions see it: the port of the session now up, or none.
 * Every session up and every session down starts a new generation, so work that arrived in
 * one session can tell that it has ended ({@link #send} refuses to put an old session's
 * completion into a new one, where its tag would mean something else).
 *
 * <p>Thread-safe: the link thread changes the session, function threads send.
 */
final class Upstream {
    /** One session: the port it runs on, the peer's epoch, and its generation. */
    record Session(TlpPort port, long epoch, int generation) {}

    private volatile Session session;
    private int generation;

    /** The session now up, or null. */
    Session session() { return session; }

    /** The generation now current (of the session up, or of the gap after one ended). */
    synchronized int generation() { return generation; }

    /** A session started on {@code port}; returns it. */
    synchronized Session up(TlpPort port, long epoch) {
        Session s = new Session(port, epoch, ++generation);
        session = s;
        return s;
    }

    /** The session ended; returns the generation that ended, or -1 if none was up. */
    synchronized int down() {
        Session s = session;
        session = null;
        generation++;
        return s == null ? -1 : s.generation();
    }

    /**
     * Sends {@code tlp} in session {@code generation}; may block on the link's back-pressure.
     *
     * @throws LinkDownException when that session is no longer up
     */
    void send(Tlp tlp, int generation) throws InterruptedException {
        Session s = session;
        if (s == null || s.generation() != generation) throw new LinkDownException("session " + generation + " has ended");
        s.port().send(tlp);
    }

    /** Sends {@code tlp} in whatever session is up now. */
    void send(Tlp tlp) throws InterruptedException {
        Session s = session;
        if (s == null) throw new LinkDownException("no VRC session is up");
        s.port().send(tlp);
    }
}
