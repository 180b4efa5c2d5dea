package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class IoWindowTest {
    private final int[] reads = new int[1];
    private final RegisterTable regs = RegisterTable.builder("test", 0x20000)
            .reg(0x0008, "STATUS").readOnly(0x80080783)
            .reg(0x0100, "RCTL").plain()
            .reg(0x4000, "COUNTER").read(i -> ++reads[0])
            .build();
    private final IoWindow window = new IoWindow(regs, 0x20000);
    private final Counters counters = new Counters();

    @Test
    void iodataReachesTheRegisterIoaddrSelects() {
        window.attach("test0", counters, LoggerFactory.getLogger("test"));
        window.write(IoWindow.IOADDR, 4, 0x0100);
        window.write(IoWindow.IODATA, 4, 0x1234_5678L);
        assertEquals(0x1234_5678, regs.get(0x0100));
        assertEquals(0x56, window.read(IoWindow.IODATA + 1, 1), "a byte access reaches the same byte of the register");
        window.write(IoWindow.IODATA + 2, 2, 0xBEEF);
        assertEquals(0xBEEF_5678, regs.get(0x0100));
        window.write(IoWindow.IOADDR, 4, 0x2_0008 | 3);
        assertEquals(0x80080783L, window.read(IoWindow.IODATA, 4), "IOADDR bits beyond the window and 1:0 ignored");
        assertEquals(0x2_000B, window.read(IoWindow.IOADDR, 4), "IOADDR reads back as written");
        window.write(IoWindow.IOADDR, 4, 0x4000);
        window.read(IoWindow.IODATA, 4);
        assertEquals(1, reads[0], "side effects happen once per access, as through BAR0");
    }

    @Test
    void reservedOffsetsReadZeroAndAreCounted() {
        window.attach("test0", counters, LoggerFactory.getLogger("test"));
        window.write(0x10, 4, 5);
        assertEquals(0, window.read(0x10, 4));
        assertEquals(2, counters.get(IoWindow.RESERVED_ACCESSES));
        window.write(IoWindow.IOADDR, 4, 0x100);
        window.reset();
        assertEquals(0, window.ioAddress());
    }
}
