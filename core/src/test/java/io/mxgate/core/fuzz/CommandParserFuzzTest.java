package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.smtp.Command;
import io.mxgate.core.smtp.CommandParser;
import io.mxgate.core.smtp.Verb;

import static io.mxgate.core.fuzz.FuzzSupport.check;
import static io.mxgate.core.fuzz.FuzzSupport.checkAddress;
import static io.mxgate.core.fuzz.FuzzSupport.esc;

/**
 * {@link CommandParser#parse} on arbitrary command lines, decoded from bytes as ISO-8859-1 exactly as the session
 * gets them from {@link io.mxgate.core.smtp.InputDecoder}. The parser promises to be total: it never throws, every
 * line is exactly one command, a known verb with bad syntax is {@link Command.Invalid} carrying an error reply, and
 * whatever it accepts is well-formed (an 8-bit or malformed address must never become a MAIL or RCPT).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs only the corpus in {@code CommandParserFuzzTestInputs/parse}; see
 * {@code bench/fuzz.sh} for fuzzing.
 */
class CommandParserFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] input) {
        String line = FuzzSupport.latin1(input);
        Command command = CommandParser.parse(line);
        check(command != null, "parse returned null", input);
        check(command.equals(CommandParser.parse(line)), "parse is not deterministic", input);

        if (command instanceof Command.Unknown u) {
            check(u.verb() == null, "Unknown has a verb", input);
            check(Verb.lookup(u.word()) == null, () -> "Unknown for a known verb " + esc(u.word()), input);
            return;
        }
        check(command.verb() != null, () -> "a parsed command without verb: " + command, input);
        if (command instanceof Command.Invalid invalid) {
            check(invalid.reply() != null, "Invalid without reply", input);
            int code = invalid.reply().code();
            check(code >= 400 && code <= 599, () -> "Invalid carries a non-error reply " + code, input);
        } else if (command instanceof Command.Helo h) {
            checkHeloName(h.domain(), input);
        } else if (command instanceof Command.Ehlo e) {
            checkHeloName(e.domain(), input);
        } else if (command instanceof Command.Mail mail) {
            check(mail.sender() != null, "MAIL without sender", input);
            check(mail.declaredSize() >= -1, () -> "negative SIZE " + mail.declaredSize(), input);
            check(mail.body() != null, "MAIL without body type", input);
            checkAddress(mail.sender(), input);
        } else if (command instanceof Command.Rcpt rcpt) {
            check(rcpt.recipient() != null && !rcpt.recipient().isNullSender(), "RCPT without a recipient", input);
            checkAddress(rcpt.recipient(), input);
        } else if (command instanceof Command.Vrfy vrfy) {
            check(!vrfy.argument().isEmpty(), "VRFY without argument", input);
        } else if (command instanceof Command.Auth auth) {
            check(!auth.mechanism().isEmpty() && auth.mechanism().indexOf(' ') < 0,
                    () -> "bad AUTH mechanism " + esc(auth.mechanism()), input);
            check(auth.initialResponse() == null || !auth.initialResponse().isEmpty(),
                    "empty AUTH initial response", input);
        }
    }

    private static void checkHeloName(String name, byte[] input) {
        check(!name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127), () -> "bad HELO name " + esc(name), input);
    }
}
