package io.mxgate.core.milter;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Header and body changes as Postfix's cleanup_milter.c applies them, Sendmail 8.13's index rules included. */
class MilterMessageTest {

    private static final String OURS = "Received: from client.test (unknown [127.0.0.1])\r\n"
            + "\tby mx.example.test (mxgate) with ESMTP id 4Q1; Tue, 8 Dec 2026 02:00:00 +0000 (UTC)\r\n";
    private static final String PREPEND = "X-Greylist: delayed 2 seconds\r\n";
    private static final String CLIENT = "Received: from far.away by client.test\r\n"
            + "Subject: hello\r\n"
            + "  world\r\n"
            + "Received: from further.away by far.away\r\n"
            + "From: <s@remote.test>\r\n"
            + "\r\n"
            + "body line 1\r\n"
            + "\r\n"
            + "body line 3\r\n";

    private static MilterMessage message() {
        byte[] bytes = (PREPEND + OURS + CLIENT).getBytes(StandardCharsets.ISO_8859_1);
        return MilterMessage.parse(bytes, bytes.length, PREPEND.length());
    }

    private static String text(MilterMessage m) {
        return new String(m.toBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void anUnchangedMessageIsWrittenBackByteForByte() {
        assertEquals(PREPEND + OURS + CLIENT, text(message()));
    }

    @Test
    void filtersSeeTheHeadersAsReceivedWithoutOurReceivedHeader() {
        assertEquals(List.of(
                new MilterCommand.Header("X-Greylist", "delayed 2 seconds"),
                new MilterCommand.Header("Received", "from far.away by client.test"),
                new MilterCommand.Header("Subject", "hello\n  world"),
                new MilterCommand.Header("Received", "from further.away by far.away"),
                new MilterCommand.Header("From", "<s@remote.test>")), message().headers(false));
        assertEquals(" hello\n  world", message().headers(true).get(2).value(), "SMFIP_HDR_LEADSPC keeps the space");
    }

    @Test
    void theBodyGoesInChunks() {
        assertEquals(List.of(new MilterCommand.Body("body line 1\r\n\r\nbody line 3\r\n"
                .getBytes(StandardCharsets.ISO_8859_1))), message().bodyChunks());
        byte[] big = ("Subject: x\r\n\r\n" + "a".repeat(MilterProtocol.CHUNK_SIZE + 10))
                .getBytes(StandardCharsets.ISO_8859_1);
        List<MilterCommand.Body> chunks = MilterMessage.parse(big, big.length, -1).bodyChunks();
        assertEquals(List.of(MilterProtocol.CHUNK_SIZE, 10), chunks.stream().map(c -> c.chunk().length).toList());
    }

    @Test
    void addedHeadersGoAfterTheLastHeaderWithCrlfLineBreaks() {
        MilterMessage m = message();
        m.addHeader("X-Spamd-Result", "default: False [0.00 / 15.00];\n\tR_SPF_NA(0.00)[]", false);
        m.addHeader("X-Spam", "Yes", false);
        assertEquals(PREPEND + OURS + CLIENT.replace("From: <s@remote.test>\r\n", "From: <s@remote.test>\r\n"
                + "X-Spamd-Result: default: False [0.00 / 15.00];\r\n\tR_SPF_NA(0.00)[]\r\nX-Spam: Yes\r\n"), text(m));
    }

    @Test
    void insertIndexCountsEveryHeaderSoZeroIsAboveOurReceivedHeader() {
        MilterMessage m = message();
        m.insertHeader(0, "Authentication-Results", "mx.example.test; dkim=pass", false);
        m.insertHeader(3, "X-Third", "3", false);
        m.insertHeader(1000, "X-Last", "end", false);
        assertEquals("Authentication-Results: mx.example.test; dkim=pass\r\n" + PREPEND + OURS + "X-Third: 3\r\n"
                + CLIENT.replace("From: <s@remote.test>\r\n", "From: <s@remote.test>\r\nX-Last: end\r\n"), text(m));
    }

    @Test
    void changeAndDeleteCountOnlyTheHeadersAsReceived() {
        MilterMessage m = message();
        m.changeHeader(1, "subject", "[SPAM] hello", false);
        m.changeHeader(2, "Received", "", false);
        m.changeHeader(0, "From", "<other@remote.test>", false);
        m.changeHeader(1, "X-Absent", "", false);
        m.changeHeader(3, "X-New", "added", false);
        assertEquals(PREPEND + OURS + "Received: from far.away by client.test\r\n"
                + "Subject: [SPAM] hello\r\n"
                + "From: <other@remote.test>\r\n"
                + "X-New: added\r\n"
                + "\r\nbody line 1\r\n\r\nbody line 3\r\n", text(m));
    }

    @Test
    void aNewBodyEndsEveryLineInCrlf() {
        MilterMessage m = message();
        m.replaceBody("one\ntwo\r\nthree".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(PREPEND + OURS + CLIENT.substring(0, CLIENT.indexOf("\r\n\r\n") + 4) + "one\r\ntwo\r\nthree\r\n",
                text(m));
    }

    @Test
    void aMessageWithoutBodyOrSeparatorStaysSo() {
        byte[] bytes = "Subject: only headers\r\n".getBytes(StandardCharsets.ISO_8859_1);
        MilterMessage m = MilterMessage.parse(bytes, bytes.length, -1);
        assertEquals("Subject: only headers\r\n", text(m));
        assertEquals(List.of(), m.bodyChunks());
        m.addHeader("X-Spam", "No", false);
        assertEquals("Subject: only headers\r\nX-Spam: No\r\n", text(m));
    }

    @Test
    void aLineThatIsNoHeaderStartsTheBody() {
        byte[] bytes = "Subject: x\r\nnot a header line\r\nmore\r\n".getBytes(StandardCharsets.ISO_8859_1);
        MilterMessage m = MilterMessage.parse(bytes, bytes.length, -1);
        assertEquals(List.of(new MilterCommand.Header("Subject", "x")), m.headers(false));
        assertEquals("Subject: x\r\nnot a header line\r\nmore\r\n", text(m));
    }
}
