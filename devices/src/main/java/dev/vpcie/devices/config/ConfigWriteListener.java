package dev.vpcie.devices.config;

/** Hears configuration writes after they were applied (on the function's thread). */
@FunctionalInterface
public interface ConfigWriteListener {
    void written(ConfigWrite write);
}
