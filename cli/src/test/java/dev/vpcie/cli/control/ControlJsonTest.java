package dev.vpcie.cli.control;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlJsonTest {
    @Test void readsWhatTheProtocolUses() {
        assertEquals(Map.of("version", 1L, "args", List.of("a", "b\"\n\u00e9")),
                ControlJson.parse(" {\"version\": 1, \"args\": [\"a\", \"b\\\"\\n\\u00e9\"]} "));
        assertEquals(List.of(true, false, -2.5, 0L), java.util.Arrays.asList(((List<?>) ControlJson.parse("[true,false,-2.5,0]")).toArray()));
        assertNull(ControlJson.parse("null"));
    }

    @Test void quotedStringsReadBack() {
        String s = "tab\there \"q\" back\\slash \u0001 line\n";
        assertEquals(s, ControlJson.parse(ControlJson.quote(s)));
    }

    @Test void malformedTextIsRefusedSayingWhere() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,\"a\":2}", "01", "1 2", "\"\\x\"", "tru", "{a:1}", "[" .repeat(100) + "]".repeat(100)))
            assertThrows(IllegalArgumentException.class, () -> ControlJson.parse(bad), bad);
    }
}
