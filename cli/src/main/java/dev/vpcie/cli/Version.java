package dev.vpcie.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this build is: the pom's version and the git commit it was built from ("-dirty" when the
 * work tree had changes), written into {@code version.properties} by the build
 * ({@code cli/src/build/version-properties.sh}).
 */
public record Version(String version, String commit) {

    private static final String RESOURCE = "version.properties";

    /** This build's version; "unknown" parts when the classes were not built by Maven (an IDE). */
    public static Version current() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
        return new Version(p.getProperty("version", "unknown"), p.getProperty("commit", "unknown"));
    }

    /** One line, as logs and {@code --version} print it: {@code vpcie 0.1.0 (commit 952d9c8a1b2c)}. */
    public String text() {
        return "vpcie " + version + " (commit " + commit + ")";
    }
}
