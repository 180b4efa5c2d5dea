package dev.vpcie.protocol.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.transport.ErrnoException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {

    @Test
    void aCpuThatDoesNotExistFailsNamingTheCall() {
        // No machine that runs these tests has 1024 CPUs: the kernel refuses a mask of none it has.
        ErrnoException e = assertThrows(ErrnoException.class, () -> CpuAffinity.pinCurrentThread(CpuAffinity.MAX_CPUS - 1));
        assertTrue(e.getMessage().contains("sched_setaffinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(-1));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(CpuAffinity.MAX_CPUS));
    }

    @Test
    void aLoopIsPinnedOnItsOwnThreadAndReportsAFailure() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            int cpu = loop.call(AgentLoopCpu::current).get(5, java.util.concurrent.TimeUnit.SECONDS);
            loop.pinTo(cpu); // where it runs now is always allowed
            IOException e = assertThrows(IOException.class, () -> loop.pinTo(CpuAffinity.MAX_CPUS - 1));
            assertTrue(e.getMessage().contains("sched_setaffinity"), e.getMessage());
            loop.call(() -> null).get(5, java.util.concurrent.TimeUnit.SECONDS); // the loop runs on
        }
    }

    /** The CPU the calling thread runs on, from /proc (field 39 of its stat line). */
    private static final class AgentLoopCpu {
        static int current() throws IOException {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[36]); // fields after the command start at field 3: 39 - 3
        }
    }
}
