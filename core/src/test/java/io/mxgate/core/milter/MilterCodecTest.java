package io.mxgate.core.milter;

import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.smtp.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The milter wire format, both directions, as libmilter's mfdef.h and Postfix's milter8.c lay it out. */
class MilterCodecTest {

    /** Bytes from text: {@code \0} is NUL, {@code \xNN} a byte. */
    static byte[] b(String s) {
        List<Byte> out = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && s.charAt(i + 1) == '0') {
                out.add((byte) 0);
                i++;
            } else if (c == '\\' && s.charAt(i + 1) == 'x') {
                out.add((byte) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.add((byte) c);
            }
        }
        byte[] a = new byte[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    /** A whole packet: length, command, data. */
    static byte[] packet(char code, String data) {
        byte[] d = b(data);
        byte[] p = new byte[5 + d.length];
        int len = d.length + 1;
        p[0] = (byte) (len >>> 24);
        p[1] = (byte) (len >>> 16);
        p[2] = (byte) (len >>> 8);
        p[3] = (byte) len;
        p[4] = (byte) code;
        System.arraycopy(d, 0, p, 5, d.length);
        return p;
    }

    static Stream<Arguments> commands() {
        Map<String, String> macros = new LinkedHashMap<>();
        macros.put("j", "mx.example.test");
        macros.put("{daemon_name}", "mx.example.test");
        return Stream.of(
                arguments(new MilterCommand.OptNeg(6, 0x1ff, 0x1fffff), packet('O', "\\x00\\x00\\x00\\x06"
                        + "\\x00\\x00\\x01\\xff\\x00\\x1f\\xff\\xff")),
                arguments(new MilterCommand.Macros('C', macros), packet('D',
                        "Cj\\0mx.example.test\\0{daemon_name}\\0mx.example.test\\0")),
                arguments(new MilterCommand.Connect("[127.0.0.1]", '4', 40000, "127.0.0.1"),
                        packet('C', "[127.0.0.1]\\04\\x9c\\x40127.0.0.1\\0")),
                arguments(new MilterCommand.Connect("client.test", 'U', 0, ""), packet('C', "client.test\\0U")),
                arguments(new MilterCommand.Helo("client.test"), packet('H', "client.test\\0")),
                arguments(new MilterCommand.Mail(List.of("<s@remote.test>", "SIZE=100")),
                        packet('M', "<s@remote.test>\\0SIZE=100\\0")),
                arguments(new MilterCommand.Rcpt(List.of("<alice@example.test>")),
                        packet('R', "<alice@example.test>\\0")),
                arguments(new MilterCommand.Data(), packet('T', "")),
                arguments(new MilterCommand.Header("Subject", "two\n\tlines"),
                        packet('L', "Subject\\0two\n\tlines\\0")),
                arguments(new MilterCommand.EndOfHeaders(), packet('N', "")),
                arguments(new MilterCommand.Body(b("line\r\n\\xe9\r\n")), packet('B', "line\r\n\\xe9\r\n")),
                arguments(new MilterCommand.EndOfMessage(), packet('E', "")),
                arguments(new MilterCommand.Abort(), packet('A', "")),
                arguments(new MilterCommand.Quit(), packet('Q', "")));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void commandsEncodeAndDecode(MilterCommand command, byte[] wire) {
        assertArrayEquals(wire, MilterCodec.encode(command), command.toString());
        assertEquals(command, MilterCodec.decodeCommand((char) wire[4], Arrays.copyOfRange(wire, 5, wire.length)));
    }

    static Stream<Arguments> replies() {
        Map<Integer, String> lists = new LinkedHashMap<>();
        lists.put(MilterProtocol.STAGE_EOM, "i {rcpt_addr}");
        return Stream.of(
                arguments('O', "\\x00\\x00\\x00\\x06\\x00\\x00\\x00\\x01\\x00\\x10\\x00\\x00",
                        new MilterReply.OptNeg(6, 1, 0x100000, Map.of())),
                arguments('O', "\\x00\\x00\\x00\\x06\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00"
                        + "\\x00\\x00\\x00\\x05i {rcpt_addr}\\0", new MilterReply.OptNeg(6, 0x100, 0, lists)),
                arguments('c', "", new MilterReply.Continue()),
                arguments('a', "", new MilterReply.Accept()),
                arguments('r', "", new MilterReply.Reject()),
                arguments('t', "", new MilterReply.Tempfail()),
                arguments('d', "", new MilterReply.Discard()),
                arguments('s', "", new MilterReply.Skip()),
                arguments('4', "", new MilterReply.Shutdown()),
                arguments('p', "", new MilterReply.Progress()),
                arguments('y', "554 5.7.1 Gtube pattern\\0",
                        new MilterReply.ReplyCode(Reply.of(554, "5.7.1", "Gtube pattern"))),
                arguments('y', "451 4.7.1 Try again later", // one final NUL is optional (milter8.c)
                        new MilterReply.ReplyCode(Reply.of(451, "4.7.1", "Try again later"))),
                arguments('y', "550-5.7.1 first\r\n550 5.7.1 second\\0", new MilterReply.ReplyCode(
                        new Reply(550, EnhancedStatus.parse("5.7.1"), List.of("first", "second")))),
                arguments('y', "550 5.7.1 100%% spam, 5% lone\\0",
                        new MilterReply.ReplyCode(Reply.of(550, "5.7.1", "100% spam, 5 lone"))),
                arguments('y', "421 go away\\0", new MilterReply.ReplyCode(Reply.of(421, (EnhancedStatus) null,
                        "go away"))),
                arguments('q', "spam score 20\\0", new MilterReply.Quarantine("spam score 20")),
                arguments('h', "X-Spam-Status\\0Yes, score=20\\0", new MilterReply.AddHeader("X-Spam-Status",
                        "Yes, score=20")),
                arguments('i', "\\x00\\x00\\x00\\x00Authentication-Results\\0mx; dkim=pass\\0",
                        new MilterReply.InsertHeader(0, "Authentication-Results", "mx; dkim=pass")),
                arguments('m', "\\x00\\x00\\x00\\x02Subject\\0\\0", new MilterReply.ChangeHeader(2, "Subject", "")),
                arguments('e', "<new@example.test>\\0", new MilterReply.ChangeSender("<new@example.test>", null)),
                arguments('e', "<new@example.test>\\0RET=HDRS\\0",
                        new MilterReply.ChangeSender("<new@example.test>", "RET=HDRS")),
                arguments('+', "<bcc@example.test>\\0", new MilterReply.AddRecipient("<bcc@example.test>", null)),
                arguments('2', "<bcc@example.test>\\0NOTIFY=NEVER\\0",
                        new MilterReply.AddRecipient("<bcc@example.test>", "NOTIFY=NEVER")),
                arguments('-', "<alice@example.test>\\0", new MilterReply.DeleteRecipient("<alice@example.test>")),
                arguments('b', "new body\r\n", new MilterReply.ReplaceBody(b("new body\r\n"))));
    }

    @ParameterizedTest
    @MethodSource("replies")
    void repliesDecodeAndEncodeBack(char code, String data, MilterReply expected) {
        MilterReply reply = MilterCodec.decodeReply(code, b(data));
        assertEquals(expected, reply);
        byte[] again = MilterCodec.encode(reply);
        assertEquals(reply, MilterCodec.decodeReply((char) again[4], Arrays.copyOfRange(again, 5, again.length)));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments('c', "x", "followed by 1 data bytes"),
                arguments('r', "\\0", "followed by 1 data bytes"),
                arguments('O', "\\x00\\x00\\x00\\x06", "too short"),
                arguments('h', "X-Name\\0no terminator", "string without NUL"),
                arguments('h', "X-Name\\0value\\0extra", "followed by 5 data bytes"),
                arguments('i', "\\x00\\x00", "too short"),
                arguments('y', "250 2.0.0 ok\\0", "malformed reply"),
                arguments('y', "554-5.7.1 a dash on the last line\\0", "malformed reply"),
                arguments('y', "554 4.7.1 status of another class\\0", "malformed reply"),
                arguments('y', "554 5.7.1 first\n554 5.7.1 bare LF\\0", "malformed reply"),
                arguments('y', "550-5.7.1 first\r\n451 4.7.1 other code\\0", "malformed reply"),
                arguments('y', "554 5.7.1 NUL\\0inside\\0", "NUL inside"),
                arguments('y', "55\\0", "malformed reply"),
                arguments('y', "", "malformed reply"),
                arguments('Z', "", "unknown reply 'Z'"),
                arguments('\u0000', "", "unknown reply 0x00"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRepliesAreRefused(char code, String data, String why) {
        MalformedMilterPacketException e = assertThrows(MalformedMilterPacketException.class,
                () -> MilterCodec.decodeReply(code, b(data)));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void framesAreCutFromAnyPiecesOfTheStream() {
        byte[] stream = concat(MilterCodec.encode(new MilterReply.Progress()),
                MilterCodec.encode(new MilterReply.AddHeader("X-Spamd-Result", "default: False [0.00 / 15.00]")),
                MilterCodec.encode(new MilterReply.Continue()));
        for (int split = 0; split <= stream.length; split++) {
            MilterFrameDecoder d = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
            List<MilterReply> got = new ArrayList<>();
            d.feed(Arrays.copyOfRange(stream, 0, split));
            drain(d, got);
            d.feed(Arrays.copyOfRange(stream, split, stream.length));
            drain(d, got);
            assertEquals(List.of(new MilterReply.Progress(), new MilterReply.AddHeader("X-Spamd-Result",
                    "default: False [0.00 / 15.00]"), new MilterReply.Continue()), got, "split at " + split);
            assertEquals(0, d.buffered());
        }
    }

    @Test
    void aLengthOutOfBoundsIsMalformedBeforeAnythingIsBuffered() {
        MilterFrameDecoder zero = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
        zero.feed(b("\\x00\\x00\\x00\\x00c"));
        assertThrows(MalformedMilterPacketException.class, zero::next);
        assertThrows(MalformedMilterPacketException.class, zero::next, "the stream stays out of sync");

        MilterFrameDecoder huge = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
        huge.feed(b("\\x7f\\xff\\xff\\xffy"));
        MalformedMilterPacketException e = assertThrows(MalformedMilterPacketException.class, huge::next);
        assertTrue(e.getMessage().contains("2147483647"), e.getMessage());

        MilterFrameDecoder http = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
        http.feed("HTTP/1.1 400 Bad Request\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(MalformedMilterPacketException.class, http::next, "'HTTP' as a length is 1.2 GB");
    }

    @Test
    void anIncompletePacketWaits() {
        MilterFrameDecoder d = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);
        d.feed(b("\\x00\\x00"));
        assertNull(d.next());
        d.feed(b("\\x00\\x05h"));
        assertNull(d.next());
        assertEquals(5, d.buffered());
    }

    private static void drain(MilterFrameDecoder d, List<MilterReply> out) {
        for (MilterFrameDecoder.Packet p; (p = d.next()) != null; ) {
            out.add(MilterCodec.decodeReply(p.code(), p.data()));
        }
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[0];
        for (byte[] p : parts) {
            byte[] n = Arrays.copyOf(out, out.length + p.length);
            System.arraycopy(p, 0, n, out.length, p.length);
            out = n;
        }
        return out;
    }
}
