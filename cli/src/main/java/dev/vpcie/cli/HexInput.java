package dev.vpcie.cli;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hex as people paste it: a Linux AER Header Log ({@code "TLP Header: 4a000001 01000004 ..."};
 * anything before the label is ignored, so a whole log line or block works), or a plain hex
 * string, with or without {@code 0x}, in one or many pieces, separated by spaces or commas.
 *
 * <p>The AER forms the kernel prints: words as {@code %08x} or {@code %#010x} (which prints 0 as
 * {@code 0000000000}, without 0x), a trailing {@code E-E Prefixes: 0x...} list (End-End TLP
 * Prefixes, logged apart from the header), and {@code TLP Header (Flit): ...} with up to 14 words
 * for Flit mode, whose header layout vpcie does not decode.
 *
 * @param bytes     the header (and payload, without a label) bytes
 * @param headerLog a labelled Header Log: only the header was logged
 * @param flit      a Flit mode header log
 * @param prefixes  the End-End TLP Prefix words logged with it, if any
 */
record HexInput(byte[] bytes, boolean headerLog, boolean flit, List<Long> prefixes) {
    private static final Pattern AER_LABEL = Pattern.compile("TLP Header\\s*(\\(Flit\\))?\\s*:", Pattern.CASE_INSENSITIVE);
    private static final Pattern PREFIXES = Pattern.compile("E-E Prefixes\\s*:", Pattern.CASE_INSENSITIVE);

    /** Parses the arguments; a bad one gets an {@link IllegalArgumentException} that says which and why. */
    static HexInput parse(List<String> args) {
        return parse(String.join(" ", args));
    }

    /** Parses text from the command line or standard input (several lines: the AER label's line counts). */
    static HexInput parse(String input) {
        String text = input.trim();
        Matcher label = AER_LABEL.matcher(text);
        if (!label.find()) {
            if (text.isEmpty()) throw new IllegalArgumentException("no hex given");
            return new HexInput(plainHex(text), false, false, List.of());
        }
        boolean flit = label.group(1) != null;
        String rest = text.substring(label.end());
        int eol = rest.indexOf('\n');
        if (eol >= 0) rest = rest.substring(0, eol);
        List<Long> prefixes = List.of();
        Matcher p = PREFIXES.matcher(rest);
        if (p.find()) {
            prefixes = words(rest.substring(p.end()), "E-E Prefixes:");
            rest = rest.substring(0, p.start());
        }
        List<Long> header = words(rest, "'TLP Header:'");
        if (header.isEmpty()) throw new IllegalArgumentException("no hex given after 'TLP Header:'");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (long w : header) {
            b.write((int) (w >>> 24));
            b.write((int) (w >>> 16));
            b.write((int) (w >>> 8));
            b.write((int) w);
        }
        return new HexInput(b.toByteArray(), true, flit, prefixes);
    }

    /** 32-bit words as a log prints them: any number of hex digits as long as the value fits 32 bits. */
    private static List<Long> words(String text, String where) {
        List<Long> words = new ArrayList<>();
        for (String token : text.trim().split("[\\s,]+")) {
            if (token.isEmpty()) continue;
            String digits = digits(token);
            String significant = digits.replaceFirst("^0+(?=.)", "");
            if (significant.length() > 8)
                throw new IllegalArgumentException("'" + token + "' after " + where + " is not a 32-bit word");
            words.add(Long.parseLong(significant, 16));
        }
        return words;
    }

    private static byte[] plainHex(String text) {
        StringBuilder hex = new StringBuilder();
        for (String token : text.split("[\\s,]+")) {
            if (token.isEmpty()) continue;
            String digits = digits(token);
            if ((digits.length() & 1) != 0)
                throw new IllegalArgumentException("'" + token + "' has an odd number of hex digits (" + digits.length()
                        + "): give whole bytes, e.g. 32-bit words like 4a000001");
            hex.append(digits);
        }
        return HexFormat.of().parseHex(hex);
    }

    /** The hex digits of one token, without 0x; a token that is not hex is an error that names it. */
    private static String digits(String token) {
        String digits = token.toLowerCase(Locale.ROOT).startsWith("0x") ? token.substring(2) : token;
        if (digits.isEmpty()) throw new IllegalArgumentException("'" + token + "' has no hex digits");
        for (int i = 0; i < digits.length(); i++)
            if (Character.digit(digits.charAt(i), 16) < 0)
                throw new IllegalArgumentException("'" + token + "' is not hex (character '" + digits.charAt(i) + "')");
        return digits;
    }
}
