package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.NicHarness;
import dev.vpcie.devices.nic.NvmImage;

/** An 82576 in a {@link NicHarness}. */
final class IgbHarness extends NicHarness<IgbFunction> {
    static final int MEMORY = 24 << 20;

    IgbHarness() { this(IgbOptions.of(MAC), null, 16384); }

    IgbHarness(IgbOptions options, NvmImage nvm, int wireMaxFrame) {
        super("igb-test", nvm == null ? new IgbFunction(options) : new IgbFunction(options, nvm), MEMORY, wireMaxFrame);
    }
}
