package dev.vpcie.protocol.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * libpcap's {@code pcap_get_selectable_fd}, called through the FFM API: the descriptor a program
 * polls to learn that a capture has frames. pcap4j does not offer it, and without it the only way
 * to end a blocked read is {@code pcap_breakloop}, which on Linux throws away a frame that is
 * being delivered at that moment.
 */
final class PcapDescriptor {
    private PcapDescriptor() {}

    /** Sonames of libpcap on Debian (libpcap0.8) and elsewhere. */
    private static final List<String> LIBRARY_NAMES = List.of("libpcap.so.0.8", "libpcap.so.1", "libpcap.so");

    private static volatile MethodHandle getSelectableFd;

    /** The selectable descriptor of the capture {@code pcap} (a {@code pcap_t *}). */
    static int of(MemorySegment pcap) throws IOException {
        int fd;
        try {
            fd = (int) handle().invokeExact(pcap);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("pcap_get_selectable_fd downcall", t);
        }
        if (fd < 0) throw new IOException("pcap_get_selectable_fd: this capture has no descriptor to poll");
        return fd;
    }

    private static MethodHandle handle() throws IOException {
        MethodHandle h = getSelectableFd;
        if (h != null) return h;
        for (String name : LIBRARY_NAMES) {
            try {
                MemorySegment symbol = SymbolLookup.libraryLookup(name, Arena.global()).find("pcap_get_selectable_fd").orElse(null);
                if (symbol == null) continue;
                h = Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS));
                getSelectableFd = h;
                return h;
            } catch (IllegalArgumentException e) {
                // Not this name; try the next.
            }
        }
        throw new IOException("pcap: cannot find libpcap (tried " + String.join(", ", LIBRARY_NAMES) + "); Debian: apt-get install -y libpcap0.8");
    }
}
