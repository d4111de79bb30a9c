package io.mxgate.core.smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplyTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', nullValues = "NULL", textBlock = """
            2.0.0       | 2.0.0
            4.7.1       | 4.7.1
            5.1.1       | 5.1.1
            5.999.999   | 5.999.999
            5.01.001    | 5.1.1
            2.10.5      | 2.10.5
            3.0.0       | NULL
            1.0.0       | NULL
            6.0.0       | NULL
            5.1         | NULL
            5.1.1.1     | NULL
            5..1        | NULL
            5.1.        | NULL
            .5.1        | NULL
            a.b.c       | NULL
            5.1000.1    | NULL
            5.1.1000    | NULL
            5.1.-1      | NULL
            ' 5.1.1'    | NULL
            ''          | NULL
            # RFC 3463: class is one digit, subject and detail 1*3digit; no signs
            +5.1.1      | NULL
            5.+1.1      | NULL
            5.1.+1      | NULL
            5.-0.1      | NULL
            05.1.1      | NULL
            """)
    void parsesEnhancedStatus(String text, String expected) {
        EnhancedStatus status = EnhancedStatus.parse(text);
        assertEquals(expected, status == null ? null : status.toString());
    }

    @ParameterizedTest(name = "[{index}] {0} with class of {1} -> {2}")
    @CsvSource({
            "5.1.1, 450, 4.1.1",
            "5.1.1, 550, 5.1.1",
            "4.2.2, 552, 5.2.2",
            "2.0.0, 250, 2.0.0",
            "5.7.1, 250, 2.7.1",
    })
    void withClassOf(String status, int code, String expected) {
        assertEquals(expected, EnhancedStatus.parse(status).withClassOf(code).toString());
    }

    @ParameterizedTest(name = "[{index}] {0}.{1}.{2}")
    @CsvSource({"3, 0, 0", "0, 0, 0", "5, -1, 0", "5, 0, -1", "5, 1000, 0", "4, 0, 1000"})
    void enhancedStatusRejectsOutOfRange(int klass, int subject, int detail) {
        assertThrows(IllegalArgumentException.class, () -> EnhancedStatus.of(klass, subject, detail));
    }

    @ParameterizedTest(name = "[{index}] code {0}")
    @CsvSource({"199", "600", "0", "-250", "1000"})
    void replyRejectsCodesOutOfRange(int code) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.of(code, (EnhancedStatus) null, "x"));
        assertEquals("reply code out of range: " + code, e.getMessage());
    }

    @Test
    void replyNeedsALine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reply(250, null, List.of()));
        assertEquals("a reply has at least one line", e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            250 | true  | false | false
            354 | true  | false | false
            421 | false | true  | false
            452 | false | true  | false
            499 | false | true  | false
            500 | false | false | true
            554 | false | false | true
            """)
    void classification(int code, boolean positive, boolean transientFailure, boolean permanent) {
        Reply r = Reply.of(code, (EnhancedStatus) null, "x");
        assertEquals(positive, r.isPositive());
        assertEquals(transientFailure, r.isTransient());
        assertEquals(permanent, r.isPermanent());
    }

    @Test
    void wireAndOneLineForms() {
        assertEquals("250 2.1.5 Ok\r\n", Replies.RECIPIENT_OK.wire());
        assertEquals("250 2.1.5 Ok", Replies.RECIPIENT_OK.oneLine());
        assertEquals("354 End data with <CR><LF>.<CR><LF>\r\n", Replies.START_DATA.wire());
        assertEquals("220 mx.example ESMTP mxgate\r\n", Replies.greeting("mx.example").wire());
        Reply ehlo = Replies.ehlo("mx.example", List.of("PIPELINING", "SIZE 10240000", "8BITMIME"));
        assertEquals("250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n", ehlo.wire());
        assertEquals("250 mx.example PIPELINING SIZE 10240000 8BITMIME", ehlo.oneLine());
        Reply multi = new Reply(550, EnhancedStatus.of(5, 7, 1), List.of("first", "second"));
        assertEquals("550-5.7.1 first\r\n550 5.7.1 second\r\n", multi.wire());
        assertArrayEquals("550-5.7.1 first\r\n550 5.7.1 second\r\n".getBytes(StandardCharsets.US_ASCII), multi.wireBytes());
        assertEquals("550 5.7.1 first second", multi.oneLine());
        assertEquals("first", multi.text());
        assertEquals(Reply.of(550, "5.7.1", "other"), multi.withText("other"));
    }

    @Test
    void catalogueTextsMatchPostfix() {
        assertEquals("554 5.7.1 <u@example.test>: Relay access denied",
                Replies.relayAccessDenied(new io.mxgate.core.address.MailAddress("u", "Example.TEST")).oneLine());
        assertEquals("250 2.0.0 Ok: queued as ABC123", Replies.queued("ABC123").oneLine());
        assertEquals("421 4.4.2 mx.example Error: timeout exceeded", Replies.timeout("mx.example").oneLine());
        assertEquals("552 5.3.4 Message size exceeds fixed limit", Replies.MESSAGE_TOO_BIG.oneLine());
        assertEquals("500 5.5.2 Error: command line too long", Replies.LINE_TOO_LONG.oneLine());
    }
}
