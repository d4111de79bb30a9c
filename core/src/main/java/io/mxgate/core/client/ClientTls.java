package io.mxgate.core.client;

/**
 * Postfix's {@code smtp_tls_security_level} for one conversation, the levels that need no certificate checks.
 * LMTP conversations never start TLS.
 */
public enum ClientTls {
    /** Never STARTTLS ({@code none}). */
    NONE,
    /** STARTTLS when the server offers it; plaintext otherwise or after a failed handshake ({@code may}). */
    MAY,
    /** STARTTLS or no delivery; the certificate is not verified ({@code encrypt}). */
    ENCRYPT;

    /** Parses Postfix's level names; empty means {@code none}, as in Postfix. */
    public static ClientTls parse(String level) {
        return switch (level.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "", "none" -> NONE;
            case "may" -> MAY;
            case "encrypt" -> ENCRYPT;
            default -> throw new IllegalArgumentException("unsupported smtp_tls_security_level \"" + level
                    + "\" (supported: none, may, encrypt)");
        };
    }
}
