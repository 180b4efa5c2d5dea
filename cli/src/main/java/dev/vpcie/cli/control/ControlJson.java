package dev.vpcie.cli.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON the control protocol needs: a reader of JSON text into {@code Map}, {@code List},
 * {@code String}, {@code Long}, {@code Double}, {@code Boolean} and null, and string quoting for
 * writers. The reader is strict (one value, nothing after it) and bounded in nesting, so a
 * hostile request costs no more than its size, which the server bounds.
 */
public final class ControlJson {
    /** Deepest nesting accepted: requests are flat, status objects three levels deep. */
    static final int MAX_DEPTH = 16;

    private final String text;
    private int at;

    private ControlJson(String text) { this.text = text; }

    /** Parses one JSON value; a malformed text is an {@link IllegalArgumentException} saying where. */
    public static Object parse(String text) {
        ControlJson p = new ControlJson(text);
        Object v = p.value(0);
        p.space();
        if (p.at != text.length()) throw p.error("text after the value");
        return v;
    }

    /** {@code value} as a JSON string literal. */
    public static String quote(String value) {
        StringBuilder s = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        return s.append('"').toString();
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
        space();
        if (at >= text.length()) throw error("a value expected");
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        at++;
        space();
        if (peek('}')) return m;
        do {
            space();
            if (at >= text.length() || text.charAt(at) != '"') throw error("a member name expected");
            String key = string();
            space();
            expect(':');
            if (m.put(key, value(depth + 1)) != null) throw error("member '" + key + "' twice");
            space();
        } while (peek(','));
        expect('}');
        return m;
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        at++;
        space();
        if (peek(']')) return l;
        do {
            l.add(value(depth + 1));
            space();
        } while (peek(','));
        expect(']');
        return l;
    }

    private String string() {
        at++; // the opening quote
        StringBuilder s = new StringBuilder();
        while (true) {
            if (at >= text.length()) throw error("unterminated string");
            char c = text.charAt(at++);
            if (c == '"') return s.toString();
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (at >= text.length()) throw error("unterminated escape");
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) throw error("short \\u escape");
                    try {
                        s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = at;
        if (text.charAt(at) == '-') at++;
        while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) at++;
        String n = text.substring(start, at);
        try {
            if (n.matches("-?(0|[1-9]\\d{0,17})")) return Long.parseLong(n);
            if (n.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        at = start;
        throw error("bad number '" + n + "'");
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) throw error("unexpected '" + text.charAt(at) + "'");
        at += word.length();
        return value;
    }

    private boolean peek(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("'" + c + "' expected");
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) at++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at character " + (at + 1) + ": " + what);
    }
}
