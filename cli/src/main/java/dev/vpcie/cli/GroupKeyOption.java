package dev.vpcie.cli;

import picocli.CommandLine.Option;

/** {@code --group-key FILE}, the same on the endpoint and the VRC. */
final class GroupKeyOption {

    @Option(names = "--group-key", paramLabel = "FILE",
            description = "the group's pre-shared key (at least 16 bytes, e.g. head -c 32 /dev/urandom > FILE), the same file on "
                    + "the endpoint and the VRC: every frame is then authenticated and frames without the key are refused")
    String file;
}
