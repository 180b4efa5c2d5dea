package dev.vpcie.devices.dmatest;

import static dev.vpcie.devices.dmatest.DmaTestRegisters.*;
import static dev.vpcie.devices.testing.FunctionHarness.HOST_BASE;
import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.MsixCapability;
import dev.vpcie.devices.spi.DmaException;
import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.devices.testing.FunctionHarness;
import dev.vpcie.protocol.pci.CapabilityWalker;
import dev.vpcie.protocol.pci.PciConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DmaTestDeviceTest {
    private static final int HOST_BYTES = 20 << 20;
    private static final long SERIAL = 0x0200_00FF_FE00_0001L;

    private final DmaTestDevice device = new DmaTestDevice(DmaTestDevice.Options.defaults(SERIAL));
    private final FunctionHarness h = new FunctionHarness(device, HOST_BYTES).enumerate();
    private final byte[] host = h.host.memory;
    private final Random random = new Random(42);

    private void submit(Opcode op, long src, long dst, long len, int pattern, boolean irq, int vector, int tag) {
        h.write(0, SRC_LO, 8, src);
        h.write(0, DST_LO, 8, dst);
        h.write32(0, LENGTH, (int) len);
        h.write32(0, PATTERN, pattern);
        h.write32(0, DOORBELL, doorbell(op, irq, vector, tag));
    }

    private void submit(Opcode op, long src, long dst, long len) { submit(op, src, dst, len, 0, false, 0, 0); }

    private int reg(int offset) { return h.read32(0, offset); }

    private void randomize(int from, int len) {
        byte[] b = new byte[len];
        random.nextBytes(b);
        System.arraycopy(b, 0, host, from, len);
    }

    // ------------------------------------------------------------ identity

    @Test
    void identityBarsAndCapabilitiesAreAsDocumented() {
        ConfigSpace cs = device.config();
        assertEquals(0x1AF4, cs.vendorId());
        assertEquals(0x10F0, cs.deviceId());
        assertEquals(0x088000, cs.classCode());
        assertEquals(0x1AF4, cs.subsystemVendorId());
        assertEquals(1, cs.interruptPin());
        assertEquals(4096, cs.bar(0).size());
        assertEquals(1 << 20, cs.bar(2).size());
        assertTrue(cs.bar(2).prefetchable());
        assertEquals(2, cs.bar(2).registers());
        assertEquals(4096, cs.bar(4).size());
        assertNull(cs.bar(1));
        assertNull(cs.bar(5));
        CapabilityWalker.Walk walk = CapabilityWalker.all(cs);
        assertTrue(walk.defect().isEmpty());
        assertEquals(List.of("Power Management", "MSI", "MSI-X", "PCI Express", "Advanced Error Reporting", "Device Serial Number"),
                walk.capabilities().stream().map(c -> c.name()).toList());
        MsixCapability msix = cs.msix().orElseThrow();
        assertEquals(4, msix.tableSize());
        assertEquals(DmaTestDevice.MSIX_BAR, msix.tableBar());
        assertEquals(4, cs.msi().orElseThrow().vectorsCapable());
        assertEquals(512, cs.pciExpress().orElseThrow().maxPayloadSupported());
        assertEquals(4, cs.pciExpress().orElseThrow().linkWidth());
        assertTrue(cs.pciExpress().orElseThrow().flrCapable());
        assertEquals("dmatest", device.name());
    }

    @Test
    void readOnlyInformationRegisters() {
        assertEquals(ID_VALUE, reg(ID));
        assertEquals('D', (int) h.read(0, ID, 1), "ID bytes read 'DMT1' in address order");
        assertEquals(VERSION_VALUE, reg(VERSION));
        assertEquals(64, reg(QUEUE_DEPTH));
        assertEquals(1 << 20, reg(DEVMEM_SIZE));
        assertEquals(1 << 30, reg(MAX_LENGTH));
        assertEquals(0, reg(STATUS));
        assertEquals(64, reg(QUEUE_FREE));
        h.write32(0, ID, 0);
        assertEquals(ID_VALUE, reg(ID));
        assertEquals(1, device.registerCounters().get("read-only-register-writes"));
    }

    // ------------------------------------------------------------ data movement

    @ParameterizedTest(name = "copy {2} bytes from +{0} to +{1}")
    @CsvSource({"0,4096,1", "1,8195,2", "3,12289,3", "5,16385,7", "7,20481,63", "0,24576,64", "9,28673,65", "11,32771,4095",
            "0,65536,4096", "13,131073,4097", "1,262147,65535", "0,393216,65536", "17,524289,65537", "3,2097155,1048589",
            "5,9437187,8388608"})
    void copyMovesExactlyTheBytesAtAnyAlignment(int srcOff, int dstOff, int len) {
        randomize(srcOff, len);
        randomize(dstOff - 1, 1);
        randomize(dstOff + len, 1);
        byte before = host[dstOff - 1];
        byte after = host[dstOff + len];
        submit(Opcode.COPY, HOST_BASE + srcOff, HOST_BASE + dstOff, len);
        h.runUntilIdle();
        assertEquals(1, reg(COMPLETED));
        assertEquals(0, reg(FAILED));
        assertArrayEquals(Arrays.copyOfRange(host, srcOff, srcOff + len), Arrays.copyOfRange(host, dstOff, dstOff + len));
        assertEquals(before, host[dstOff - 1], "byte before the destination untouched");
        assertEquals(after, host[dstOff + len], "byte after the destination untouched");
        assertEquals(len, h.counters.get("bytes"));
        assertTrue(h.host.bytesRead >= len);
    }

    @ParameterizedTest(name = "fill {1} bytes at +{0}")
    @CsvSource({"1,1", "2,2", "3,3", "4097,4099", "7,65536", "65535,65537", "33,8388608"})
    void fillRepeatsThePatternFromTheDestinationStart(int dstOff, int len) {
        host[dstOff - 1] = 0x5A;
        host[dstOff + len] = 0x5A;
        int pattern = 0xA1B2C3D4;
        submit(Opcode.FILL, 0, HOST_BASE + dstOff, len, pattern, false, 0, 0);
        h.runUntilIdle();
        for (int i = 0; i < len; i++) {
            if (host[dstOff + i] != (byte) (pattern >>> (8 * (i & 3)))) fail("byte " + i + " of the fill is wrong");
        }
        assertEquals(0x5A, host[dstOff - 1]);
        assertEquals(0x5A, host[dstOff + len]);
    }

    @ParameterizedTest(name = "checksum {1} bytes at +{0}")
    @CsvSource({"1,1", "3,5", "4095,4097", "11,65537", "1,3000001", "0,8388608"})
    void checksumIsTheCrc32OfHostMemory(int off, int len) {
        randomize(off, len);
        CRC32 crc = new CRC32();
        crc.update(host, off, len);
        submit(Opcode.CHECKSUM, HOST_BASE + off, 0, len);
        h.runUntilIdle();
        assertEquals((int) crc.getValue(), reg(RESULT));
    }

    @Test
    void checksumOfAKnownString() {
        byte[] text = "123456789".getBytes();
        System.arraycopy(text, 0, host, 100, text.length);
        submit(Opcode.CHECKSUM, HOST_BASE + 100, 0, text.length);
        h.runUntilIdle();
        assertEquals(0xCBF43926, reg(RESULT), "the CRC-32 check value");
    }

    @ParameterizedTest(name = "through device memory: {2} bytes, device offset {1}")
    @CsvSource({"1,0,1", "3,1,2", "5,4093,9", "4096,3,65537", "7,5,1048571", "0,0,1048576"})
    void readToDeviceThenWriteFromDeviceRoundTrips(int srcOff, int devOff, int len) {
        randomize(srcOff, len);
        submit(Opcode.READ_TO_DEVICE, HOST_BASE + srcOff, devOff, len);
        h.runUntilIdle();
        byte[] viaMmio = new byte[len];
        device.mmioReadBlock(DmaTestDevice.MEMORY_BAR, devOff, viaMmio, 0, len);
        assertArrayEquals(Arrays.copyOfRange(host, srcOff, srcOff + len), viaMmio, "device memory holds the host bytes");

        int dstOff = 10 << 20 | 7;
        submit(Opcode.WRITE_FROM_DEVICE, devOff, HOST_BASE + dstOff, len);
        h.runUntilIdle();
        assertEquals(0, reg(FAILED));
        assertArrayEquals(Arrays.copyOfRange(host, srcOff, srcOff + len), Arrays.copyOfRange(host, dstOff, dstOff + len));
    }

    @Test
    void eightMebibytesThroughALargerDeviceMemory() {
        DmaTestDevice big = new DmaTestDevice(new DmaTestDevice.Options(16 << 20, 4096, SERIAL));
        FunctionHarness hb = new FunctionHarness(big, HOST_BYTES).enumerate();
        assertEquals(16 << 20, big.config().bar(2).size());
        assertEquals(4096, big.config().pciExpress().orElseThrow().maxPayloadSupported());
        int len = 8 << 20;
        new Random(7).nextBytes(hb.host.memory);
        hb.write(0, SRC_LO, 8, HOST_BASE + 1);
        hb.write(0, DST_LO, 8, 3);
        hb.write32(0, LENGTH, len);
        hb.write32(0, DOORBELL, doorbell(Opcode.READ_TO_DEVICE, false, 0, 1));
        hb.write(0, SRC_LO, 8, 3);
        hb.write(0, DST_LO, 8, HOST_BASE + (9 << 20) + 5);
        hb.write32(0, DOORBELL, doorbell(Opcode.WRITE_FROM_DEVICE, false, 0, 2));
        hb.runUntilIdle();
        assertEquals(2, hb.read32(0, COMPLETED));
        assertEquals(0, hb.read32(0, FAILED));
        assertArrayEquals(Arrays.copyOfRange(hb.host.memory, 1, 1 + len), Arrays.copyOfRange(hb.host.memory, (9 << 20) + 5, (9 << 20) + 5 + len));
    }

    @Test
    void dmaKeepsManyReadsInFlightAndServesMmioBetween() {
        int len = 1 << 20;
        randomize(0, len);
        submit(Opcode.COPY, HOST_BASE, HOST_BASE + (4 << 20), len);
        assertEquals(STATUS_BUSY, reg(STATUS), "queued counts as busy");
        h.runOnce();
        assertEquals(DmaTestEngine.READS_IN_FLIGHT, h.host.inFlight(), "many reads in flight at once, no stop-and-wait");
        assertEquals(0, h.host.bytesRead, "nothing is in before the completions");
        h.runOnce();
        assertEquals(STATUS_BUSY, reg(STATUS), "still running after the first reads landed");
        assertEquals((long) DmaTestEngine.READS_IN_FLIGHT * DmaTestEngine.READ_CHUNK, h.host.bytesRead);
        assertEquals(DmaTestEngine.READS_IN_FLIGHT, h.host.inFlight(), "each landed read issued the next");
        assertEquals(0, reg(COMPLETED));
        h.runUntilIdle();
        assertEquals(0, reg(STATUS));
        assertEquals(len / DmaTestEngine.READ_CHUNK, h.host.reads);
        assertFalse(device.busy());
        assertArrayEquals(Arrays.copyOfRange(h.host.memory, 0, len), Arrays.copyOfRange(h.host.memory, 4 << 20, (4 << 20) + len));
    }

    // ------------------------------------------------------------ the queue

    @Test
    void manyCommandsQueueRunInOrderAndOverflowIsReported() {
        h.write32(0, INT_ENABLE, INT_ALL);
        for (int i = 0; i < 64; i++) submit(Opcode.FILL, 0, HOST_BASE + 4096L * i, 4096, i, false, 0, i);
        assertEquals(0, reg(QUEUE_FREE));
        assertEquals(STATUS_BUSY | STATUS_QUEUE_FULL, reg(STATUS));
        submit(Opcode.FILL, 0, HOST_BASE + 4096L * 64, 4096, 0xEE, false, 3, 64);
        assertEquals(INT_OVERFLOW, reg(INT_STATUS));
        assertEquals(List.of(3), h.interrupts.raised, "overflow raises the dropped command's vector");
        assertEquals(1, h.counters.get("queue-overflows"));
        h.runUntilIdle();
        assertEquals(64, reg(COMPLETED));
        assertEquals(64, reg(QUEUE_FREE));
        for (int i = 0; i < 64; i++) assertEquals((byte) i, host[4096 * i + 4092], "fill " + i + " (pattern byte 0)");
        assertEquals(0, host[4096 * 64], "the overflowing command never ran");
    }

    @Test
    void theDoorbellSnapshotsTheStagingRegisters() {
        randomize(0, 64);
        submit(Opcode.COPY, HOST_BASE, HOST_BASE + 1000, 64);
        h.write(0, SRC_LO, 8, 0xDEAD_0000L);
        h.write32(0, LENGTH, 1);
        h.runUntilIdle();
        assertEquals(0, reg(FAILED));
        assertArrayEquals(Arrays.copyOfRange(host, 0, 64), Arrays.copyOfRange(host, 1000, 1064));
        assertEquals(0xDEAD_0000L, h.read(0, SRC_LO, 8), "staging registers read back");
        assertEquals(doorbell(Opcode.COPY, false, 0, 0), reg(DOORBELL));
    }

    @Test
    void nopsCompleteAndYieldBetweenSteps() {
        for (int i = 0; i < 64; i++) submit(Opcode.NOP, 0, 0, 0, 0, false, 0, i);
        h.runOnce();
        assertTrue(reg(COMPLETED) > 0 && reg(COMPLETED) < 64, "a step completes a bounded number of commands: " + reg(COMPLETED));
        h.runUntilIdle();
        assertEquals(64, reg(COMPLETED));
        assertEquals(0, h.host.reads + h.host.writes, "NOP moves nothing");
    }

    // ------------------------------------------------------------ errors

    @Test
    void aRefusedReadFailsTheCommandWithUnsupportedRequestAndTheNextOneRuns() {
        h.write32(0, INT_ENABLE, INT_ERROR | INT_DONE);
        h.host.refuse(HOST_BASE + (1 << 20), 4096);
        submit(Opcode.COPY, HOST_BASE + (1 << 20) - 100, HOST_BASE + (2 << 20), 200_000, 0, false, 1, 0x1234);
        submit(Opcode.FILL, 0, HOST_BASE + (3 << 20), 16, 0x01010101, true, 2, 7);
        h.runUntilIdle();
        assertEquals(2, reg(COMPLETED));
        assertEquals(1, reg(FAILED));
        int error = reg(ERROR);
        assertEquals(CompletionStatus.UNSUPPORTED_REQUEST.code, error & 0xFF);
        assertEquals(Opcode.COPY.code, error >>> 8 & 0xFF);
        assertEquals(0x1234, error >>> 16);
        assertEquals(INT_ERROR | INT_DONE, reg(INT_STATUS));
        assertEquals(List.of(1, 2), h.interrupts.raised, "errors raise the failed command's vector even without its IRQ flag");
        assertEquals(1, host[(3 << 20) + 15], "the next command ran");
        h.write32(0, ERROR, 0);
        assertEquals(0, reg(ERROR), "any write clears ERROR");
        assertEquals(1, h.counters.get("commands-failed"));
    }

    @Test
    void onlyTheFirstErrorIsKeptUntilCleared() {
        submit(Opcode.COPY, 0x10, HOST_BASE, 4, 0, false, 0, 1);
        submit(Opcode.CHECKSUM, 0x20, 0, 4, 0, false, 0, 2);
        h.runUntilIdle();
        assertEquals(2, reg(FAILED));
        assertEquals(1, reg(ERROR) >>> 16);
    }

    @Test
    void busMasterDisabledFailsWithItsOwnCode() {
        h.config.write(PciConfig.COMMAND, 2, PciConfig.Command.MEMORY_SPACE_ENABLE);
        submit(Opcode.FILL, 0, HOST_BASE, 4);
        h.runUntilIdle();
        assertEquals(CompletionStatus.BUS_MASTER_DISABLED.code, reg(ERROR) & 0xFF);
        assertEquals(0, host[0]);
    }

    @ParameterizedTest
    @CsvSource({"COMPLETER_ABORT,COMPLETER_ABORT", "COMPLETION_TIMEOUT,COMPLETION_TIMEOUT", "LINK_DOWN,LINK_DOWN"})
    void everyDmaFailureHasItsStatusCode(DmaException.Reason reason, CompletionStatus expected) {
        h.host.failNext(reason);
        submit(Opcode.CHECKSUM, HOST_BASE, 0, 100);
        h.runUntilIdle();
        assertEquals(expected.code, reg(ERROR) & 0xFF);
        assertEquals(expected, CompletionStatus.fromCode(reg(ERROR) & 0xFF));
        assertEquals(0, reg(RESULT), "no result from a failed checksum");
    }

    @Test
    void invalidCommandsFailWithoutTouchingMemory() {
        submit(Opcode.COPY, HOST_BASE, HOST_BASE + 100, 0, 0, false, 0, 1);
        h.write32(0, DOORBELL, 0xF | 2 << DOORBELL_TAG_SHIFT);
        submit(Opcode.READ_TO_DEVICE, HOST_BASE, (1 << 20) - 10, 11, 0, false, 0, 3);
        submit(Opcode.WRITE_FROM_DEVICE, -1L, HOST_BASE, 1, 0, false, 0, 4);
        submit(Opcode.FILL, 0, HOST_BASE, 16, 0, true, 4, 5);
        submit(Opcode.COPY, HOST_BASE, HOST_BASE + 100, (1 << 30) + 1, 0, false, 0, 6);
        h.write32(0, CPL_RING_SIZE, 8);
        h.write(0, CPL_RING_LO, 8, HOST_BASE + (1 << 20));
        h.runUntilIdle();
        assertEquals(6, reg(COMPLETED));
        assertEquals(6, reg(FAILED));
        assertEquals(0, h.host.reads);
        CompletionStatus[] expected = {CompletionStatus.BAD_LENGTH, CompletionStatus.BAD_OPCODE, CompletionStatus.BAD_DEVICE_RANGE,
                CompletionStatus.BAD_DEVICE_RANGE, CompletionStatus.BAD_VECTOR, CompletionStatus.BAD_LENGTH};
        for (int i = 0; i < 6; i++) {
            int rec = (1 << 20) + 16 * i;
            assertEquals(i + 1, host[rec] & 0xFF, "tag");
            assertEquals(expected[i].code, host[rec + 2], "status of command " + (i + 1));
        }
    }

    // ------------------------------------------------------------ interrupts

    @Test
    void messagesFollowIrqFlagAndEnableAndIntxIsALevel() {
        h.write32(0, INT_ENABLE, INT_DONE);
        submit(Opcode.NOP, 0, 0, 0, 0, true, 2, 1);
        h.runUntilIdle();
        assertEquals(List.of(2), h.interrupts.raised);
        assertTrue(h.interrupts.level, "INTx asserted while DONE is pending and enabled");
        h.write32(0, INT_STATUS, INT_DONE);
        assertFalse(h.interrupts.level, "W1C acknowledges and deasserts");
        assertEquals(0, reg(INT_STATUS));

        submit(Opcode.NOP, 0, 0, 0, 0, false, 3, 2);
        h.runUntilIdle();
        assertEquals(List.of(2), h.interrupts.raised, "no IRQ flag, no message");
        assertEquals(0, reg(INT_STATUS));

        h.write32(0, INT_ENABLE, 0);
        submit(Opcode.NOP, 0, 0, 0, 0, true, 1, 3);
        h.runUntilIdle();
        assertEquals(List.of(2), h.interrupts.raised, "cause disabled: no message");
        assertEquals(INT_DONE, reg(INT_STATUS), "but the cause is recorded");
        assertFalse(h.interrupts.level);
        h.write32(0, INT_ENABLE, INT_DONE);
        assertTrue(h.interrupts.level, "enabling a pending cause asserts INTx");
        assertEquals(List.of(2), h.interrupts.raised, "messages are sent at completion only");
        h.write(0, INT_STATUS, 1, INT_DONE);
        assertFalse(h.interrupts.level, "byte-wide acknowledge works too");
    }

    @Test
    void interruptArrivesAfterTheDataAndTheRecord() {
        h.write32(0, INT_ENABLE, INT_DONE);
        h.write32(0, CPL_RING_SIZE, 1);
        h.write(0, CPL_RING_LO, 8, HOST_BASE + 0x8000);
        int[] seenAtRaise = new int[2];
        h.interrupts.onRaise = v -> {
            seenAtRaise[0] = host[99];
            seenAtRaise[1] = u32(0x8000 + 8);
        };
        submit(Opcode.FILL, 0, HOST_BASE, 100, 0x11111111, true, 0, 9);
        h.runUntilIdle();
        assertEquals(List.of(0), h.interrupts.raised);
        assertEquals(0x11, seenAtRaise[0], "the data is in host memory when the vector is raised");
        assertEquals(1, seenAtRaise[1], "so is the completion record");
    }

    // ------------------------------------------------------------ completion ring

    @Test
    void completionRecordsWrapAroundTheRing() {
        int ring = 0x10_0000;
        h.write32(0, CPL_RING_SIZE, 4);
        h.write32(0, CPL_RING_LO, (int) ((HOST_BASE + ring) | 0xF));
        h.write32(0, CPL_RING_HI, (int) ((HOST_BASE + ring) >>> 32));
        assertEquals((int) (HOST_BASE + ring), reg(CPL_RING_LO), "low 4 bits read 0");
        randomize(0, 1000);
        CRC32 crc = new CRC32();
        crc.update(host, 0, 1000);
        for (int i = 0; i < 5; i++) submit(Opcode.NOP, 0, 0, 0, 0, false, 0, 100 + i);
        submit(Opcode.CHECKSUM, HOST_BASE, 0, 1000, 0, false, 0, 0xBEEF);
        h.runUntilIdle();
        // sequences 1..6 land in slots 0,1,2,3,0,1: slot 0 holds #5, slot 1 holds #6
        assertEquals(104, u16(ring), "tag of #5");
        assertEquals(5, u32(ring + 8), "sequence of #5");
        assertEquals(0xBEEF, u16(ring + 16));
        assertEquals(CompletionStatus.OK.code, host[ring + 16 + 2]);
        assertEquals(Opcode.CHECKSUM.code, host[ring + 16 + 3]);
        assertEquals((int) crc.getValue(), u32(ring + 16 + 4));
        assertEquals(6, u32(ring + 16 + 8));
        assertEquals(1000, u32(ring + 16 + 12), "bytes moved");
        assertEquals(103, u16(ring + 48), "#4 in the last slot");
    }

    @Test
    void badRingSizesAreRefusedAndCounted() {
        h.write32(0, CPL_RING_SIZE, 3);
        assertEquals(0, reg(CPL_RING_SIZE));
        h.write32(0, CPL_RING_SIZE, 8192);
        assertEquals(0, reg(CPL_RING_SIZE));
        h.write32(0, CPL_RING_SIZE, 4096);
        assertEquals(4096, reg(CPL_RING_SIZE));
        assertEquals(2, h.counters.get("bad-completion-ring-sizes"));
    }

    @Test
    void aRingOutsideHostMemoryIsDroppedAndCountedLikeAnyPostedWrite() {
        h.write32(0, CPL_RING_SIZE, 2);
        h.write(0, CPL_RING_LO, 8, 0x10L);
        submit(Opcode.NOP, 0, 0, 0);
        h.runUntilIdle();
        assertEquals(1, h.host.droppedWrites, "the host drops the posted record; the device cannot know");
        assertEquals(0, reg(FAILED));
    }

    @Test
    void aRecordWriteThatFailsLocallyIsCountedAndNoted() {
        h.write32(0, CPL_RING_SIZE, 2);
        h.write(0, CPL_RING_LO, 8, HOST_BASE);
        h.write32(0, LENGTH, 0);
        h.write32(0, DOORBELL, doorbell(Opcode.NOP, false, 0, 77));
        h.host.failNext(DmaException.Reason.LINK_DOWN);
        h.runUntilIdle();
        assertEquals(1, h.counters.get("completion-record-writes-failed"));
        assertEquals(CompletionStatus.LINK_DOWN.code | 77 << 16, reg(ERROR));
    }

    // ------------------------------------------------------------ resets

    @Test
    void controlResetDropsCommandsAndRestoresRegisters() {
        h.write32(0, INT_ENABLE, INT_ALL);
        submit(Opcode.FILL, 0, HOST_BASE, 1 << 20, 0x77777777, true, 0, 1);
        submit(Opcode.FILL, 0, HOST_BASE, 16, 0x77777777, true, 0, 2);
        h.runOnce();
        h.write32(0, CONTROL, CONTROL_RESET);
        assertEquals(0, reg(STATUS));
        assertEquals(0, reg(CONTROL), "self-clearing");
        assertEquals(0, reg(INT_ENABLE));
        assertEquals(0, reg(LENGTH));
        h.runUntilIdle();
        assertEquals(0, reg(COMPLETED));
        assertEquals(0, host[(1 << 20) - 1], "the rest of the aborted fill never happened");
        assertFalse(h.interrupts.level);
    }

    @Test
    void functionLevelResetThroughConfigSpace() {
        var pcie = device.config().pciExpress().orElseThrow();
        pcie.setFunctionLevelResetHandler(() -> device.reset(ResetKind.FUNCTION_LEVEL));
        device.config().captureRoutingId(0x0100);
        h.write32(0, INT_ENABLE, INT_ALL);
        submit(Opcode.NOP, 0, 0, 0, 0, true, 0, 1);
        h.runUntilIdle();
        submit(Opcode.FILL, 0, HOST_BASE, 16);
        device.config().write(pcie.offset() + PciConfig.Pcie.DEVICE_CONTROL, 2, pcie.deviceControl() | PciConfig.Pcie.DEVCTL_INITIATE_FLR);
        assertEquals(0, device.config().command(), "config space back to defaults");
        assertEquals(0x0100, device.config().routingId(), "FLR keeps the captured bus/device");
        assertEquals(0, reg(COMPLETED));
        assertFalse(device.busy());
        assertFalse(h.interrupts.level);
        h.runUntilIdle();
        assertEquals(0, host[0]);
    }

    @Test
    void deviceMemorySurvivesResets() {
        h.write(DmaTestDevice.MEMORY_BAR, 0x100, 8, 0x0102030405060708L);
        device.reset(ResetKind.HOT);
        assertEquals(0x0102030405060708L, device.mmioRead(DmaTestDevice.MEMORY_BAR, 0x100, 8));
        assertEquals(ConfigSpace.NOT_CAPTURED, device.config().routingId());
    }

    // ------------------------------------------------------------ BARs 2 and 4

    @Test
    void deviceMemoryAtEveryWidth() {
        h.write(2, 0x10, 8, 0x8877665544332211L);
        assertEquals(0x11, h.read(2, 0x10, 1));
        assertEquals(0x4433, h.read(2, 0x12, 2));
        assertEquals(0x88776655L, h.read(2, 0x14, 4));
        assertEquals(0x8877665544332211L, h.read(2, 0x10, 8));
        h.write(2, 0x11, 1, 0xAA);
        h.write(2, 0x16, 2, 0xBBCC);
        assertEquals(0xBBCC6655_4433AA11L, h.read(2, 0x10, 8));
        byte[] block = new byte[13];
        Arrays.fill(block, (byte) 9);
        device.mmioWriteBlock(2, (1 << 20) - 13, block, 0, 13);
        assertEquals(0x0909, h.read(2, (1 << 20) - 2, 2));
        assertThrows(IllegalArgumentException.class, () -> h.read(2, 1 << 20, 1));
        assertThrows(IllegalArgumentException.class, () -> device.mmioReadBlock(2, (1 << 20) - 4, new byte[8], 0, 8));
        assertThrows(IllegalArgumentException.class, () -> h.read(1, 0, 4), "BAR1 is not a BAR of this device");
        assertThrows(IllegalArgumentException.class, () -> h.write(3, 0, 4, 0));
    }

    @Test
    void blockAccessToTheRegisterBarGoesThroughTheRegisters() {
        byte[] b = new byte[16];
        device.mmioReadBlock(0, ID, b, 0, 16);
        assertEquals('D', b[0]);
        assertEquals(64, b[QUEUE_DEPTH]);
        byte[] src = {1, 0, 0, 0, 2, 0, 0, 0};
        device.mmioWriteBlock(0, SRC_LO, src, 0, 8);
        assertEquals(0x2_0000_0001L, h.read(0, SRC_LO, 8));
    }

    @Test
    void msixTableLivesInBar4() {
        MsixCapability msix = device.config().msix().orElseThrow();
        h.write(4, 16 + 0, 8, 0xFEE0_0000L);
        h.write32(4, 16 + 8, 0x31);
        h.write32(4, 16 + 12, 0);
        assertEquals(0xFEE0_0000L, msix.entry(1).address());
        assertEquals(0x31, msix.entry(1).data());
        assertFalse(msix.entry(1).masked());
        msix.setPending(3, true);
        assertEquals(0b1000, h.read(4, DmaTestDevice.MSIX_PBA_OFFSET, 8));
        h.write(4, DmaTestDevice.MSIX_PBA_OFFSET, 8, 0);
        assertEquals(0, h.read(4, 0x400, 4), "between table and PBA: reads 0");
        h.write32(4, 0x400, 1);
        assertEquals(3, h.counters.get("msix-bar-other-accesses"), "PBA write and both gap accesses counted");
        assertTrue(msix.pending(3));
    }

    @Test
    void unknownRegistersAreCountedNotThrown() {
        assertEquals(0, reg(0x800));
        h.write32(0, 0xFFC, 1);
        assertEquals(1, device.registerCounters().get("unknown-register-reads"));
        assertEquals(1, device.registerCounters().get("unknown-register-writes"));
    }

    @Test
    void doorbellBeforeAttachIsAClearError() {
        DmaTestDevice detached = new DmaTestDevice(DmaTestDevice.Options.defaults(1));
        assertThrows(IllegalStateException.class, () -> detached.mmioWrite(0, DOORBELL, 4, 0));
        assertThrows(IllegalStateException.class, () -> h.function.attach(null));
        assertThrows(IllegalArgumentException.class, () -> new DmaTestDevice.Options(3000, 512, 1));
    }

    private int u16(int at) { return (host[at] & 0xFF) | (host[at + 1] & 0xFF) << 8; }

    private int u32(int at) { return u16(at) | u16(at + 2) << 16; }
}
