package dev.vpcie.protocol.transport;

import java.io.IOException;

/**
 * A network interface as the kernel names it in the calling thread's network namespace: its
 * index ({@code if_nametoindex}), hardware address and MTU (interface ioctls). Any interface is
 * found, with or without an IP address. Not from {@code /sys/class/net}: sysfs shows the
 * namespace it was mounted in, not the one a thread switched into.
 */
public record NetDevice(String name, int index, MacAddress mac, int mtu) {

    /** Longest interface name Linux accepts (IFNAMSIZ - 1). */
    public static final int MAX_NAME = 15;

    /**
     * Looks {@code name} up in the network namespace of the calling thread.
     *
     * @throws NoSuchInterfaceException when there is no such interface
     */
    public static NetDevice lookup(String name) throws IOException {
        checkName(name);
        return InterfaceIoctl.lookup(name, InterfaceNames.index(name));
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.contains("/") || name.chars().anyMatch(c -> c <= ' ' || c > '~'))
            throw new IllegalArgumentException("not an interface name: '" + name + "' (1.." + MAX_NAME + " printable ASCII characters, no '/' or spaces)");
    }

    /** The named interface does not exist (in this network namespace). */
    public static final class NoSuchInterfaceException extends IOException {
        public NoSuchInterfaceException(String name) {
            super("no such interface '" + name + "'");
        }
    }
}
