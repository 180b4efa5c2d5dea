package dev.vpcie.cli;

import java.util.List;

/** The few lines of JSON writing the CLI needs: one flat object of strings and integers. */
final class Json {
    private Json() {}

    static String object(List<TlpFields.Field> fields) {
        StringBuilder s = new StringBuilder("{");
        for (TlpFields.Field f : fields) {
            if (f.json() == null) continue;
            if (s.length() > 1) s.append(", ");
            string(s, f.key());
            s.append(": ");
            switch (f.json()) {
                case Integer i -> s.append(i);
                case String str -> string(s, str);
                default -> throw new IllegalArgumentException("JSON value must be a String or Integer: " + f.json());
            }
        }
        return s.append('}').toString();
    }

    private static void string(StringBuilder s, String value) {
        s.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        s.append('"');
    }
}
