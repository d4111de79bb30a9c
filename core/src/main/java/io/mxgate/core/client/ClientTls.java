package io.mxgate.core.client;

import java.util.Locale;

/**
 * Postfix's {@code smtp_tls_security_level}, the levels mxgate implements (TLS_README, "Client TLS security
 * levels"). LMTP conversations never start TLS.
 */
public enum ClientTls {
    /** Never STARTTLS ({@code none}). */
    NONE,
    /** STARTTLS when the server offers it; plaintext otherwise or after a failed handshake ({@code may}). */
    MAY,
    /** STARTTLS or no delivery; the certificate is not verified ({@code encrypt}). */
    ENCRYPT,
    /**
     * STARTTLS, a certificate chain that the trust anchors accept and a name that matches
     * {@code smtp_tls_verify_cert_match} (the MX host name by default), or no delivery ({@code verify}).
     */
    VERIFY,
    /**
     * As {@link #VERIFY}, the name matched against {@code smtp_tls_secure_cert_match} (the next-hop domain and its
     * subdomains by default), so that a forged MX record cannot redirect the mail ({@code secure}).
     */
    SECURE;

    /** True when mail must not be sent without TLS: {@code encrypt} and above. */
    public boolean requiresTls() {
        return compareTo(ENCRYPT) >= 0;
    }

    /** True when the server's certificate must be trusted and must match: {@code verify} and {@code secure}. */
    public boolean verifies() {
        return compareTo(VERIFY) >= 0;
    }

    /** Postfix's name of the level. */
    public String postfixName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses Postfix's level names; empty means {@code none}, as in Postfix. Postfix's other levels ({@code dane},
     * {@code dane-only}, {@code fingerprint}, {@code half-dane}) are refused with a message that says so: quietly
     * treating them as a weaker level would send mail with less protection than the admin asked for.
     */
    public static ClientTls parse(String level) {
        String l = level.strip().toLowerCase(Locale.ROOT);
        return switch (l) {
            case "", "none" -> NONE;
            case "may" -> MAY;
            case "encrypt" -> ENCRYPT;
            case "verify" -> VERIFY;
            case "secure" -> SECURE;
            case "dane", "dane-only", "fingerprint", "half-dane" -> throw new IllegalArgumentException(
                    "TLS security level \"" + l + "\" is not supported by mxgate (supported: none, may, encrypt, "
                            + "verify, secure)");
            default -> throw new IllegalArgumentException("invalid security level \"" + level.strip() + "\"");
        };
    }
}
