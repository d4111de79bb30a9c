package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;

import java.nio.charset.StandardCharsets;

import static io.mxgate.core.fuzz.FuzzSupport.check;
import static io.mxgate.core.fuzz.FuzzSupport.checkAddress;

/**
 * {@link AddressParser#parseForwardPath}, {@link AddressParser#parseReversePath} and
 * {@link AddressParser#parseMailbox} on arbitrary text, decoded as ISO-8859-1 (how paths arrive in SMTP commands)
 * and as UTF-8 (how the envelope codec reads them). The parsers document no exception: they return null for what
 * they reject. What they accept must be well-formed (see {@link FuzzSupport#checkAddress}), the forward and the
 * reverse path parsers must agree except on the null sender, and a bare mailbox is also a valid path.
 */
class AddressFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void paths(byte[] input) {
        paths(FuzzSupport.latin1(input), input);
        paths(new String(input, StandardCharsets.UTF_8), input);
    }

    private static void paths(String path, byte[] input) {
        MailAddress forward = AddressParser.parseForwardPath(path);
        MailAddress reverse = AddressParser.parseReversePath(path);
        MailAddress mailbox = AddressParser.parseMailbox(path);
        if (forward != null) {
            check(!forward.isNullSender(), "forward path is the null sender", input);
            checkAddress(forward, input);
            check(forward.equals(reverse), () -> "forward path " + forward + " but reverse path " + reverse, input);
        }
        if (reverse != null) {
            checkAddress(reverse, input);
            check(reverse.isNullSender() ? forward == null : reverse.equals(forward),
                    () -> "reverse path " + reverse + " but forward path " + forward, input);
        }
        if (mailbox != null) {
            check(!mailbox.isNullSender(), "mailbox is the null sender", input);
            checkAddress(mailbox, input);
            check(mailbox.equals(forward), () -> "mailbox " + mailbox + " but forward path " + forward, input);
        }
    }
}
