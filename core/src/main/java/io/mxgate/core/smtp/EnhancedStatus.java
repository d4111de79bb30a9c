package io.mxgate.core.smtp;

/**
 * An RFC 3463 enhanced status code such as {@code 5.7.1}. Immutable; parse with {@link #parse(String)}.
 */
public record EnhancedStatus(int klass, int subject, int detail) {

    public EnhancedStatus {
        if (klass != 2 && klass != 4 && klass != 5) {
            throw new IllegalArgumentException("enhanced status class must be 2, 4 or 5: " + klass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("enhanced status out of range: " + klass + "." + subject + "." + detail);
        }
    }

    public static EnhancedStatus of(int klass, int subject, int detail) {
        return new EnhancedStatus(klass, subject, detail);
    }

    private static final java.util.regex.Pattern SYNTAX = java.util.regex.Pattern.compile("([245])\\.(\\d{1,3})\\.(\\d{1,3})");

    /** Parses {@code "x.y.z"} (RFC 3463: class 2, 4 or 5, then one to three digits twice); null otherwise. */
    public static EnhancedStatus parse(String text) {
        java.util.regex.Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return null;
        }
        return new EnhancedStatus(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    /** The same subject and detail with the class of {@code code} (Postfix rewrites 5.1.1 to 4.1.1 for a 450). */
    public EnhancedStatus withClassOf(int code) {
        int k = code / 100;
        return k == klass ? this : new EnhancedStatus(k, subject, detail);
    }

    @Override
    public String toString() {
        return klass + "." + subject + "." + detail;
    }
}
