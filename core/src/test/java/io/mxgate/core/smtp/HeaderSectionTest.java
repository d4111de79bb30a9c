package io.mxgate.core.smtp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class HeaderSectionTest {

    static Stream<Arguments> cases() {
        String longValue = "x".repeat(40);
        return Stream.of(
                arguments("within the limit nothing changes",
                        "Subject: hi\r\n\r\nbody\r\n", 30,
                        "Subject: hi\r\n\r\nbody\r\n", 0, 0),
                arguments("a header exactly at the limit is kept whole",
                        "Subject: 1234567\r\n\r\nb\r\n", 19,
                        "Subject: 1234567\r\n\r\nb\r\n", 0, 0),
                arguments("continuation lines past the limit are discarded, the next header stays",
                        "Subject: a\r\n b\r\n c\r\n d\r\nTo: t\r\n\r\nbody\r\n", 16,
                        "Subject: a\r\n b\r\nTo: t\r\n\r\nbody\r\n", 0, 1),
                arguments("a single line over the limit is cut and still ends in CRLF",
                        "Subject: " + longValue + "\r\n\r\nbody\r\n", 12,
                        "Subject: x\r\n\r\nbody\r\n", 0, 1),
                arguments("its continuation lines go too",
                        "Subject: " + longValue + "\r\n more\r\nX: y\r\n\r\nbody\r\n", 12,
                        "Subject: x\r\nX: y\r\n\r\nbody\r\n", 0, 1),
                arguments("two long headers count twice",
                        "A: " + longValue + "\r\nB: " + longValue + "\r\n\r\n", 8,
                        "A: xxx\r\nB: xxx\r\n\r\n", 0, 2),
                arguments("the body is never touched, however long its lines",
                        "S: s\r\n\r\n" + longValue + "\r\n Received: x\r\n", 8,
                        "S: s\r\n\r\n" + longValue + "\r\n Received: x\r\n", 0, 0),
                arguments("a line that is no header ends the section without an empty line",
                        "S: s\r\nnot a header " + longValue + "\r\nReceived: x\r\n", 8,
                        "S: s\r\nnot a header " + longValue + "\r\nReceived: x\r\n", 0, 0),
                arguments("a leading blank line is body",
                        " folded\r\nReceived: x\r\n", 8,
                        " folded\r\nReceived: x\r\n", 0, 0),
                arguments("Received headers are counted case-insensitively, blanks before the colon allowed",
                        "Received: a\r\nRECEIVED : b\r\n\tfolded\r\nReceived-SPF: pass\r\nX-Received: c\r\n\r\n", 100,
                        "Received: a\r\nRECEIVED : b\r\n\tfolded\r\nReceived-SPF: pass\r\nX-Received: c\r\n\r\n", 2, 0),
                arguments("a name with a space is no header",
                        "Bad Name: v\r\nReceived: x\r\n\r\n", 100,
                        "Bad Name: v\r\nReceived: x\r\n\r\n", 0, 0),
                arguments("a tiny limit still keeps the name and its colon",
                        "Subject: hello\r\nReceived: x\r\n\r\n", 4,
                        "Subject:\r\nReceived:\r\n\r\n", 1, 2),
                arguments("headers only, no body",
                        "Received: a\r\nS: " + longValue + "\r\n", 13,
                        "Received: a\r\nS: xxxxxxxx\r\n", 1, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void limitsHeadersAndCountsHops(String name, String message, int limit, String expected, int hops, int truncated) {
        byte[] bytes = (message + "trailing garbage beyond length").getBytes(StandardCharsets.ISO_8859_1);
        HeaderSection.Result result = HeaderSection.limit(bytes, message.length(), limit);
        assertEquals(expected, new String(bytes, 0, result.length(), StandardCharsets.ISO_8859_1));
        assertEquals(hops, result.hops(), "hops");
        assertEquals(truncated, result.truncatedHeaders(), "truncated headers");
    }

    static Stream<Arguments> messageIds() {
        return Stream.of(
                arguments("none", "Subject: s\r\n\r\nMessage-ID: <body@x>\r\n", 100, null),
                arguments("any case, blanks trimmed", "Subject: s\r\nmessage-id :  <a@b.test> \r\n\r\n", 100, "<a@b.test>"),
                arguments("folded onto the next line", "Message-ID:\r\n <folded@b.test>\r\n\r\n", 100, "<folded@b.test>"),
                arguments("the first of two", "Message-ID: <1@b>\r\nMessage-ID: <2@b>\r\n\r\n", 100, "<1@b>"),
                arguments("Resent-Message-ID is another header", "Resent-Message-ID: <r@b>\r\n\r\n", 100, null),
                arguments("cut at header_size_limit like the header itself",
                        "Message-ID: <" + "x".repeat(40) + "@b>\r\n\r\n", 22, "<xxxxxxx"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messageIds")
    void findsTheMessageIdCleanupLogs(String name, String message, int limit, String expected) {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(expected, HeaderSection.limit(bytes, bytes.length, limit).messageId());
    }
}
