package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlJson;
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

    private static void string(StringBuilder s, String value) { s.append(ControlJson.quote(value)); }
}
