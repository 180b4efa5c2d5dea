package dev.vpcie.cli;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Hex as people paste it: 32-bit words as a Linux AER log prints a Header Log
 * ({@code "TLP Header: 4a000001 01000004 ..."}, anything before the label is ignored, so a whole
 * log line works), or a plain hex string, with or without {@code 0x}, in one or many pieces.
 */
record HexInput(byte[] bytes, boolean headerLog) {
    private static final String AER_LABEL = "tlp header:";

    /** Parses the arguments; a bad one gets an {@link IllegalArgumentException} that says which and why. */
    static HexInput parse(List<String> args) {
        String text = String.join(" ", args).trim();
        int label = text.toLowerCase(Locale.ROOT).indexOf(AER_LABEL);
        boolean headerLog = label >= 0;
        if (headerLog) text = text.substring(label + AER_LABEL.length()).trim();
        if (text.isEmpty()) throw new IllegalArgumentException("no hex given" + (headerLog ? " after 'TLP Header:'" : ""));
        StringBuilder hex = new StringBuilder();
        for (String token : text.split("\\s+")) {
            String digits = token.startsWith("0x") || token.startsWith("0X") ? token.substring(2) : token;
            if (digits.isEmpty()) throw new IllegalArgumentException("'" + token + "' has no hex digits");
            for (int i = 0; i < digits.length(); i++)
                if (Character.digit(digits.charAt(i), 16) < 0)
                    throw new IllegalArgumentException("'" + token + "' is not hex (character '" + digits.charAt(i) + "')");
            if ((digits.length() & 1) != 0)
                throw new IllegalArgumentException("'" + token + "' has an odd number of hex digits (" + digits.length()
                        + "): give whole bytes, e.g. 32-bit words like 4a000001");
            hex.append(digits);
        }
        return new HexInput(HexFormat.of().parseHex(hex), headerLog);
    }
}
