package dev.vpcie.cli;

import picocli.CommandLine;

/** {@code --version} / {@code -V} of every command: this build, then the Java runtime it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override public String[] getVersion() {
        return new String[] {
            Version.current().text(),
            "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}
