package dev.vpcie.protocol.link;

/**
 * Retransmission timeout from measured round trips, after Jacobson and Karels (as RFC 6298 puts
 * it): SRTT and RTTVAR are smoothed with gains 1/8 and 1/4, RTO = SRTT + 4·RTTVAR, clamped to
 * [min, max]. Each timeout doubles the RTO until an acknowledgement for new data resets it.
 * Callers feed only samples of TLPs sent once (Karn's rule).
 */
final class RttEstimator {
    private final long minRto, maxRto, initialRto;
    private long srtt, rttvar, rto;
    private boolean measured;
    private int backoff;

    RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs) {
        this.initialRto = Math.clamp(initialRtoNs, minRtoNs, maxRtoNs);
        this.minRto = minRtoNs;
        this.maxRto = maxRtoNs;
        this.rto = this.initialRto;
    }

    void sample(long rttNs) {
        if (rttNs < 0) return;
        if (!measured) {
            srtt = rttNs;
            rttvar = rttNs / 2;
            measured = true;
        } else {
            rttvar += (Math.abs(srtt - rttNs) - rttvar) / 4;
            srtt += (rttNs - srtt) / 8;
        }
        rto = Math.clamp(srtt + 4 * rttvar, minRto, maxRto);
        backoff = 0;
    }

    /** The RTO to use now, including the back-off of consecutive timeouts. */
    long rto() { return Math.min(maxRto, rto << Math.min(backoff, 20)); }

    void timedOut() { if (rto() < maxRto) backoff++; }

    /** New data was acknowledged: the path works, stop backing off. */
    void progress() { backoff = 0; }

    /** Smoothed RTT, 0 before the first sample. */
    long srtt() { return measured ? srtt : 0; }

    void reset() {
        measured = false;
        srtt = rttvar = 0;
        rto = initialRto;
        backoff = 0;
    }
}
