package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.core.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Optional;
import java.util.stream.Stream;

import static io.mxgate.core.verify.VerifyStatus.BOUNCE;
import static io.mxgate.core.verify.VerifyStatus.DEFER;
import static io.mxgate.core.verify.VerifyStatus.OK;
import static io.mxgate.core.verify.VerifyStatus.TODO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Postfix's reject_unverified_recipient replies, one exact wire line per row. */
class UnverifiedRecipientRepliesTest {

    static final MailAddress GHOST = new MailAddress("ghost", "example.test");
    static final String BOUNCE_TEXT = "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't "
            + "exist: ghost@example.test (in reply to RCPT TO command)";
    static final String DEFER_TEXT = "host 127.0.0.1[127.0.0.1] said: 451 4.3.0 <ghost@example.test>: Temporary "
            + "lookup failure (in reply to RCPT TO command)";
    static final String IN_PROGRESS = VerifyAnswer.IN_PROGRESS;
    static final String PREFIX = "<ghost@example.test>: Recipient address rejected: ";

    static Optional<String> none() {
        return Optional.empty();
    }

    /** rejectCode, deferCode, rejectReason, status, text, expected oneLine (null: no reply, later rules decide). */
    static Stream<Arguments> answers() {
        return Stream.of(
                // BOUNCE: unverified_recipient_reject_code, enhanced status class follows the code; a 4xx says
                // "unverified address", a 5xx "undeliverable address" (the seed's 450 and 577, the reference
                // Postfix's replies)
                arguments(450, 450, none(), BOUNCE, BOUNCE_TEXT,
                        "450 4.1.1 <ghost@example.test>: Recipient address rejected: unverified address: host "
                                + "127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't exist: "
                                + "ghost@example.test (in reply to RCPT TO command)"),
                arguments(577, 450, none(), BOUNCE, BOUNCE_TEXT, "577 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                arguments(550, 450, none(), BOUNCE, BOUNCE_TEXT, "550 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                arguments(554, 451, none(), BOUNCE, BOUNCE_TEXT, "554 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                arguments(421, 450, none(), BOUNCE, BOUNCE_TEXT, "421 4.1.1 " + PREFIX + "unverified address: " + BOUNCE_TEXT),
                arguments(400, 450, none(), BOUNCE, BOUNCE_TEXT, "400 4.1.1 " + PREFIX + "unverified address: " + BOUNCE_TEXT),
                arguments(599, 450, none(), BOUNCE, BOUNCE_TEXT, "599 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                // unverified_recipient_reject_reason replaces the next hop's text; blank means unset
                arguments(550, 450, Optional.of("Recipient address lookup failed"), BOUNCE, BOUNCE_TEXT,
                        "550 5.1.1 " + PREFIX + "undeliverable address: Recipient address lookup failed"),
                arguments(450, 450, Optional.of("no such user here"), BOUNCE, BOUNCE_TEXT,
                        "450 4.1.1 " + PREFIX + "unverified address: no such user here"),
                arguments(550, 450, Optional.of(""), BOUNCE, BOUNCE_TEXT,
                        "550 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                arguments(550, 450, Optional.of("   "), BOUNCE, BOUNCE_TEXT,
                        "550 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                arguments(550, 450, Optional.of("\t"), BOUNCE, BOUNCE_TEXT,
                        "550 5.1.1 " + PREFIX + "undeliverable address: " + BOUNCE_TEXT),
                // DEFER: unverified_recipient_defer_code, the reject reason never applies
                arguments(450, 450, none(), DEFER, DEFER_TEXT, "450 4.1.1 " + PREFIX + "unverified address: " + DEFER_TEXT),
                arguments(550, 451, none(), DEFER, DEFER_TEXT, "451 4.1.1 " + PREFIX + "unverified address: " + DEFER_TEXT),
                arguments(550, 450, Optional.of("no such user here"), DEFER, DEFER_TEXT,
                        "450 4.1.1 " + PREFIX + "unverified address: " + DEFER_TEXT),
                arguments(450, 499, none(), DEFER, "connect to mx.example.test[192.0.2.1]:25: Connection refused",
                        "499 4.1.1 " + PREFIX + "unverified address: connect to mx.example.test[192.0.2.1]:25: Connection refused"),
                // TODO: in progress, also the defer code
                arguments(450, 450, none(), TODO, IN_PROGRESS,
                        "450 4.1.1 <ghost@example.test>: Recipient address rejected: unverified address: Address verification in progress"),
                arguments(550, 451, none(), TODO, IN_PROGRESS, "451 4.1.1 " + PREFIX + "unverified address: " + IN_PROGRESS),
                arguments(550, 400, Optional.of("no such user here"), TODO, IN_PROGRESS,
                        "400 4.1.1 " + PREFIX + "unverified address: " + IN_PROGRESS),
                // OK: DUNNO
                arguments(450, 450, none(), OK, "250 2.1.5 Ok", null),
                arguments(550, 451, Optional.of("no such user here"), OK, "250 2.1.5 Ok", null),
                arguments(577, 499, none(), OK, "", null));
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} reason={2} {3} -> {5}")
    @MethodSource("answers")
    void forAnswer(int rejectCode, int deferCode, Optional<String> rejectReason, VerifyStatus status, String text,
                   String expected) {
        UnverifiedRecipientReplies replies = new UnverifiedRecipientReplies(rejectCode, deferCode, rejectReason);
        for (boolean cached : new boolean[] {true, false}) {
            Reply reply = replies.forAnswer(GHOST, new VerifyAnswer(status, text, cached));
            if (expected == null) {
                assertNull(reply);
            } else {
                assertEquals(expected, reply.oneLine());
                assertEquals(expected + "\r\n", reply.wire());
            }
        }
    }

    @Test
    void recipientIsBracketedWithLowerCaseDomain() {
        UnverifiedRecipientReplies replies = new UnverifiedRecipientReplies(550, 450, Optional.empty());
        Reply reply = replies.forAnswer(new MailAddress("Ghost.User", "Example.TEST"),
                new VerifyAnswer(BOUNCE, "550 5.1.1 User unknown", true));
        assertEquals("550 5.1.1 <Ghost.User@example.test>: Recipient address rejected: undeliverable address: "
                + "550 5.1.1 User unknown", reply.oneLine());
    }

    /** rejectCode, deferCode, reason: the verifier could not be asked, always 450 4.1.1. */
    @ParameterizedTest(name = "[{index}] {0}/{1} reason={2}")
    @CsvSource(nullValues = "-", textBlock = """
            450, 450, -
            550, 450, -
            577, 499, no such user here
            421, 400, -
            599, 451, '   '
            """)
    void problem(int rejectCode, int deferCode, String reason) {
        UnverifiedRecipientReplies replies = new UnverifiedRecipientReplies(rejectCode, deferCode, Optional.ofNullable(reason));
        Reply reply = replies.problem(GHOST);
        assertEquals("450 4.1.1 <ghost@example.test>: Recipient address rejected: address verification problem",
                reply.oneLine());
    }

    @ParameterizedTest(name = "[{index}] reject {0}, defer {1}")
    @CsvSource(textBlock = """
            399, 450
            600, 450
            250, 450
            0,   450
            -550, 450
            450, 550
            450, 399
            450, 500
            450, 600
            450, 250
            550, 554
            """)
    void invalidCodes(int rejectCode, int deferCode) {
        assertThrows(IllegalArgumentException.class,
                () -> new UnverifiedRecipientReplies(rejectCode, deferCode, Optional.empty()));
    }

    @ParameterizedTest(name = "[{index}] reject {0}, defer {1}")
    @CsvSource(textBlock = """
            400, 400
            499, 499
            500, 450
            599, 450
            421, 421
            """)
    void validCodeBoundaries(int rejectCode, int deferCode) {
        UnverifiedRecipientReplies replies = new UnverifiedRecipientReplies(rejectCode, deferCode, Optional.empty());
        assertEquals(rejectCode, replies.forAnswer(GHOST, new VerifyAnswer(BOUNCE, "x", true)).code());
        assertEquals(deferCode, replies.forAnswer(GHOST, new VerifyAnswer(DEFER, "x", true)).code());
    }
}
