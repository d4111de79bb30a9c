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

    /** Parses {@code "x.y.z"}; returns null when the text is not an enhanced status code. */
    public static EnhancedStatus parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            int k = Integer.parseInt(parts[0]);
            int s = Integer.parseInt(parts[1]);
            int d = Integer.parseInt(parts[2]);
            if ((k != 2 && k != 4 && k != 5) || parts[1].length() > 3 || parts[2].length() > 3 || s < 0 || d < 0) {
                return null;
            }
            return new EnhancedStatus(k, s, d);
        } catch (NumberFormatException e) {
            return null;
        }
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
