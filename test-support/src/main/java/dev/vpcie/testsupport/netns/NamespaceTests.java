package dev.vpcie.testsupport.netns;

import org.junit.jupiter.api.Assumptions;

/** For JUnit tests that need network namespaces: they skip, saying why, where there are none. */
public final class NamespaceTests {
    private NamespaceTests() {}

    /**
     * Skips the calling test (or, from a {@code @BeforeAll}, the class) with
     * "{@code WHAT skipped: REASON}" when this process cannot create namespaces, veth pairs and
     * raw sockets (see {@link NetNamespace#unavailableReason()}).
     */
    public static void assumeAvailable(String what) {
        String why = NetNamespace.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> what + " skipped: " + why);
    }
}
