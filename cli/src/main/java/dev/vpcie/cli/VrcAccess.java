package dev.vpcie.cli;

import picocli.CommandLine;

/**
 * Parsing of the offsets, widths and values that {@code vrc config} and {@code vrc mmio} take,
 * in setpci's style: hex numbers ({@code 0x} optional), and an optional width suffix on the
 * offset, {@code .b} (1 byte), {@code .w} (2), {@code .l} (4) or {@code .q} (8).
 */
record VrcAccess(long offset, int width) {

    static VrcAccess parse(CommandLine cmd, String offsetText, Integer widthOption) {
        String text = offsetText.trim();
        int width = 4;
        int dot = text.lastIndexOf('.');
        if (dot >= 0) {
            width = switch (text.substring(dot + 1).toLowerCase()) {
                case "b" -> 1;
                case "w" -> 2;
                case "l" -> 4;
                case "q" -> 8;
                default -> throw new CommandLine.ParameterException(cmd, "width suffix must be .b, .w, .l or .q: " + offsetText);
            };
            text = text.substring(0, dot);
        }
        if (widthOption != null) {
            if (dot >= 0 && widthOption != width)
                throw new CommandLine.ParameterException(cmd, "--width " + widthOption + " contradicts the suffix of " + offsetText);
            width = widthOption;
        }
        if (width != 1 && width != 2 && width != 4 && width != 8)
            throw new CommandLine.ParameterException(cmd, "width must be 1, 2, 4 or 8 bytes: " + width);
        long offset = hex(cmd, text, "offset");
        if (offset < 0) throw new CommandLine.ParameterException(cmd, "offset must not be negative: " + offsetText);
        return new VrcAccess(offset, width);
    }

    static long hex(CommandLine cmd, String text, String what) {
        String t = text.trim().toLowerCase();
        if (t.startsWith("0x")) t = t.substring(2);
        try {
            if (t.isEmpty() || t.length() > 16) throw new NumberFormatException();
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, what + " must be a hex number (e.g. 0x10 or 10): '" + text + "'");
        }
    }

    /** A {@code bb:dd.f} argument; a malformed one is a usage error. */
    static int bdf(CommandLine cmd, String text) {
        try {
            return dev.vpcie.protocol.tlp.Bdf.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /** A value to write, checked to fit the width. */
    long value(CommandLine cmd, String text) {
        long v = hex(cmd, text, "value");
        if (width < 8 && (v >>> (8 * width)) != 0)
            throw new CommandLine.ParameterException(cmd, "value " + text + " does not fit in " + width + " byte(s)");
        return v;
    }

    String format(long value) { return String.format("%0" + (2 * width) + "x", value); }

    /** Status 0 for a successful access; otherwise says how it ended on stderr (one line) and returns 1. */
    static int report(CommandLine cmd, dev.vpcie.vrc.Outcome outcome, boolean write) {
        if (outcome.ok()) return 0;
        cmd.getErr().println("vpcie: vrc: the access failed: " + describe(outcome) + (write ? "" : "; the value shown is all-ones"));
        return 1;
    }

    private static String describe(dev.vpcie.vrc.Outcome o) {
        return switch (o) {
            case SUCCESS -> "success";
            case UNSUPPORTED_REQUEST -> "Unsupported Request (nothing decodes the address, or the function refused it)";
            case COMPLETER_ABORT -> "Completer Abort";
            case CONFIG_RETRY -> "the function kept answering Configuration Retry";
            case TIMEOUT -> "completion timeout";
            case LINK_DOWN -> "the link is down";
        };
    }
}
