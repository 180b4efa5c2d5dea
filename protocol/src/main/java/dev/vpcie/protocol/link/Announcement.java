package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.MacAddress;
import java.nio.charset.StandardCharsets;

/**
 * A reply to {@link LinkEndpoint#discover}: who answered (MAC and host-instance, what
 * {@link LinkEndpoint#connect} takes) and the bytes it announces about itself, which the link
 * does not interpret (the endpoint puts a description and its owner there).
 */
public record Announcement(MacAddress address, int instance, byte[] info) {
    public Announcement {
        info = info.clone();
    }

    @Override public byte[] info() { return info.clone(); }

    /** The announced bytes as UTF-8 text. */
    public String text() { return new String(info, StandardCharsets.UTF_8); }

    @Override public boolean equals(Object o) {
        return o instanceof Announcement a && a.address.equals(address) && a.instance == instance
                && java.util.Arrays.equals(a.info, info);
    }

    @Override public int hashCode() { return address.hashCode() * 31 + instance; }

    @Override public String toString() { return address + "/" + instance + " \"" + text() + "\""; }
}
