package dev.vpcie.devices.spi;

import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The {@link Timers} of one function: a deadline-ordered queue run by its host, single-threaded,
 * time passed in. The host (the endpoint's FunctionHost, or a test) calls {@link #runExpired} with
 * the current time between events and sleeps at most until {@link #nextDeadlineNs}.
 *
 * <p>Not thread-safe: scheduling and running happen on the function's thread.
 */
public final class TimerQueue implements Timers {
    /** {@link #nextDeadlineNs} when nothing is scheduled. */
    public static final long NONE = Long.MAX_VALUE;

    private final LongSupplier clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;

    /** @param clock monotonic nanoseconds, e.g. {@code System::nanoTime}, or a test's fake clock */
    public TimerQueue(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public long nowNs() { return clock.getAsLong(); }

    @Override
    public Timer schedule(long delayNs, Runnable task) {
        if (delayNs < 0) throw new IllegalArgumentException("negative delay " + delayNs);
        long now = nowNs();
        long deadline = delayNs > NONE - 1 - now ? NONE - 1 : now + delayNs;
        Entry e = new Entry(deadline, sequence++, task);
        queue.add(e);
        return e;
    }

    /** The earliest deadline of a pending task, or {@link #NONE}. */
    public long nextDeadlineNs() {
        Entry head = queue.peek();
        return head == null ? NONE : head.deadline;
    }

    /** Whether a task is pending. */
    public boolean isEmpty() { return queue.isEmpty(); }

    /**
     * Runs, in deadline order, the tasks whose deadline is at or before {@code nowNs} and that
     * were scheduled before this call; tasks they schedule run on a later call, so a task that
     * reschedules itself with delay 0 cannot starve the host's other events.
     *
     * @return how many tasks ran
     */
    public int runExpired(long nowNs) {
        if (queue.isEmpty() || queue.peek().deadline > nowNs) return 0;
        ArrayList<Entry> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().deadline <= nowNs) due.add(queue.poll());
        int ran = 0;
        for (Entry e : due) {
            if (e.done) continue; // cancelled by a task that ran before it
            e.done = true;
            e.task.run();
            ran++;
        }
        return ran;
    }

    private final class Entry implements Timer, Comparable<Entry> {
        final long deadline;
        final long seq;
        final Runnable task;
        boolean done;

        Entry(long deadline, long seq, Runnable task) {
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            if (done) return false;
            done = true;
            queue.remove(this); // absent when already taken as due in a running runExpired
            return true;
        }

        @Override
        public boolean pending() { return !done; }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
