package io.mxgate.core.client;

import io.mxgate.core.smtp.InputDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DotStuffedTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String stuffed(String content) {
        byte[] b = bytes(content);
        return new String(ClientConnection.dotStuffed(b, b.length).getBytes(), StandardCharsets.ISO_8859_1);
    }

    static Stream<Arguments> stuffing() {
        return Stream.of(
                arguments("", ".\r\n"),
                arguments("abc\r\n", "abc\r\n.\r\n"),
                arguments(".abc\r\n", "..abc\r\n.\r\n"),
                arguments(".\r\n", "..\r\n.\r\n"),
                arguments("..\r\n", "...\r\n.\r\n"),
                arguments("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"),
                arguments("a.b\r\n.c.\r\n", "a.b\r\n..c.\r\n.\r\n"),
                arguments("a\r\n\r\n.\r\n", "a\r\n\r\n..\r\n.\r\n"),
                // content not ending in CRLF gets one before the end marker
                arguments("abc", "abc\r\n.\r\n"),
                arguments("a\r\n.", "a\r\n..\r\n.\r\n"),
                arguments(".", "..\r\n.\r\n"),
                // a dot after a bare CR is not at a line start; after a bare LF it is
                arguments("a\r.b\r\n", "a\r.b\r\n.\r\n"),
                arguments("a\n.b\r\n", "a\n..b\r\n.\r\n"));
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("stuffing")
    void stuffsLeadingDotsAndTerminates(String content, String expected) {
        String out = stuffed(content);
        assertEquals(expected, out);
        assertTrue(out.endsWith("\r\n.\r\n") || out.equals(".\r\n"), out);
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("stuffing")
    void honoursTheLengthArgument(String content, String expected) {
        byte[] padded = bytes(content + "\r\n.\r\nTRAILING GARBAGE");
        String out = new String(ClientConnection.dotStuffed(padded, content.length()).getBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(expected, out);
    }

    /** Bodies as the decoder produces them (every line ending in CRLF): stuffing then decoding gives them back. */
    static Stream<String> bodies() {
        return Stream.of(
                "",
                "\r\n",
                "Subject: hi\r\n\r\nbody\r\n",
                ".\r\n",
                "..\r\n",
                ".\r\n.\r\n.\r\n",
                "a\r\n.\r\nMAIL FROM:<evil@example.test>\r\n.\r\n",
                ".leading\r\n..double\r\n...triple\r\n",
                "bare\rCR\r\n\r.\r\n",
                "nul\u0000byte\r\n\u00ff\u00e9\r\n",
                "x".repeat(5000) + "\r\n." + "y".repeat(3000) + "\r\n");
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("bodies")
    void decoderUndoesStuffing(String body) {
        byte[] content = bytes(body);
        byte[] wire = ClientConnection.dotStuffed(content, content.length).getBytes();
        InputDecoder decoder = new InputDecoder(1000, 1_000_000);
        decoder.startData(new byte[0]);
        decoder.feed(wire);
        InputDecoder.Event.Message m = assertInstanceOf(InputDecoder.Event.Message.class, decoder.next());
        assertEquals(body, new String(Arrays.copyOf(m.bytes(), m.length()), StandardCharsets.ISO_8859_1));
        assertEquals(false, m.sawBareNewline());
        assertNull(decoder.next());
        assertEquals(0, decoder.buffered());
    }
}
