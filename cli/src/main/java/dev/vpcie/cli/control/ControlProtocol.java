package dev.vpcie.cli.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The control socket's messages (docs/control.md): one request per connection, one line of
 * JSON each way. A request is {@code {"version":1,"args":["lspci","-vv"]}}: a {@code vrc}
 * subcommand and its arguments, as on a command line. The response is
 * {@code {"exit":0,"out":"...","err":"..."}}: the subcommand's exit status and what it printed.
 * A request the server cannot take (malformed, too large, too many clients) is answered the same
 * way with exit status 2 (the request was wrong) or 1 (the server could not serve it).
 */
public final class ControlProtocol {
    public static final int VERSION = 1;
    /** Largest request line, newline included: a command line is far shorter. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Most arguments in one request. */
    public static final int MAX_ARGS = 256;
    /** Largest response line the client reads: an lspci -xxxx of every function fits many times. */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private ControlProtocol() {}

    /** What a subcommand run through the socket ended with. */
    public record Response(int exit, String out, String err) {
        public static Response error(int exit, String message) { return new Response(exit, "", "vpcie: " + message + "\n"); }

        /** The response as one line of JSON, newline included. */
        public byte[] encode() {
            return ("{\"exit\":" + exit + ",\"out\":" + ControlJson.quote(out) + ",\"err\":" + ControlJson.quote(err) + "}\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** Reads a response line; a malformed one is an {@link IllegalArgumentException}. */
        public static Response decode(String line) {
            if (!(ControlJson.parse(line) instanceof Map<?, ?> m) || !(m.get("exit") instanceof Long exit)
                    || !(m.get("out") instanceof String out) || !(m.get("err") instanceof String err))
                throw new IllegalArgumentException("not a control response: " + abbreviate(line));
            return new Response(Math.toIntExact(exit), out, err);
        }
    }

    /** A request's line, newline included. */
    public static byte[] encodeRequest(List<String> args) {
        StringBuilder s = new StringBuilder("{\"version\":" + VERSION + ",\"args\":[");
        for (int i = 0; i < args.size(); i++) s.append(i == 0 ? "" : ",").append(ControlJson.quote(args.get(i)));
        return s.append("]}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The arguments of a request line; what is wrong with a bad one is an {@link IllegalArgumentException}. */
    public static List<String> decodeRequest(String line) {
        if (!(ControlJson.parse(line) instanceof Map<?, ?> m)) throw new IllegalArgumentException("a request is a JSON object");
        if (!(m.get("version") instanceof Long v) || v != VERSION)
            throw new IllegalArgumentException("unsupported request version " + m.get("version") + " (this server speaks " + VERSION + ")");
        if (!(m.get("args") instanceof List<?> list) || list.isEmpty()) throw new IllegalArgumentException("\"args\" must be a non-empty array of strings");
        if (list.size() > MAX_ARGS) throw new IllegalArgumentException("more than " + MAX_ARGS + " arguments");
        for (Object key : m.keySet()) if (!key.equals("version") && !key.equals("args")) throw new IllegalArgumentException("unknown member \"" + key + "\"");
        List<String> args = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String a)) throw new IllegalArgumentException("\"args\" must be a non-empty array of strings");
            args.add(a);
        }
        return args;
    }

    static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
