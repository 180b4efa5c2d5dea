import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

/**
 * Prints the JDK modules the given jars use, comma-separated, for jlink: jdeps on each jar, in one
 * JVM. jdeps cannot analyse a modular jar whose descriptor requires a module that is not there
 * under that name (pcap4j 1.8 requires "slf4j.api", slf4j 2 is "org.slf4j"): for those, the JDK
 * modules their descriptor requires, the optional ("static") ones too: logback-classic's
 * configurator needs java.naming, which it declares static.
 *   java ModuleDeps.java JAR...
 */
public final class ModuleDeps {
    public static void main(String[] jars) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        Set<String> modules = new TreeSet<>();
        for (String jar : jars) {
            StringWriter out = new StringWriter();
            int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
                    "--multi-release", "25", "--ignore-missing-deps", "--print-module-deps", jar);
            if (rc == 0) {
                modules.addAll(Arrays.asList(out.toString().strip().split(",")));
            } else {
                descriptorRequires(Path.of(jar), modules);
            }
        }
        System.out.println(String.join(",", modules));
    }

    private static void descriptorRequires(Path jar, Set<String> into) {
        for (ModuleReference ref : ModuleFinder.of(jar).findAll()) {
            for (ModuleDescriptor.Requires r : ref.descriptor().requires()) {
                if (r.name().startsWith("java.") || r.name().startsWith("jdk.")) into.add(r.name());
            }
        }
    }
}
