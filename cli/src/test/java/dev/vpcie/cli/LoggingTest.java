package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** -v/-q on every command, and VPCIE_LOG_LEVEL checked instead of silently meaning DEBUG. */
class LoggingTest {
    private Level before = Logging.level();

    @AfterEach void restore() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(before);
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    private static void setRoot(Level l) {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(l);
    }

    @Test void eachVRaisesTheLevelOneStepUpToTrace() {
        setRoot(Level.WARN);
        assertEquals(0, run("-v", "tlp", "decode", "00000001", "0100050f", "fedc0010"));
        assertEquals(Level.INFO, Logging.level());
        setRoot(Level.WARN);
        assertEquals(0, run("tlp", "decode", "-vv", "00000001", "0100050f", "fedc0010"));
        assertEquals(Level.DEBUG, Logging.level());
        setRoot(Level.WARN);
        assertEquals(0, run("tlp", "-vvvv", "decode", "00000001", "0100050f", "fedc0010"));
        assertEquals(Level.TRACE, Logging.level(), "more -v than levels stays at TRACE");
    }

    @Test void eachQLowersItDownToOff() {
        setRoot(Level.WARN);
        assertEquals(0, run("tlp", "decode", "-q", "00000001", "0100050f", "fedc0010"));
        assertEquals(Level.ERROR, Logging.level());
        setRoot(Level.WARN);
        assertEquals(0, run("-qqq", "tlp", "decode", "00000001", "0100050f", "fedc0010"));
        assertEquals(Level.OFF, Logging.level());
    }

    @Test void everyCommandTakesThem() {
        CommandLine cl = Main.commandLine();
        for (String path : new String[] {"", "tlp", "tlp decode", "vrc", "endpoint", "vrc config", "vrc mmio", "vrc bench", "vrc dmatest",
                "vrc attach", "vrc ping", "vrc vm"}) {
            CommandLine c = cl;
            for (String name : path.split(" ")) if (!name.isEmpty()) c = c.getSubcommands().get(name);
            assertNotNull(c.getCommandSpec().findOption("--verbose"), "vpcie " + path + " --verbose");
            assertNotNull(c.getCommandSpec().findOption("-q"), "vpcie " + path + " -q");
        }
        // lspci keeps -v for its own verbosity, as pciutils has it: vpcie vrc -v lspci raises the log level
        assertNull(cl.getSubcommands().get("vrc").getSubcommands().get("lspci").getCommandSpec().findOption("--verbose"));
    }

    @Test void anUnknownLevelInTheEnvironmentIsAUsageError() {
        assertNull(Logging.checkEnvironment(null));
        assertNull(Logging.checkEnvironment("trace"));
        assertNull(Logging.checkEnvironment("INFO"));
        assertEquals("VPCIE_LOG_LEVEL must be one of off, error, warn, info, debug, trace, not 'loud'", Logging.checkEnvironment("loud"));
        assertEquals(2, Main.run(new String[] {"tlp", "decode", "00000001", "0100050f", "fedc0010"}, "loud"));
        assertEquals(0, Main.run(new String[] {"tlp", "decode", "00000001", "0100050f", "fedc0010"}, "warn"));
    }
}
