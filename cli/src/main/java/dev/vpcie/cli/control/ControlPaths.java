package dev.vpcie.cli.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where a running VRC's control socket is: {@code /run/vpcie/<iface>-<group>.sock} for root,
 * {@code $XDG_RUNTIME_DIR/vpcie/...} for anyone else (the per-user runtime directory), so that a
 * command on the same host and interconnect finds it; in a network namespace of its own the name
 * ends in {@code -ns<inode>}. The system property
 * {@value #DIRECTORY_PROPERTY} overrides the directory (tests, so that parallel runs never meet).
 */
public final class ControlPaths {
    public static final String DIRECTORY_PROPERTY = "vpcie.control.dir";

    private ControlPaths() {}

    /** The socket of the VRC on {@code interconnect} (an interface name, or a UDP peer) in {@code group}. */
    public static Path socket(String interconnect, int group) {
        return directory(System.getenv(), EffectiveUser.isRoot()).resolve(safe(interconnect) + "-" + group + namespaceSuffix() + ".sock");
    }

    /**
     * Empty in the host's network namespace; {@code -ns} and the namespace's inode in any other.
     * The socket's directory is the same in every namespace, and two namespaces may each have an
     * {@code ic0} that are different interconnects. Read for the calling thread (a thread may
     * have switched namespace); when the host's cannot be read (not root), always given.
     */
    static String namespaceSuffix() {
        String mine = link("/proc/thread-self/ns/net");
        if (mine == null) return "";
        String host = link("/proc/1/ns/net");
        return mine.equals(host) ? "" : "-ns" + mine.replaceAll("\\D", "");
    }

    private static String link(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    static Path directory(Map<String, String> env, boolean root) {
        String override = System.getProperty(DIRECTORY_PROPERTY);
        if (override != null && !override.isBlank()) return Path.of(override);
        if (root) return Path.of("/run/vpcie");
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "vpcie");
        // No runtime directory (a su shell, a cron job): a directory of the user's own in /tmp.
        return Path.of(System.getProperty("java.io.tmpdir"), "vpcie-" + System.getProperty("user.name"));
    }

    /** A file name part: interface names may hold characters a path should not ("/" above all). */
    static String safe(String name) {
        StringBuilder s = new StringBuilder();
        for (char c : name.toCharArray()) s.append(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-' ? c : '_');
        return s.toString();
    }

    /**
     * Makes the socket's directory, readable by its owner only when we make it: a socket is
     * chmod'ed to 0600 just after bind, and the directory closes that window.
     */
    static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by another process at the same time: checked below like any other
            }
        }
        // In a shared place (/tmp) someone else may have made it first, to see or replace our socket.
        String me = System.getProperty("user.name"), owner = Files.getOwner(dir).getName();
        if (!owner.equals(me)) throw new IOException(dir + " belongs to " + owner + ", not to " + me + ": refusing to put a control socket there");
    }
}
