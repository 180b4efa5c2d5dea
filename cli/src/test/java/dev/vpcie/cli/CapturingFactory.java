package dev.vpcie.cli;

import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/** A picocli factory that hands the test the command object of one type it makes (to stop a long-running command). */
final class CapturingFactory<T> implements CommandLine.IFactory {
    private final Class<T> type;
    private final AtomicReference<T> made;

    CapturingFactory(Class<T> type, AtomicReference<T> made) {
        this.type = type;
        this.made = made;
    }

    @Override public <K> K create(Class<K> cls) throws Exception {
        K k = CommandLine.defaultFactory().create(cls);
        if (type.isInstance(k)) made.set(type.cast(k));
        return k;
    }
}
