package dev.vpcie.devices.dmatest;

import static dev.vpcie.devices.dmatest.DmaTestRegisters.*;

import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.Timers;
import java.util.ArrayDeque;
import java.util.zip.CRC32;
import org.slf4j.Logger;

/**
 * The core of the DMA test device: BAR0 registers, the command queue and the engine that runs it.
 *
 * <p>Commands run one after the other. One that reads host memory (COPY, CHECKSUM,
 * READ_TO_DEVICE) keeps up to {@link #READS_IN_FLIGHT} reads of {@link #READ_CHUNK} bytes in
 * flight and moves each piece on when its handler runs (handlers come in issue order, so the
 * checksum and the copy see the bytes in order); the first failure completes the command with its
 * status, and the reads issued after it are ignored. Writes only (FILL, WRITE_FROM_DEVICE) are cut
 * into steps of at most {@link #CHUNK} bytes, each a timer task on the function's thread, so MMIO
 * accesses (a STATUS poll, more doorbells) interleave with long transfers.
 */
final class DmaTestEngine {
    /** Bytes moved per DmaPort call and per step. */
    static final int CHUNK = 64 * 1024;
    /** Bytes per DMA read of a command that reads host memory. */
    static final int READ_CHUNK = 16 * 1024;
    /** Reads a command keeps in flight at once. */
    static final int READS_IN_FLIGHT = 32;
    /** The engine's DMA stream (see DmaPort): one engine, one stream, its reads handed back in order. */
    private static final int STREAM = 0;
    /** Budget a command costs at least, so a queue of NOPs also yields between steps. */
    private static final int MIN_COMMAND_COST = 4096;

    private final byte[] memory;
    private final int vectors;
    final RegisterTable regs;
    private final ArrayDeque<Command> queue = new ArrayDeque<>(QUEUE_DEPTH_VALUE);
    /** Read buffers of {@link #READ_CHUNK} bytes not in flight. */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private final byte[] fillBuffer = new byte[CHUNK];
    private int fillPattern;
    private boolean fillReady;
    private final CRC32 crc = new CRC32();
    private final byte[] record = new byte[CPL_RECORD_SIZE];

    private DeviceContext context;
    private Logger log;
    private Counters.Counter commandsCounter;
    private Counters.Counter bytesCounter;
    private Counters.Counter failedCounter;
    private Counters.Counter overflowCounter;
    private Counters.Counter recordFailedCounter;
    private Counters.Counter badRingSizeCounter;
    private Timers.Timer stepTimer;

    private Command current;
    private Opcode currentOp;
    /** Bytes of the current command moved (for reads: whose handlers ran). */
    private long done;
    /** Bytes of the current command whose reads were issued. */
    private long issued;
    /** Reads of the current command in flight. */
    private int inFlight;
    /** Changes whenever the reads in flight stop mattering (a command failed, a reset): their handlers return at once. */
    private int epoch;

    DmaTestEngine(byte[] memory, int vectors) {
        this.memory = memory;
        this.vectors = vectors;
        this.regs = RegisterTable.builder("dmatest", REGS_SIZE)
                .reg(ID, "ID").readOnly(ID_VALUE)
                .reg(VERSION, "VERSION").readOnly(VERSION_VALUE)
                .reg(QUEUE_DEPTH, "QUEUE_DEPTH").readOnly(QUEUE_DEPTH_VALUE)
                .reg(DEVMEM_SIZE, "DEVMEM_SIZE").readOnly(memory.length)
                .reg(MAX_LENGTH, "MAX_LENGTH").readOnly(MAX_LENGTH_VALUE)
                .reg(STATUS, "STATUS").readOnly().read(i -> status())
                .reg(QUEUE_FREE, "QUEUE_FREE").readOnly().read(i -> QUEUE_DEPTH_VALUE - queue.size())
                .reg(COMPLETED, "COMPLETED").readOnly()
                .reg(FAILED, "FAILED").readOnly()
                .reg(ERROR, "ERROR").write((i, v) -> clearError())
                .reg(RESULT, "RESULT").readOnly()
                .reg(INT_STATUS, "INT_STATUS").w1c(INT_ALL).onWrite((i, v) -> updateLevel())
                .reg(INT_ENABLE, "INT_ENABLE").masked(INT_ALL).onWrite((i, v) -> updateLevel())
                .reg(SRC_LO, "SRC_LO").plain()
                .reg(SRC_HI, "SRC_HI").plain()
                .reg(DST_LO, "DST_LO").plain()
                .reg(DST_HI, "DST_HI").plain()
                .reg(LENGTH, "LENGTH").plain()
                .reg(PATTERN, "PATTERN").plain()
                .reg(DOORBELL, "DOORBELL").plain().onWrite((i, v) -> doorbell(v))
                .reg(CPL_RING_LO, "CPL_RING_LO").masked(~(CPL_RECORD_SIZE - 1))
                .reg(CPL_RING_HI, "CPL_RING_HI").plain()
                .reg(CPL_RING_SIZE, "CPL_RING_SIZE").write((i, v) -> setRingSize(v))
                .reg(CONTROL, "CONTROL").write((i, v) -> control(v))
                .build();
    }

    void attach(DeviceContext ctx) {
        this.context = ctx;
        this.log = ctx.log();
        Counters c = ctx.counters();
        commandsCounter = c.counter("commands");
        bytesCounter = c.counter("bytes");
        failedCounter = c.counter("commands-failed");
        overflowCounter = c.counter("queue-overflows");
        recordFailedCounter = c.counter("completion-record-writes-failed");
        badRingSizeCounter = c.counter("bad-completion-ring-sizes");
    }

    /** Aborts everything and restores the registers (CONTROL.RESET, FLR, hot reset). */
    void reset() {
        queue.clear();
        current = null;
        currentOp = null;
        done = 0;
        dropReads();
        if (stepTimer != null) stepTimer.cancel();
        stepTimer = null;
        regs.reset();
        updateLevel();
    }

    boolean busy() { return current != null || !queue.isEmpty(); }

    private int status() {
        return (busy() ? STATUS_BUSY : 0) | (queue.size() == QUEUE_DEPTH_VALUE ? STATUS_QUEUE_FULL : 0);
    }

    // ---------------------------------------------------------------- register actions

    private void doorbell(int value) {
        requireAttached();
        Command c = new Command(value, address(SRC_LO, SRC_HI), address(DST_LO, DST_HI),
                regs.get(LENGTH) & 0xFFFF_FFFFL, regs.get(PATTERN));
        if (queue.size() >= QUEUE_DEPTH_VALUE) {
            overflowCounter.increment();
            raiseCauses(INT_OVERFLOW, c);
            return;
        }
        queue.add(c);
        scheduleStep();
    }

    private long address(int lo, int hi) { return (regs.get(lo) & 0xFFFF_FFFFL) | (long) regs.get(hi) << 32; }

    private void setRingSize(int entries) {
        boolean valid = entries == 0 || (Integer.bitCount(entries) == 1 && entries <= CPL_RING_MAX);
        if (!valid) {
            if (badRingSizeCounter != null) badRingSizeCounter.increment();
            if (log != null) log.warn("{}: CPL_RING_SIZE {} is not 0 or a power of two up to {}; ring disabled", context.name(), entries, CPL_RING_MAX);
        }
        regs.set(CPL_RING_SIZE, valid ? entries : 0);
    }

    private void clearError() { regs.set(ERROR, 0); }

    private void control(int value) {
        if ((value & CONTROL_RESET) != 0) reset();
    }

    // ---------------------------------------------------------------- the engine

    private void scheduleStep() {
        if (stepTimer == null || !stepTimer.pending()) stepTimer = context.timers().schedule(0, this::step);
    }

    private void step() {
        stepTimer = null;
        int budget = CHUNK;
        while (budget > 0) {
            if (current == null) {
                Command next = queue.poll();
                if (next == null) break;
                budget -= MIN_COMMAND_COST;
                if (!start(next)) continue;
            }
            if (readsHost(currentOp)) {
                issueReads();
                return; // the handlers carry the command on
            }
            int n = (int) Math.min(CHUNK, current.length() - done);
            try {
                write(n);
                done += n;
                bytesCounter.add(n);
                budget -= n;
                if (done == current.length()) complete(CompletionStatus.OK);
            } catch (DmaException e) {
                failed(e);
            }
        }
        if (busy()) scheduleStep();
    }

    private static boolean readsHost(Opcode op) {
        return op == Opcode.COPY || op == Opcode.CHECKSUM || op == Opcode.READ_TO_DEVICE;
    }

    /** Issues reads of the current command until {@link #READS_IN_FLIGHT} are in flight or all are issued. */
    private void issueReads() {
        Command c = current;
        Opcode op = currentOp;
        int e = epoch;
        while (inFlight < READS_IN_FLIGHT && issued < c.length()) {
            long at = issued;
            int n = (int) Math.min(READ_CHUNK, c.length() - at);
            byte[] into = op == Opcode.READ_TO_DEVICE ? memory : spareBuffer();
            int off = op == Opcode.READ_TO_DEVICE ? (int) (c.dest() + at) : 0;
            issued += n;
            inFlight++;
            context.dma().read(STREAM, c.source() + at, into, off, n, failure -> readDone(e, at, into, n, failure));
        }
    }

    /** One read of the current command is over (handlers come in issue order, so {@code at} is where {@link #done} stands). */
    private void readDone(int e, long at, byte[] data, int n, DmaException failure) {
        if (e != epoch) return;
        inFlight--;
        if (failure != null) {
            failed(failure);
            scheduleStep();
            return;
        }
        Command c = current;
        try {
            switch (currentOp) {
                case COPY -> context.dma().write(c.dest() + at, data, 0, n);
                case CHECKSUM -> crc.update(data, 0, n);
                case READ_TO_DEVICE, NOP, FILL, WRITE_FROM_DEVICE -> { }
            }
        } catch (DmaException we) {
            failed(we);
            scheduleStep();
            return;
        }
        if (data != memory) spare.push(data);
        done += n;
        bytesCounter.add(n);
        if (done == c.length()) {
            complete(CompletionStatus.OK);
            if (busy()) scheduleStep();
        } else {
            issueReads();
        }
    }

    private byte[] spareBuffer() {
        byte[] b = spare.poll();
        return b != null ? b : new byte[READ_CHUNK];
    }

    private void failed(DmaException e) {
        log.debug("{}: {} tag {} failed after {} bytes: {}", context.name(), currentOp, current.tag(), done, e.getMessage());
        dropReads();
        complete(CompletionStatus.of(e.reason()));
    }

    /** The reads in flight no longer matter: their handlers will return at once. */
    private void dropReads() {
        epoch++;
        inFlight = 0;
        issued = 0;
    }

    /** Validates and begins {@code c}; returns false when it already completed (NOP or invalid). */
    private boolean start(Command c) {
        current = c;
        currentOp = Opcode.fromCode(c.opcodeCode());
        done = 0;
        issued = 0;
        inFlight = 0;
        CompletionStatus invalid = validate(c, currentOp);
        if (invalid != null) {
            complete(invalid);
            return false;
        }
        if (currentOp == Opcode.NOP) {
            complete(CompletionStatus.OK);
            return false;
        }
        if (currentOp == Opcode.CHECKSUM) crc.reset();
        if (currentOp == Opcode.FILL) prepareFill(c.pattern());
        return true;
    }

    private CompletionStatus validate(Command c, Opcode op) {
        if (op == null) return CompletionStatus.BAD_OPCODE;
        if (c.irq() && c.vector() >= vectors) return CompletionStatus.BAD_VECTOR;
        if (op == Opcode.NOP) return null;
        if (c.length() == 0 || c.length() > MAX_LENGTH_VALUE) return CompletionStatus.BAD_LENGTH;
        return switch (op) {
            case READ_TO_DEVICE -> inDeviceMemory(c.dest(), c.length()) ? null : CompletionStatus.BAD_DEVICE_RANGE;
            case WRITE_FROM_DEVICE -> inDeviceMemory(c.source(), c.length()) ? null : CompletionStatus.BAD_DEVICE_RANGE;
            case NOP, COPY, FILL, CHECKSUM -> null;
        };
    }

    private boolean inDeviceMemory(long offset, long length) {
        return Long.compareUnsigned(offset, memory.length) <= 0 && length <= memory.length - offset;
    }

    private void prepareFill(int pattern) {
        if (fillReady && fillPattern == pattern) return;
        for (int i = 0; i < CHUNK; i++) fillBuffer[i] = (byte) (pattern >>> (8 * (i & 3)));
        fillPattern = pattern;
        fillReady = true;
    }

    /** Writes the next {@code n} bytes of the current write-only command; {@code done} is a multiple of {@link #CHUNK}. */
    private void write(int n) throws DmaException {
        var dma = context.dma();
        Command c = current;
        switch (currentOp) {
            case FILL -> dma.write(c.dest() + done, fillBuffer, 0, n);
            case WRITE_FROM_DEVICE -> dma.write(c.dest() + done, memory, (int) (c.source() + done), n);
            case NOP, COPY, CHECKSUM, READ_TO_DEVICE -> throw new IllegalStateException(currentOp + " is not a write-only command");
        }
    }

    private void complete(CompletionStatus status) {
        Command c = current;
        Opcode op = currentOp;
        current = null;
        currentOp = null;
        boolean ok = status == CompletionStatus.OK;
        int result = ok && op == Opcode.CHECKSUM ? (int) crc.getValue() : 0;
        int completed = regs.get(COMPLETED) + 1;
        regs.set(COMPLETED, completed);
        commandsCounter.increment();
        if (ok) {
            if (op == Opcode.CHECKSUM) regs.set(RESULT, result);
        } else {
            regs.set(FAILED, regs.get(FAILED) + 1);
            failedCounter.increment();
            recordError(status, c);
        }
        writeCompletionRecord(c, status, result, completed);
        int causes = ok ? (c.irq() ? INT_DONE : 0) : INT_ERROR;
        raiseCauses(causes, c);
    }

    private void recordError(CompletionStatus status, Command c) {
        if (regs.get(ERROR) == 0) regs.set(ERROR, status.code | c.opcodeCode() << 8 | c.tag() << 16);
    }

    private void writeCompletionRecord(Command c, CompletionStatus status, int result, int sequence) {
        int entries = regs.get(CPL_RING_SIZE);
        if (entries == 0) return;
        long base = address(CPL_RING_LO, CPL_RING_HI);
        long slot = base + (long) CPL_RECORD_SIZE * ((sequence - 1) & (entries - 1));
        putShort(0, c.tag());
        record[2] = (byte) status.code;
        record[3] = (byte) c.opcodeCode();
        putInt(4, result);
        putInt(8, sequence);
        putInt(12, (int) done);
        try {
            context.dma().write(slot, record, 0, CPL_RECORD_SIZE);
        } catch (DmaException e) {
            recordFailedCounter.increment();
            log.debug("{}: completion record for tag {} not written: {}", context.name(), c.tag(), e.getMessage());
            recordError(CompletionStatus.of(e.reason()), c);
        }
    }

    private void putShort(int at, int v) {
        record[at] = (byte) v;
        record[at + 1] = (byte) (v >>> 8);
    }

    private void putInt(int at, int v) {
        for (int i = 0; i < 4; i++) record[at + i] = (byte) (v >>> (8 * i));
    }

    // ---------------------------------------------------------------- the interrupt funnel

    /** ORs {@code causes} into INT_STATUS; a message for {@code c}'s vector if any is enabled; the INTx level. */
    private void raiseCauses(int causes, Command c) {
        if (causes == 0) return;
        regs.setBits(INT_STATUS, causes);
        if ((causes & regs.get(INT_ENABLE)) != 0) context.interrupts().raise(c.vector() < vectors ? c.vector() : 0);
        updateLevel();
    }

    private void updateLevel() {
        if (context != null) context.interrupts().setLevel((regs.get(INT_STATUS) & regs.get(INT_ENABLE)) != 0);
    }

    private void requireAttached() {
        if (context == null) throw new IllegalStateException("dmatest: doorbell before attach");
    }
}
