package io.mxgate.core.fuzz;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Helpers shared by the fuzz targets: readable escaping for assertion messages and the address invariants. */
final class FuzzSupport {

    private FuzzSupport() {
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static String latin1(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** CR, LF, NUL and 8-bit spelled out, so a failing assertion shows the exact bytes. */
    static String esc(String s) {
        return esc(s, 2000);
    }

    /** Like {@link #esc(String)}, cut after about {@code limit} characters. */
    static String esc(String s, int limit) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), limit) + 16).append('"');
        for (int i = 0; i < s.length() && sb.length() < limit; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append(c <= 0xff ? "\\x" : "\\u");
                        for (int shift = c <= 0xff ? 4 : 12; shift >= 0; shift -= 4) {
                            sb.append(HEX[(c >> shift) & 0xf]);
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(sb.length() >= limit ? "...\"" : "\"").toString();
    }

    static String esc(byte[] bytes) {
        return esc(latin1(bytes));
    }

    static void check(boolean condition, String what, Object input) {
        check(condition, () -> what, input);
    }

    static void check(boolean condition, Supplier<String> what, Object input) {
        if (!condition) {
            String shown = input instanceof byte[] b ? esc(b) : input instanceof String s ? esc(s) : String.valueOf(input);
            throw new AssertionError(what.get() + " -- input " + shown);
        }
    }

    /**
     * What every address the parser accepts must satisfy: RFC 5321 lengths, a lower-case domain that is a valid
     * domain, only printable 7-bit characters (a space only inside a quoted local part), and a canonical form
     * that parses back to the same address, which is what the envelope codec relies on.
     */
    static void checkAddress(MailAddress a, Object input) {
        check(a != null, "address is null", input);
        if (a.isNullSender()) {
            return;
        }
        String text = a.toString();
        check(!a.localPart().isEmpty() && !a.domain().isEmpty(), () -> "empty local part or domain: " + esc(text), input);
        check(a.localPart().length() <= 64 && a.domain().length() <= 255, () -> "overlong address " + esc(text), input);
        check(AddressParser.isDomain(a.domain()), () -> "domain is not a domain: " + esc(a.domain()), input);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            check(c >= 0x20 && c < 0x7f, () -> "non-printable or 8-bit character in accepted address " + esc(text), input);
        }
        check(a.domain().indexOf(' ') < 0 && (a.localPart().indexOf(' ') < 0 || a.localPart().startsWith("\"")),
                () -> "space outside quotes in " + esc(text), input);
        MailAddress again = AddressParser.parseMailbox(text);
        check(a.equals(again), () -> "canonical form " + esc(text) + " parses to " + again, input);
        check(a.equals(AddressParser.parseForwardPath(a.bracketed())), () -> "bracketed form " + esc(a.bracketed())
                + " does not parse back", input);
    }
}
