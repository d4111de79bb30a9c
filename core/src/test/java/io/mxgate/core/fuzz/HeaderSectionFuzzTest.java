package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.smtp.HeaderSection;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

import static io.mxgate.core.fuzz.FuzzSupport.check;

/**
 * {@link HeaderSection#limit} on arbitrary messages shaped as {@link io.mxgate.core.smtp.InputDecoder} hands them
 * over (every line ends in CRLF), with a header_size_limit taken from the first two bytes. It compacts the message
 * in place, so the invariants are about not losing what it must keep: it never throws or grows the message, leaves
 * every line ending in CRLF, changes nothing when it reports nothing truncated, and is idempotent (what it returns
 * is within the limit by its own measure, and the hop count stays).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs only the corpus in {@code HeaderSectionFuzzTestInputs/limit}.
 */
class HeaderSectionFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void limit(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int limit = 2 + (((input[0] & 0xff) << 8 | (input[1] & 0xff)) % 600);
        byte[] message = crlfLines(Arrays.copyOfRange(input, 2, input.length));
        byte[] bytes = message.clone();

        HeaderSection.Result first = HeaderSection.limit(bytes, bytes.length, limit);
        check(first.length() >= 0 && first.length() <= message.length,
                () -> "length " + first.length() + " of " + message.length, input);
        check(first.hops() >= 0 && first.truncatedHeaders() >= 0, "negative count", input);
        byte[] out = Arrays.copyOf(bytes, first.length());
        if (first.truncatedHeaders() == 0) {
            check(Arrays.equals(out, message), "changed without truncating", input);
        }
        for (int i = 0; i < out.length; i++) {
            check(out[i] != '\n' || (i > 0 && out[i - 1] == '\r'), "a line lost its CR", input);
        }
        check(out.length == 0 || out[out.length - 1] == '\n', "the message no longer ends in CRLF", input);

        byte[] again = out.clone();
        HeaderSection.Result second = HeaderSection.limit(again, again.length, limit);
        check(second.truncatedHeaders() == 0 && second.length() == out.length
                        && Arrays.equals(Arrays.copyOf(again, second.length()), out),
                () -> "not idempotent: second pass truncated " + second.truncatedHeaders(), input);
        check(second.hops() == first.hops(), () -> "hops " + first.hops() + " then " + second.hops(), input);
        check(Objects.equals(second.messageId(), first.messageId()),
                () -> "message-id " + first.messageId() + " then " + second.messageId(), input);
    }

    /** Every line ends in CRLF (a bare CR stays content), as the DATA reader delivers a message. */
    private static byte[] crlfLines(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 16);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\n') {
                out.write('\r');
                out.write('\n');
            } else if (raw[i] != '\r' || i + 1 == raw.length || raw[i + 1] != '\n') {
                out.write(raw[i]);
            }
        }
        if (raw.length > 0 && raw[raw.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }
}
