import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

/**
 * Prints the JDK modules the given jars use, comma-separated, for jlink. A modular jar says what
 * it requires in its descriptor: those JDK modules, the optional ("static") ones too (logback-classic's
 * configurator needs java.naming, which it declares static). jdeps could not analyse some of them
 * anyway: pcap4j 1.8 requires "slf4j.api", which slf4j 2 calls "org.slf4j". The plain jars go
 * through one jdeps run.
 *   java ModuleDeps.java JAR...
 */
public final class ModuleDeps {
    public static void main(String[] jars) {
        Set<String> modules = new TreeSet<>();
        List<String> plain = new ArrayList<>();
        for (String jar : jars) {
            if (!descriptorRequires(Path.of(jar), modules)) plain.add(jar);
        }
        if (!plain.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("--multi-release", "25", "--ignore-missing-deps", "--print-module-deps"));
            args.addAll(plain);
            StringWriter out = new StringWriter(), err = new StringWriter();
            int rc = ToolProvider.findFirst("jdeps").orElseThrow()
                    .run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
            if (rc != 0) throw new IllegalStateException("jdeps failed: " + err);
            modules.addAll(Arrays.asList(out.toString().strip().split(",")));
        }
        System.out.println(String.join(",", modules));
    }

    /** Adds what a modular jar's descriptor requires of the JDK; false for a plain (automatic) jar. */
    private static boolean descriptorRequires(Path jar, Set<String> into) {
        ModuleDescriptor descriptor = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        if (descriptor.isAutomatic()) return false;
        for (ModuleDescriptor.Requires r : descriptor.requires()) {
            if (r.name().startsWith("java.") || r.name().startsWith("jdk.")) into.add(r.name());
        }
        return true;
    }
}
