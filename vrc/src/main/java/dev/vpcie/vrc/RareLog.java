package dev.vpcie.vrc;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A warning that may repeat at line rate (a misbehaving device hammering a refused address):
 * logged the first {@value #FIRST} times, then once every {@value #EVERY}, with the running count.
 */
final class RareLog {
    static final int FIRST = 10, EVERY = 1024;

    private final Logger log;
    private final AtomicLong seen = new AtomicLong();

    RareLog(Logger log) { this.log = log; }

    void warn(String format, Object... args) {
        long n = seen.incrementAndGet();
        if (n <= FIRST || n % EVERY == 0) {
            Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = n;
            log.warn(format + " (occurrence {})", withCount);
        }
    }
}
