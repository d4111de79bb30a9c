package io.mxgate.core.address;

/**
 * Parses RFC 5321 forward and reverse paths. Accepts the forms Postfix accepts with
 * {@code strict_rfc821_envelopes = no}: with or without angle brackets, an optional source route
 * ({@code <@a,@b:user@domain>}, which is parsed and dropped, as RFC 5321 section 3.3 asks), quoted local parts.
 * Rejects (returns null) anything else: missing domain, 8-bit or control characters, bad domain syntax.
 */
public final class AddressParser {

    /** RFC 5321: 64 octets local part, 255 domain; Postfix is laxer, but longer paths are not real mail. */
    static final int MAX_LOCAL = 64;
    static final int MAX_DOMAIN = 255;

    private AddressParser() {
    }

    /** A reverse path: {@code <>} is the null sender. */
    public static MailAddress parseReversePath(String path) {
        String inner = unbracket(path);
        if (inner == null) {
            return null;
        }
        return inner.isEmpty() ? MailAddress.NULL_SENDER : parseMailbox(inner);
    }

    /** A forward path: the null address is not allowed. */
    public static MailAddress parseForwardPath(String path) {
        String inner = unbracket(path);
        if (inner == null || inner.isEmpty()) {
            return null;
        }
        return parseMailbox(inner);
    }

    private static String unbracket(String path) {
        String p = path.strip();
        if (p.startsWith("<")) {
            if (!p.endsWith(">") || p.length() < 2) {
                return null;
            }
            p = p.substring(1, p.length() - 1);
        } else if (p.endsWith(">")) {
            return null;
        }
        if (p.startsWith("@")) {
            int colon = p.indexOf(':');
            if (colon < 0) {
                return null;
            }
            for (String hop : p.substring(0, colon).split(",", -1)) {
                if (!hop.startsWith("@") || !isDomain(hop.substring(1).toLowerCase(java.util.Locale.ROOT))) {
                    return null;
                }
            }
            p = p.substring(colon + 1);
            if (p.isEmpty()) {
                return null;
            }
        }
        return p;
    }

    /** {@code local@domain} without brackets. */
    public static MailAddress parseMailbox(String mailbox) {
        int at = lastAtOutsideQuotes(mailbox);
        if (at <= 0 || at == mailbox.length() - 1) {
            return null;
        }
        String local = mailbox.substring(0, at);
        String raw = mailbox.substring(at + 1);
        // validated before lower-casing: U+212A KELVIN SIGN must not turn into an ASCII 'k'
        if (local.length() > MAX_LOCAL || raw.length() > MAX_DOMAIN || !isLocalPart(local) || !isDomain(raw)) {
            return null;
        }
        return new MailAddress(local, raw.toLowerCase(java.util.Locale.ROOT));
    }

    private static int lastAtOutsideQuotes(String s) {
        boolean quoted = false;
        int at = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '@' && !quoted) {
                at = i;
            }
        }
        return quoted ? -1 : at;
    }

    static boolean isLocalPart(String local) {
        if (local.startsWith("\"")) {
            if (local.length() < 2 || !local.endsWith("\"")) {
                return false;
            }
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (c == '\\') {
                    i++;
                    if (i >= local.length() - 1 || !isPrintableAscii(local.charAt(i)) && local.charAt(i) != ' ') {
                        return false;
                    }
                } else if (c == '"' || (!isPrintableAscii(c) && c != ' ')) {
                    return false;
                }
            }
            return true;
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!isPrintableAscii(c) || "()<>[]\\,;:\"@ ".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** A dot-separated LDH name, or an address literal such as {@code [192.0.2.1]} or {@code [IPv6:...]}. */
    public static boolean isDomain(String domain) {
        if (domain.startsWith("[")) {
            return domain.endsWith("]") && domain.length() > 2
                    && domain.substring(1, domain.length() - 1).chars().allMatch(c -> c > 32 && c < 127 && c != '[' && c != ']' && c != '\\');
        }
        if (domain.isEmpty() || domain.length() > MAX_DOMAIN || domain.startsWith(".") || domain.endsWith(".")) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (c >= 'A' && c <= 'Z');
                if (!ldh) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isPrintableAscii(char c) {
        return c > 32 && c < 127;
    }
}
