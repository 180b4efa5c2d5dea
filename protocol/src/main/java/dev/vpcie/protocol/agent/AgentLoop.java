package dev.vpcie.protocol.agent;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * Interim stand-in for the shared run-to-completion loop (same API; replaced by main's when it
 * lands): one thread runs every work each cycle, spins briefly when idle, then parks until the
 * earliest deadline or a wakeup. Descriptors are not polled here (watch is a no-op), so it
 * re-checks at least every millisecond while any descriptor is watched.
 */
public final class AgentLoop implements AutoCloseable {
    private static final long WATCH_RECHECK_NS = 1_000_000L;
    private final CopyOnWriteArrayList<AgentWork> works = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CopyOnWriteArrayList<Integer> fds = new CopyOnWriteArrayList<>();
    private final long spinNs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;

    private AgentLoop(String name, Duration spin) {
        this.spinNs = spin.toNanos();
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    public static AgentLoop start(String name) { return start(name, Duration.ofNanos(50_000)); }

    public static AgentLoop start(String name, Duration spin) {
        AgentLoop l = new AgentLoop(name, spin);
        l.thread.start();
        return l;
    }

    public void add(AgentWork w) { works.add(w); wakeup(); }

    public void remove(AgentWork w) { works.remove(w); wakeup(); }

    public void watch(int fd) { fds.add(fd); wakeup(); }

    public void unwatch(int fd) { fds.remove((Integer) fd); }

    public void execute(Runnable task) {
        if (!running) throw new RejectedExecutionException(thread.getName() + " is closed");
        tasks.add(task);
        wakeup();
    }

    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            execute(() -> {
                try {
                    f.complete(task.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    public boolean inLoop() { return Thread.currentThread() == thread; }

    public void wakeup() { if (sleeping) LockSupport.unpark(thread); }

    public long nowNs() { return System.nanoTime(); }

    public long cpuTimeNs() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.getThreadCpuTime(thread.threadId());
    }

    @Override public void close() {
        if (!running) return;
        running = false;
        LockSupport.unpark(thread);
        if (inLoop()) return;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long lastWork = System.nanoTime();
        while (running) {
            long now = nowNs();
            int work = 0;
            Runnable t;
            while ((t = tasks.poll()) != null) {
                work++;
                try { t.run(); } catch (RuntimeException e) { e.printStackTrace(); }
            }
            long deadline = Long.MAX_VALUE;
            for (AgentWork w : works) {
                try { work += w.doWork(now); } catch (RuntimeException e) { e.printStackTrace(); }
                deadline = Math.min(deadline, w.nextDeadlineNs());
            }
            if (work > 0) { lastWork = now; continue; }
            if (now - lastWork < spinNs) { Thread.onSpinWait(); continue; }
            if (!fds.isEmpty()) deadline = Math.min(deadline, now + WATCH_RECHECK_NS);
            sleeping = true;
            if (tasks.isEmpty() && running) {
                if (deadline == Long.MAX_VALUE) LockSupport.park(this);
                else if (deadline - now > 0) LockSupport.parkNanos(this, deadline - now);
            }
            sleeping = false;
        }
        for (AgentWork w : works) w.onClose();
        Runnable t;
        while ((t = tasks.poll()) != null) { try { t.run(); } catch (RuntimeException e) { e.printStackTrace(); } }
    }
}
