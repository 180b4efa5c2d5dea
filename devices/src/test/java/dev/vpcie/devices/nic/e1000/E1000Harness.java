package dev.vpcie.devices.nic.e1000;

import dev.vpcie.devices.nic.NicHarness;
import dev.vpcie.devices.nic.NvmImage;

/** An 82540EM in a {@link NicHarness}. */
final class E1000Harness extends NicHarness<E1000Function> {
    static final int MEMORY = 40 << 20;

    E1000Harness() { this(E1000Options.of(MAC), null, 16384 + 64); }

    E1000Harness(E1000Options options, NvmImage nvm, int wireMaxFrame) {
        super("e1000-test", nvm == null ? new E1000Function(options) : new E1000Function(options, nvm), MEMORY, wireMaxFrame);
    }
}
