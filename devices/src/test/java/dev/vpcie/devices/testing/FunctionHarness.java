package dev.vpcie.devices.testing;

import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.TimerQueue;
import dev.vpcie.protocol.pci.PciConfig;

/**
 * A single-threaded stand-in for the endpoint's FunctionHost: attaches a function to host memory,
 * recorded interrupts and a timer queue on a fake clock, assigns its BARs like enumeration does,
 * and runs its deferred work to completion.
 */
public final class FunctionHarness {
    public static final long HOST_BASE = 0x1_0000_0000L;
    public static final long MMIO_BASE = 0xE000_0000L;

    public final PcieFunction function;
    public final ConfigSpace config;
    public final FakeClock clock = new FakeClock(1_000_000_000L);
    public final TimerQueue timers = new TimerQueue(clock::nowNs);
    public final RecordingInterrupts interrupts = new RecordingInterrupts();
    public final Counters counters = new Counters();
    public final ByteArrayDmaPort host;

    public FunctionHarness(PcieFunction function, int hostBytes) {
        this.function = function;
        this.config = function.config();
        this.host = new ByteArrayDmaPort(HOST_BASE, hostBytes, config::busMasterEnabled);
        function.attach(new DeviceContext(function.name() + "0", host, interrupts, timers, counters));
    }

    /** Assigns every BAR from {@link #MMIO_BASE} upward (naturally aligned) and sets Memory Space and Bus Master Enable. */
    public FunctionHarness enumerate() {
        long next = MMIO_BASE;
        for (int i = 0; i < 6; i++) {
            Bar bar = config.bar(i);
            if (bar == null) continue;
            next = (next + bar.size() - 1) & -bar.size();
            int off = PciConfig.bar(i);
            config.writeDword(off, (int) next, 0xF);
            if (bar.registers() == 2) config.writeDword(off + 4, (int) (next >>> 32), 0xF);
            next += bar.size();
        }
        config.write(PciConfig.COMMAND, 2, PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE);
        return this;
    }

    public long read(int bar, long offset, int size) { return function.mmioRead(bar, offset, size); }

    public int read32(int bar, long offset) { return (int) function.mmioRead(bar, offset, 4); }

    public void write(int bar, long offset, int size, long value) { function.mmioWrite(bar, offset, size, value); }

    public void write32(int bar, long offset, int value) { function.mmioWrite(bar, offset, 4, value & 0xFFFF_FFFFL); }

    /** Completes DMA reads and runs due timer tasks until none is left, advancing the fake clock to each deadline; bounded. */
    public void runUntilIdle() {
        for (int rounds = 0; !timers.isEmpty() || host.inFlight() > 0; rounds++) {
            if (rounds > 1_000_000) throw new AssertionError("function never went idle");
            if (host.completeReads() > 0) continue;
            long next = timers.nextDeadlineNs();
            if (next > clock.nowNs()) clock.advance(next - clock.nowNs());
            timers.runExpired(clock.nowNs());
        }
    }

    /** Runs one round: the reads issued so far complete, then due tasks run, without advancing time. */
    public int runOnce() { return host.completeReads() + timers.runExpired(clock.nowNs()); }
}
