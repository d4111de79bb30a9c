package io.mxgate.core.smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ReplyParserTest {

    private static Reply reply(int code, String status, String... lines) {
        return new Reply(code, status == null ? null : EnhancedStatus.parse(status), List.of(lines));
    }

    /** Feeds all lines; every line but the last must return null, the last the reply. */
    private static Reply parseAll(ReplyParser parser, List<String> lines) {
        for (int i = 0; i < lines.size() - 1; i++) {
            Reply early = parser.accept(lines.get(i));
            assertNull(early, "reply completed early at line " + (i + 1) + ": " + lines.get(i));
        }
        return parser.accept(lines.get(lines.size() - 1));
    }

    static Stream<Arguments> wellFormed() {
        return Stream.of(
                arguments(List.of("250 2.1.0 Ok"), reply(250, "2.1.0", "Ok")),
                arguments(List.of("220 mx.example ESMTP Postfix"), reply(220, null, "mx.example ESMTP Postfix")),
                arguments(List.of("354 End data with <CR><LF>.<CR><LF>"), reply(354, null, "End data with <CR><LF>.<CR><LF>")),
                arguments(List.of("550 5.1.1 <u@example.test>: Recipient address rejected: User unknown"),
                        reply(550, "5.1.1", "<u@example.test>: Recipient address rejected: User unknown")),
                arguments(List.of("451 4.3.0 Error: queue file write error"), reply(451, "4.3.0", "Error: queue file write error")),
                // a bare code, a code with an empty text, a status without text
                arguments(List.of("250"), reply(250, null, "")),
                arguments(List.of("250 "), reply(250, null, "")),
                arguments(List.of("250 2.0.0"), reply(250, "2.0.0", "")),
                // a status whose class disagrees with the code is text, not status
                arguments(List.of("250 5.1.1 odd"), reply(250, null, "5.1.1 odd")),
                arguments(List.of("550 2.0.0 odd"), reply(550, null, "2.0.0 odd")),
                // text that merely looks numeric
                arguments(List.of("250 1.2.3 x"), reply(250, null, "1.2.3 x")),
                arguments(List.of("250 2.0 x"), reply(250, null, "2.0 x")),
                arguments(List.of("250 2.0.0.0 x"), reply(250, null, "2.0.0.0 x")),
                arguments(List.of("250 2.0.1000 x"), reply(250, null, "2.0.1000 x")),
                // multi-line without status (an EHLO reply)
                arguments(List.of("250-mx.example", "250-PIPELINING", "250-SIZE 10240000", "250 8BITMIME"),
                        reply(250, null, "mx.example", "PIPELINING", "SIZE 10240000", "8BITMIME")),
                // multi-line with status on every line: stripped from each, the first one wins
                arguments(List.of("550-5.1.1 first", "550-5.1.1 second", "550 5.1.1 third"),
                        reply(550, "5.1.1", "first", "second", "third")),
                arguments(List.of("550-5.7.1 first", "550 5.1.1 second"), reply(550, "5.7.1", "first", "second")),
                arguments(List.of("421-4.3.2 first", "421 last"), reply(421, "4.3.2", "first", "last")),
                arguments(List.of("250-", "250 x"), reply(250, null, "", "x")),
                // exactly 100 lines is allowed
                arguments(hundredLines(100), hundredReply(100)));
    }

    private static List<String> hundredLines(int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            lines.add("250-line " + i);
        }
        lines.add("250 line " + count);
        return lines;
    }

    private static Reply hundredReply(int count) {
        String[] texts = new String[count];
        for (int i = 0; i < count; i++) {
            texts[i] = "line " + (i + 1);
        }
        return reply(250, null, texts);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("wellFormed")
    void parsesWellFormedReplies(List<String> lines, Reply expected) {
        assertEquals(expected, parseAll(new ReplyParser(), lines));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                 | 'malformed reply: '
            hello              | malformed reply: hello
            25                 | malformed reply: 25
            '250x'             | malformed reply: 250x
            '2500 too long'    | malformed reply: 2500 too long
            '250_ok'           | malformed reply: 250_ok
            ' 250 ok'          | malformed reply:  250 ok
            '199 too low'      | malformed reply: 199 too low
            '600 too high'     | malformed reply: 600 too high
            '099 x'            | malformed reply: 099 x
            '2a0 x'            | malformed reply: 2a0 x
            'HTTP/1.1 400 Bad' | malformed reply: HTTP/1.1 400 Bad
            """)
    void rejectsGarbage(String line, String message) {
        ReplyParser.MalformedReplyException e =
                assertThrows(ReplyParser.MalformedReplyException.class, () -> new ReplyParser().accept(line));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} then {1}")
    @CsvSource(delimiter = '|', textBlock = """
            250-first | 251 second
            250-first | 550 second
            550-first | 551-second
            250-first | garbage
            """)
    void rejectsMismatchedCodesAndGarbageInsideAReply(String first, String second) {
        ReplyParser parser = new ReplyParser();
        assertNull(parser.accept(first));
        ReplyParser.MalformedReplyException e =
                assertThrows(ReplyParser.MalformedReplyException.class, () -> parser.accept(second));
        assertEquals("malformed reply: " + second, e.getMessage());
    }

    @Test
    void rejectsMoreThanAHundredLines() {
        ReplyParser parser = new ReplyParser();
        for (int i = 1; i < ReplyParser.MAX_LINES; i++) {
            assertNull(parser.accept("250-line " + i));
        }
        // the 100th line is another continuation: the reply would have at least 101 lines
        ReplyParser.MalformedReplyException e =
                assertThrows(ReplyParser.MalformedReplyException.class, () -> parser.accept("250-line 100"));
        assertEquals("malformed reply: more than 100 lines in one reply", e.getMessage());
    }

    @Test
    void longGarbageIsAbbreviatedInTheMessage() {
        String line = "x".repeat(200);
        ReplyParser.MalformedReplyException e =
                assertThrows(ReplyParser.MalformedReplyException.class, () -> new ReplyParser().accept(line));
        assertEquals("malformed reply: " + "x".repeat(80) + "...", e.getMessage());
    }

    @Test
    void parserIsReusableAfterACompleteReply() {
        ReplyParser parser = new ReplyParser();
        assertEquals(reply(250, null, "a", "b"), parseAll(parser, List.of("250-a", "250 b")));
        assertEquals(reply(354, null, "go ahead"), parser.accept("354 go ahead"));
        assertEquals(reply(550, "5.1.1", "no"), parseAll(parser, List.of("550 5.1.1 no")));
    }

    /** Every reply in the catalogue survives wire() -> ReplyParser unchanged. */
    static Stream<Arguments> catalogue() throws IllegalAccessException {
        List<Arguments> all = new ArrayList<>();
        for (Field f : Replies.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Reply.class) {
                all.add(arguments(f.getName(), f.get(null)));
            }
        }
        all.add(arguments("unsupportedParameter", Replies.unsupportedParameter("FOO=bar")));
        all.add(arguments("badParameterValue", Replies.badParameterValue("SIZE")));
        all.add(arguments("greeting", Replies.greeting("mx.example")));
        all.add(arguments("timeout", Replies.timeout("mx.example")));
        all.add(arguments("shuttingDown", Replies.shuttingDown("mx.example")));
        all.add(arguments("queued", Replies.queued("4Xyz0123456789")));
        all.add(arguments("helo", Replies.helo("mx.example")));
        all.add(arguments("ehlo", Replies.ehlo("mx.example", List.of("PIPELINING", "SIZE 1000", "8BITMIME"))));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void catalogueRoundTripsThroughTheWire(String name, Reply reply) {
        String wire = reply.wire();
        List<String> lines = Arrays.asList(wire.split("\r\n", -1));
        assertEquals("", lines.get(lines.size() - 1), "wire form must end in CRLF");
        assertEquals(reply, parseAll(new ReplyParser(), lines.subList(0, lines.size() - 1)));
    }
}
