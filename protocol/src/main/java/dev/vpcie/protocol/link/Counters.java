package dev.vpcie.protocol.link;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live counters behind {@link LinkCounters}: written only by the agent thread (a release
 * store, no read-modify-write), read from any thread.
 */
final class Counters {
    enum C {
        FRAMES_SENT, FRAMES_RECEIVED, TLPS_SENT, TLPS_RECEIVED, RETRANSMITS, TIMEOUTS, NAKS_SENT, NAKS_RECEIVED,
        ACKS_SENT, KEEPALIVES_SENT, DUPLICATES, OUT_OF_WINDOW, MALFORMED_FRAMES, MALFORMED_TLPS, FOREIGN_FRAMES,
        RESETS_SENT, SESSIONS_UP, SESSIONS_DOWN, HANDLER_ERRORS, SRTT_NANOS,
        // security (SecurityCounters)
        WRONG_TAG, CHALLENGES_SENT, TAKEOVERS_REFUSED, PEERS_REPLACED, UNAUTHENTICATED, BAD_ICV, ANNOUNCES_LIMITED, OTHER_GROUP
    }

    private final AtomicLongArray values = new AtomicLongArray(C.values().length);

    void inc(C c) { add(c, 1); }

    void add(C c, long n) {
        int i = c.ordinal();
        values.setRelease(i, values.getPlain(i) + n);
    }

    void set(C c, long v) { values.setRelease(c.ordinal(), v); }

    long get(C c) { return values.getAcquire(c.ordinal()); }

    LinkCounters snapshot() {
        return new LinkCounters(get(C.FRAMES_SENT), get(C.FRAMES_RECEIVED), get(C.TLPS_SENT), get(C.TLPS_RECEIVED),
                get(C.RETRANSMITS), get(C.TIMEOUTS), get(C.NAKS_SENT), get(C.NAKS_RECEIVED), get(C.ACKS_SENT),
                get(C.KEEPALIVES_SENT), get(C.DUPLICATES), get(C.OUT_OF_WINDOW), get(C.MALFORMED_FRAMES),
                get(C.MALFORMED_TLPS), get(C.FOREIGN_FRAMES), get(C.RESETS_SENT), get(C.SESSIONS_UP),
                get(C.SESSIONS_DOWN), get(C.HANDLER_ERRORS), get(C.SRTT_NANOS));
    }

    SecurityCounters security() {
        return new SecurityCounters(get(C.WRONG_TAG), get(C.CHALLENGES_SENT), get(C.TAKEOVERS_REFUSED),
                get(C.PEERS_REPLACED), get(C.UNAUTHENTICATED), get(C.BAD_ICV), get(C.ANNOUNCES_LIMITED), get(C.OTHER_GROUP));
    }
}
