package dev.vpcie.protocol.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * The pre-shared key of a group ({@code --group-key FILE}): every frame of a keyed link carries
 * an integrity check value under a key derived from it (docs/security.md). Derivation is HKDF
 * with SHA-256 (RFC 5869, the JDK's {@link KDF}): the group frame key for frames outside a
 * session, and one key per session and direction from both HELLO nonces (the session's two
 * epochs), so a frame of one session never verifies in another. The secret never leaves this
 * object and is not printed.
 */
public final class GroupKey {
    /** Shortest key file accepted: 128 bits. */
    public static final int MIN_LENGTH = 16;
    /** Longest key file accepted (a key file is a few random bytes, not a document). */
    public static final int MAX_LENGTH = 4096;
    private static final byte[] SALT = "vpcie group key v2".getBytes(StandardCharsets.US_ASCII);

    private final byte[] secret;
    private final SecretKey groupFrameKey;

    private GroupKey(byte[] secret) {
        this.secret = secret;
        this.groupFrameKey = derive("group frames".getBytes(StandardCharsets.US_ASCII));
    }

    /** A key from its bytes (at least {@value #MIN_LENGTH}). */
    public static GroupKey of(byte[] secret) {
        if (secret.length < MIN_LENGTH || secret.length > MAX_LENGTH)
            throw new IllegalArgumentException("a group key must be " + MIN_LENGTH + ".." + MAX_LENGTH + " bytes, not " + secret.length);
        return new GroupKey(secret.clone());
    }

    /**
     * The key in {@code file}: its whole content, at least {@value #MIN_LENGTH} bytes (e.g. made by
     * {@code head -c 32 /dev/urandom > group.key}). The message of a bad file suits the user.
     */
    public static GroupKey load(Path file) {
        byte[] b;
        try {
            if (Files.size(file) > MAX_LENGTH) throw new IllegalArgumentException("group key file " + file + " is longer than " + MAX_LENGTH + " bytes");
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no group key file " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read group key file " + file + ": " + e.getMessage());
        }
        if (b.length < MIN_LENGTH)
            throw new IllegalArgumentException("group key file " + file + " has " + b.length + " bytes; at least " + MIN_LENGTH
                    + " are needed (e.g. head -c 32 /dev/urandom > " + file + ")");
        return new GroupKey(b);
    }

    /** The key of frames outside a session: HELLO, DISCOVER, ANNOUNCE, and CLOSE without a session. */
    SecretKey groupFrameKey() { return groupFrameKey; }

    /** The key of the frames sent with Source Epoch {@code srcEpoch} to Destination Epoch {@code dstEpoch}. */
    SecretKey sessionKey(long srcEpoch, long dstEpoch) {
        ByteBuffer info = ByteBuffer.allocate(8 + 16);
        info.put("session ".getBytes(StandardCharsets.US_ASCII)).putLong(srcEpoch).putLong(dstEpoch);
        return derive(info.array());
    }

    private SecretKey derive(byte[] info) {
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            return hkdf.deriveKey("HmacSHA256", HKDFParameterSpec.ofExtract().addIKM(secret).addSalt(SALT).thenExpand(info, 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is part of every JDK 25", e);
        }
    }

    @Override public String toString() { return "GroupKey[" + secret.length + " bytes]"; }

    @Override public boolean equals(Object o) { return o instanceof GroupKey k && java.security.MessageDigest.isEqual(k.secret, secret); }

    @Override public int hashCode() { return Arrays.hashCode(secret); }
}
