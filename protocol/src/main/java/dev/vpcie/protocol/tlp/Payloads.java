package dev.vpcie.protocol.tlp;

import java.util.Arrays;
import java.util.HexFormat;

/** Equality, hashing and printing of payload arrays for the TLP records (records compare arrays by identity). */
final class Payloads {
    private Payloads() {}

    static String hex(byte[] data) {
        if (data == null) return "none";
        if (data.length <= 64) return HexFormat.of().formatHex(data);
        return HexFormat.of().formatHex(data, 0, 64) + "...(" + data.length + " bytes)";
    }

    static int hash(byte[] data) { return Arrays.hashCode(data); }

    static boolean same(byte[] a, byte[] b) { return Arrays.equals(a, b); }

    static void checkBe(int be, String what) {
        if ((be & ~0xF) != 0) throw new IllegalArgumentException(what + " byte enables out of range: " + be);
    }

    static void checkId(int id, String what) {
        if ((id & ~0xFFFF) != 0) throw new IllegalArgumentException(what + " ID out of range: " + id);
    }

    static void checkTag(int tag) {
        if ((tag & ~0x3FF) != 0) throw new IllegalArgumentException("tag out of range (10 bits): " + tag);
    }
}
