package dev.vpcie.testsupport.netns;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link VethTestbed} for the life of one test class, as a JUnit extension: before the class's
 * tests it skips them where this process cannot create namespaces ({@link
 * NamespaceTests#assumeAvailable}) and otherwise creates the testbed; after them it deletes it,
 * whether they passed or not. Registered as a static field:
 *
 * <pre>{@code @RegisterExtension static final VethTestbedExtension testbed = VethTestbedExtension.of("lk", "link over veth tests");}</pre>
 *
 * and used like the testbed itself ({@code testbed.a()}, {@code testbed.interfaceB()}, ...).
 * Test classes run one after another here, so a field in an abstract base class serves each
 * subclass in turn.
 */
public final class VethTestbedExtension implements BeforeAllCallback, AfterAllCallback {
    private final String label, purpose;
    private VethTestbed testbed;

    private VethTestbedExtension(String label, String purpose) {
        this.label = Objects.requireNonNull(label);
        this.purpose = Objects.requireNonNull(purpose);
    }

    /**
     * @param label   the namespaces' label ({@link VethTestbed#create})
     * @param purpose what is skipped without namespaces, e.g. "link over veth tests"
     */
    public static VethTestbedExtension of(String label, String purpose) { return new VethTestbedExtension(label, purpose); }

    @Override public void beforeAll(ExtensionContext context) throws Exception {
        NamespaceTests.assumeAvailable(purpose);
        testbed = VethTestbed.create(label);
    }

    @Override public void afterAll(ExtensionContext context) {
        VethTestbed t = testbed;
        testbed = null;
        if (t != null) t.close();
    }

    /** The testbed of the running class; only between its before-all and after-all. */
    public VethTestbed get() {
        if (testbed == null) throw new IllegalStateException("no veth testbed outside the test class's life (" + label + ")");
        return testbed;
    }

    public NetNamespace a() { return get().a(); }

    public NetNamespace b() { return get().b(); }

    public VethPair veth() { return get().veth(); }

    public String interfaceA() { return get().interfaceA(); }

    public String interfaceB() { return get().interfaceB(); }

    @Override public String toString() { return testbed == null ? "VethTestbedExtension[" + label + "]" : testbed.toString(); }
}
