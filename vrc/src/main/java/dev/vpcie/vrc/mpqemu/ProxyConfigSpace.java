package dev.vpcie.vrc.mpqemu;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.CapId;
import dev.vpcie.protocol.pci.PciConfig.Pcie;
import dev.vpcie.vrc.Bar;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote function's configuration space as QEMU's {@code x-pci-proxy-dev} and the guest
 * see it: 256 bytes of conventional PCI, mostly the function's own, with these bytes owned
 * by the bridge (as a per-byte mask of bits, {@link #owned}):
 *
 * <ul>
 *   <li>0x10..0x27, the BARs: shadow registers holding the guest's addresses. The function
 *       keeps the addresses the root complex assigned; accesses are translated. Every BAR is
 *       shown as 32-bit (the proxy mis-probes 64-bit BARs): a 64-bit BAR's upper half reads
 *       as an unimplemented BAR. An I/O BAR keeps bit 0 set whatever is written.</li>
 *   <li>0x28 CardBus CIS and 0x30 expansion ROM: zero (the proxy probes 0x28 as a BAR).</li>
 *   <li>0x34 and every visible capability's next pointer: the list without MSI and MSI-X,
 *       which cannot reach the guest through the proxy; Status bit 4 follows.</li>
 *   <li>0x3D Interrupt Pin: INTA when the function has any pin, the only line the proxy routes.</li>
 *   <li>PCI Express Device Control Max_Payload_Size: the root complex's setting, which its
 *       completions to the function depend on.</li>
 * </ul>
 *
 * Reads of owned-only bytes never reach the function; other reads get the owned bits laid
 * over. Writes to owned-only bytes stay here; others are forwarded with owned bits replaced.
 *
 * <p>Used by the bridge's one thread.
 */
public final class ProxyConfigSpace {
    private static final Logger log = LoggerFactory.getLogger(ProxyConfigSpace.class);
    public static final int SIZE = PciConfig.LEGACY_CONFIG_SPACE_SIZE;
    private static final long MAX_BAR_SIZE = 1L << 31;

    /** One BAR as presented: the remote BAR it stands for, its size and the low flag bits shown. */
    public record PresentedBar(int slot, Bar remote, long size, int flags) {
        public boolean io() { return (flags & PciConfig.Bar.IO_SPACE) != 0; }

        int addressMask() { return (int) ~(size - 1) & (io() ? PciConfig.Bar.IO_ADDRESS_MASK : PciConfig.Bar.MEMORY_ADDRESS_MASK); }
    }

    /** A BAR access translated: the remote BAR index and the offset inside it. */
    public record Hit(PresentedBar bar, long offset) {}

    private final ConfigPort port;
    private final PresentedBar[] slots = new PresentedBar[6];
    private final int[] shadow = new int[6];
    private final byte[] ownedValue = new byte[SIZE];
    private final int[] owned = new int[SIZE];
    private final List<Capability> visible;
    private final int payloadBits;

    /**
     * @param bars          the function's BARs as the root complex assigned them
     * @param capabilities  its capability lists (extended ones are ignored: 256 bytes only)
     * @param interruptPin  its Interrupt Pin (0 none)
     * @param maxPayloadSize the MPS the root complex programmed, in bytes
     */
    public ProxyConfigSpace(ConfigPort port, List<Bar> bars, List<Capability> capabilities, int interruptPin, int maxPayloadSize) {
        this.port = port;
        for (Bar b : bars) {
            if (!b.assigned()) continue;
            if (b.size() > MAX_BAR_SIZE || b.size() < (b.isMemory() ? 16 : 4)) {
                log.warn("BAR {} of {} bytes cannot be shown as a 32-bit BAR; the guest will not see it", b.index(), b.size());
                continue;
            }
            int flags = b.isMemory() ? (b.prefetchable() ? PciConfig.Bar.PREFETCHABLE : 0) : PciConfig.Bar.IO_SPACE;
            slots[b.index()] = new PresentedBar(b.index(), b, b.size(), flags);
            shadow[b.index()] = flags;
        }
        List<Capability> shown = new ArrayList<>();
        int pcie = -1;
        for (Capability c : capabilities) {
            if (c.extended() || c.offset() >= SIZE) continue;
            if (c.id() == CapId.MSI || c.id() == CapId.MSI_X) continue;
            shown.add(c);
            if (c.id() == CapId.PCI_EXPRESS) pcie = c.offset();
        }
        this.visible = List.copyOf(shown);
        this.payloadBits = Pcie.sizeEncoding(maxPayloadSize) << Pcie.DEVCTL_MAX_PAYLOAD_SHIFT;

        own(PciConfig.BAR0, 24, 0xFF);
        own(PciConfig.CARDBUS_CIS_POINTER, 4, 0xFF);
        own(PciConfig.EXPANSION_ROM_BASE, 4, 0xFF);
        own(PciConfig.CAPABILITIES_POINTER, 1, 0xFF);
        ownedValue[PciConfig.CAPABILITIES_POINTER] = (byte) (visible.isEmpty() ? 0 : visible.getFirst().offset());
        own(PciConfig.STATUS, 1, PciConfig.Status.CAPABILITIES_LIST);
        ownedValue[PciConfig.STATUS] = (byte) (visible.isEmpty() ? 0 : PciConfig.Status.CAPABILITIES_LIST);
        own(PciConfig.INTERRUPT_PIN, 1, 0xFF);
        ownedValue[PciConfig.INTERRUPT_PIN] = (byte) (interruptPin == 0 ? 0 : 1);
        for (int i = 0; i < visible.size(); i++) {
            int next = visible.get(i).offset() + 1;
            own(next, 1, 0xFF);
            ownedValue[next] = (byte) (i + 1 < visible.size() ? visible.get(i + 1).offset() : 0);
        }
        if (pcie >= 0) {
            own(pcie + Pcie.DEVICE_CONTROL, 1, Pcie.DEVCTL_MAX_PAYLOAD_MASK);
            ownedValue[pcie + Pcie.DEVICE_CONTROL] = (byte) payloadBits;
        }
    }

    private void own(int offset, int length, int mask) {
        for (int i = 0; i < length; i++) owned[offset + i] |= mask;
    }

    /** The BARs the guest sees, by slot (null where none). */
    public List<PresentedBar> bars() {
        List<PresentedBar> out = new ArrayList<>();
        for (PresentedBar b : slots) if (b != null) out.add(b);
        return out;
    }

    /** The capabilities the guest sees, in list order. */
    public List<Capability> visibleCapabilities() { return visible; }

    /** A guest read of {@code length} (1, 2, 4) aligned bytes at {@code offset}. */
    public int read(int offset, int length) {
        boolean allOwned = true;
        for (int i = 0; i < length; i++) allOwned &= owned[offset + i] == 0xFF;
        long value = allOwned ? 0 : port.read(offset, length);
        for (int i = 0; i < length; i++) {
            int o = offset + i, mask = owned[o];
            if (mask == 0) continue;
            int b = (int) (value >>> (8 * i)) & 0xFF;
            b = b & ~mask | ownedByte(o) & mask;
            value = value & ~(0xFFL << (8 * i)) | (long) b << (8 * i);
        }
        return (int) value;
    }

    /** A guest write; owned bytes are taken here, the rest forwarded with owned bits replaced. */
    public void write(int offset, int length, int value) {
        boolean forward = false;
        long out = value & 0xFFFF_FFFFL;
        for (int i = 0; i < length; i++) {
            int o = offset + i, mask = owned[o];
            int b = value >>> (8 * i) & 0xFF;
            if (o >= PciConfig.BAR0 && o < PciConfig.BAR0 + 24) writeBarByte(o, b);
            if (mask != 0xFF) forward = true;
            if (mask != 0) out = out & ~(0xFFL << (8 * i)) | (long) (b & ~mask | ownedByte(o) & mask) << (8 * i);
        }
        if (forward) port.write(offset, length, out);
    }

    private int ownedByte(int offset) {
        if (offset >= PciConfig.BAR0 && offset < PciConfig.BAR0 + 24) {
            int slot = (offset - PciConfig.BAR0) >>> 2;
            return shadow[slot] >>> (8 * (offset & 3)) & 0xFF;
        }
        return ownedValue[offset] & 0xFF;
    }

    private void writeBarByte(int offset, int b) {
        int slot = (offset - PciConfig.BAR0) >>> 2, shift = 8 * (offset & 3);
        PresentedBar bar = slots[slot];
        if (bar == null) return;
        int merged = shadow[slot] & ~(0xFF << shift) | b << shift;
        shadow[slot] = merged & bar.addressMask() | bar.flags();
    }

    /** The guest's address of a presented BAR (0 until the guest assigns it). */
    public long guestAddress(PresentedBar bar) {
        return shadow[bar.slot()] & bar.addressMask() & 0xFFFF_FFFFL;
    }

    /** The presented BAR decoding all of {@code [address, address + length)} in memory or I/O space, or null. */
    public Hit decode(long address, int length, boolean memory) {
        for (PresentedBar b : slots) {
            if (b == null || b.io() == memory) continue;
            long base = guestAddress(b);
            if (base == 0) continue;
            if (address >= base && address - base <= b.size() - length) return new Hit(b, address - base);
        }
        return null;
    }

    /** Back to the state after reset, as the guest sees it: BARs unassigned. */
    public void reset() {
        for (PresentedBar b : slots) if (b != null) shadow[b.slot()] = b.flags();
    }
}
