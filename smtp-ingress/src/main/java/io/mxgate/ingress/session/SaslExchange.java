package io.mxgate.ingress.session;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The client side of one AUTH exchange: PLAIN (RFC 4616: authzid NUL authcid NUL password) or LOGIN (username and
 * password, each asked for with a base64 prompt). Pure: it decodes and asks; the session checks the credentials.
 */
final class SaslExchange {

    /** What the exchange needs next. */
    sealed interface Step {
        record Challenge(String base64) implements Step {
        }

        record Credentials(String authzid, String user, String password) implements Step {
        }

        record Malformed() implements Step {
        }
    }

    private static final String USERNAME = b64("Username:");
    private static final String PASSWORD = b64("Password:");

    private final String mechanism;
    private String user;

    SaslExchange(String mechanism) {
        this.mechanism = mechanism;
    }

    String mechanism() {
        return mechanism;
    }

    /** The first challenge when AUTH came without an initial response. */
    String challenge() {
        return mechanism.equals("LOGIN") ? USERNAME : "";
    }

    Step respond(String line) {
        String decoded = decode(line);
        if (decoded == null) {
            return new Step.Malformed();
        }
        if (mechanism.equals("PLAIN")) {
            String[] parts = decoded.split("\0", -1);
            return parts.length == 3 && !parts[1].isEmpty() ? new Step.Credentials(parts[0], parts[1], parts[2])
                    : new Step.Malformed();
        }
        if (user == null) {
            user = decoded;
            return new Step.Challenge(PASSWORD);
        }
        return new Step.Credentials("", user, decoded);
    }

    private static String decode(String line) {
        try {
            return new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }
}
