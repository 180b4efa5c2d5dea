package dev.vpcie.testsupport.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness's checks that need no privileges: they refuse bad input before running anything. */
class HarnessArgumentsTest {
    @Test
    void aNamespaceLabelMustBeShortLowercaseLettersAndDigits() {
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.create("Bad_Label"));
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.create(""));
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.create("a-very-long-label-indeed"));
    }

    @Test
    void aMissingToolSaysWhichPackageHasIt() {
        IOException e = assertThrows(IOException.class, () -> Command.run("vpcie-no-such-tool", "x"));
        assertTrue(e.getMessage().startsWith("cannot run 'vpcie-no-such-tool'"), e.getMessage());
    }

    @Test
    void aFailingToolIsQuotedWithItsExitCodeAndStderr() throws IOException {
        Command.Result r = Command.tryRun(null, List.of("sh", "-c", "echo out; echo why >&2; exit 3"));
        assertEquals(new Command.Result(3, "out\n", "why\n"), r);
        IOException e = assertThrows(IOException.class, () -> Command.run("sh", "-c", "echo why >&2; exit 3"));
        assertEquals("'sh -c echo why >&2; exit 3' failed (exit 3): why", e.getMessage());
    }

    @Test
    void standardInputReachesTheTool() throws IOException {
        assertEquals("hello\n", Command.run("hello\n", List.of("cat")));
    }

    @Test
    void rootIsReadFromTheProcessStatus() {
        assertEquals(NetNamespace.isRoot(), "root".equals(System.getProperty("user.name")));
    }
}
