package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.DmaBuffer;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.PcieDevice;
import java.lang.foreign.MemorySegment;

/**
 * A block of host memory allocated for one NIC and mapped for its DMA, nothing more: rings and
 * buffer pools each get their own, so the software IOMMU refuses the device anything else.
 */
final class DmaArea implements AutoCloseable {
    private final PcieDevice device;
    private final DmaBuffer buffer;
    private final DmaWindows.Mapping mapping;

    DmaArea(PcieDevice device, long length, long alignment) {
        this.device = device;
        this.buffer = device.rootComplex().hostMemory().allocate(length, alignment);
        DmaWindows.Mapping m;
        try {
            m = device.mapDma(buffer);
        } catch (RuntimeException e) {
            device.rootComplex().hostMemory().free(buffer);
            throw e;
        }
        this.mapping = m;
    }

    long busAddress() { return buffer.busAddress(); }

    long length() { return buffer.length(); }

    MemorySegment segment() { return buffer.segment(); }

    @Override public void close() {
        device.unmapDma(mapping);
        device.rootComplex().hostMemory().free(buffer);
    }
}
