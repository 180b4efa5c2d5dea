package dev.vpcie.loopback.vm;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.e1000.E1000Function;
import dev.vpcie.devices.nic.e1000.E1000Options;
import dev.vpcie.devices.nic.igb.IgbFunction;
import dev.vpcie.devices.nic.igb.IgbOptions;
import dev.vpcie.devices.spi.PcieFunction;

/** The two NIC models by the name of the Linux driver that drives them, with what that driver prints. */
enum NicModels {
    E1000("e1000", "82540EM", "Intel(R) PRO/1000 Network Driver"),
    IGB("igb", "82576", "Intel(R) Gigabit Ethernet Network Driver");

    final String driver, chip, banner;

    NicModels(String driver, String chip, String banner) {
        this.driver = driver;
        this.chip = chip;
        this.banner = banner;
    }

    /** A fixed, locally administered address per model, so the guest's log can be checked for it. */
    MacAddress mac() { return MacAddress.parse(this == E1000 ? "02:76:70:63:69:65" : "02:76:70:63:69:67"); }

    PcieFunction create() {
        return switch (this) {
            case E1000 -> new E1000Function(E1000Options.of(mac()));
            case IGB -> new IgbFunction(IgbOptions.of(mac()));
        };
    }

    static NicModels byDriver(String driver) {
        for (NicModels m : values()) if (m.driver.equals(driver)) return m;
        throw new IllegalArgumentException("no NIC model for driver " + driver + " (e1000 or igb)");
    }
}
