package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vrc config} in setpci's syntax: names, widths, masks, several operations per call. */
class VrcSetpciTest extends InMemoryVrcCommand {

    @Test void maskedWritesRoundTripWithinOneCall() {
        // enumeration left Memory Space and Bus Master on (0x0006)
        assertEquals(0, run("vrc", "--iface", "t", "config", "01:00.0", "COMMAND", "COMMAND=0x6:0x6", "COMMAND",
                "COMMAND=0x40:0x40", "command.w", "COMMAND=0:4", "COMMAND"), err.toString());
        assertEquals("0006\n0006\n0046\n0042\n", out.toString());
        assertEquals(0, run("vrc", "--iface", "t", "config", "-s", "01:00.0", "INTERRUPT_LINE=42", "INTERRUPT_LINE", "VENDOR_ID", "DEVICE_ID",
                "0x00.l", "3c.b"), err.toString());
        assertEquals("42\n8086\n100e\n100e8086\n42\n", out.toString());
    }

    @Test void theOriginalReadAndWriteFormsStillWork() {
        assertEquals(0, run("vrc", "--iface", "t", "config", "read", "01:00.0", "0x02.w"), err.toString());
        assertEquals("100e\n", out.toString());
    }

    @Test void parsesWhatSetpciAccepts() {
        Setpci.Op op = Setpci.parse("CAP_EXP+8.w=0x10:0x30,0x5");
        assertEquals(new Setpci.Register("CAP_EXP+8.w=0x10:0x30,0x5", 0x10, false, 8, 2), op.register());
        assertEquals(List.of(new Setpci.Write(0x10, 0x30), new Setpci.Write(5, 0xFFFF)), op.writes());
        assertEquals(new Setpci.Register("ecap_aer+4.L", 1, true, 4, 4), Setpci.parse("ecap_aer+4.L").register());
        assertEquals(new Setpci.Register("BASE_ADDRESS_1", -1, false, 0x14, 4), Setpci.parse("BASE_ADDRESS_1").register());
        assertEquals(new Setpci.Register("STATUS.b", -1, false, 6, 1), Setpci.parse("STATUS.b").register());
        assertTrue(Setpci.parse("COMMAND").isRead());
    }

    @Test void badOperationsAreUsageErrors() {
        for (String[] bad : new String[][] {{"0x10"}, {"CAP_EXP"}, {"CAP_NOPE+4.w"}, {"COMMAND=0x10000"}, {"0x11.w"}, {"COMMAND="}, {"10+4.w"}}) {
            String[] argv = new String[5 + bad.length];
            System.arraycopy(new String[] {"vrc", "--iface", "t", "config", "01:00.0"}, 0, argv, 0, 5);
            System.arraycopy(bad, 0, argv, 5, bad.length);
            assertEquals(2, run(argv), bad[0]);
            assertTrue(err.toString().contains(bad[0]), err.toString());
        }
    }

    @Test void aMissingCapabilityFailsPlainly() {
        assertEquals(1, run("vrc", "--iface", "t", "config", "01:00.0", "CAP_EXP+8.w"));
        assertTrue(err.toString().contains("vpcie: vrc config: 01:00.0 has no such capability: CAP_EXP+8.w"), err.toString());
    }
}
