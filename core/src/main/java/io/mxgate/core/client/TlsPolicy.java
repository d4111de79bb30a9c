package io.mxgate.core.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One TLS policy as {@code smtp_tls_security_level} or an {@code smtp_tls_policy_maps} entry states it
 * ({@code verify}, {@code secure match=nexthop:dot-nexthop}, {@code encrypt}), parsed as Postfix's
 * smtp_tls_policy.c does: the level first, then attributes. Only {@code match} (at verify and secure) and
 * {@code ciphers=high|medium} (the JDK's default suites are of that grade) are understood; any other attribute makes
 * the policy invalid rather than silently weaker, and an invalid policy defers the mail with Postfix's
 * "4.7.5 client TLS configuration problem".
 *
 * @param match the {@code match} attribute's names, empty when the policy has none (the main.cf default applies)
 */
public record TlsPolicy(ClientTls level, List<String> match) {

    public TlsPolicy {
        match = List.copyOf(match);
    }

    /** A table entry that cannot be used; the message is Postfix's warning for it. */
    public static final class InvalidPolicyException extends RuntimeException {
        public InvalidPolicyException(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses a policy; throws {@link InvalidPolicyException} with Postfix's wording for what is wrong. */
    public static TlsPolicy parse(String value) {
        String[] tokens = value.strip().split("[,\\s]+");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            throw new InvalidPolicyException("invalid empty policy");
        }
        ClientTls level;
        try {
            level = ClientTls.parse(tokens[0]);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(e.getMessage());
        }
        List<String> match = new ArrayList<>();
        if (level == ClientTls.NONE) {
            return new TlsPolicy(level, match);  // Postfix ignores (and warns about) attributes with TLS disabled
        }
        boolean ciphers = false;
        for (int i = 1; i < tokens.length; i++) {
            String token = tokens[i];
            int eq = token.indexOf('=');
            if (eq <= 0) {
                throw new InvalidPolicyException("malformed attribute/value pair \"" + token + "\"");
            }
            String name = token.substring(0, eq).toLowerCase(Locale.ROOT);
            String val = token.substring(eq + 1);
            switch (name) {
                case "match" -> {
                    if (val.isEmpty()) {
                        throw new InvalidPolicyException("attribute \"match\" has empty value");
                    }
                    if (!level.verifies()) {
                        throw new InvalidPolicyException("attribute \"match\" invalid at security level \""
                                + level.postfixName() + "\"");
                    }
                    for (String m : val.split(":")) {
                        if (!m.isEmpty()) {
                            match.add(m.toLowerCase(Locale.ROOT));
                        }
                    }
                }
                case "ciphers" -> {
                    if (val.isEmpty()) {
                        throw new InvalidPolicyException("attribute \"ciphers\" has empty value");
                    }
                    if (ciphers) {
                        throw new InvalidPolicyException("attribute \"ciphers\" is specified multiple times");
                    }
                    ciphers = true;
                    if (!val.equalsIgnoreCase("high") && !val.equalsIgnoreCase("medium")) {
                        throw new InvalidPolicyException("attribute \"ciphers=" + val + "\" is not supported by "
                                + "mxgate (high or medium: the JDK's default cipher suites)");
                    }
                }
                case "protocols", "exclude", "servername", "tafile", "connection_reuse", "enable_rpk" ->
                        throw new InvalidPolicyException("attribute \"" + name + "\" is not supported by mxgate");
                default -> throw new InvalidPolicyException("invalid attribute name: \"" + name + "\"");
            }
        }
        return new TlsPolicy(level, match);
    }

    /**
     * The requirement for one server of a next hop: at {@code verify} and {@code secure} the match names are
     * expanded as Postfix does ({@code hostname}: the server's name, i.e. the MX host or the {@code [host]} next hop;
     * {@code nexthop}: the next-hop domain; {@code dot-nexthop}: its subdomains; anything else literally, a leading
     * dot meaning subdomains). Without a {@code match} attribute the main.cf default for the level applies
     * ({@code smtp_tls_verify_cert_match}, {@code smtp_tls_secure_cert_match}).
     */
    public TlsRequirement requirement(String hostname, String nexthop, List<String> verifyMatch,
                                      List<String> secureMatch, TlsTrust trust) {
        if (!level.verifies()) {
            return TlsRequirement.of(level);
        }
        List<String> strategies = !match.isEmpty() ? match : level == ClientTls.VERIFY ? verifyMatch : secureMatch;
        List<String> names = new ArrayList<>();
        for (String s : strategies) {
            String name = switch (s.toLowerCase(Locale.ROOT)) {
                case "hostname" -> hostname;
                case "nexthop" -> nexthop;
                case "dot-nexthop" -> "." + nexthop;
                default -> s;
            };
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return new TlsRequirement(level, names, trust);
    }

    /** A main.cf list of match strategies ({@code nexthop, dot-nexthop} or {@code hostname:nexthop}). */
    public static List<String> strategies(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.strip().split("[,\\s:]+")) {
            if (!s.isEmpty()) {
                out.add(s.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }
}
