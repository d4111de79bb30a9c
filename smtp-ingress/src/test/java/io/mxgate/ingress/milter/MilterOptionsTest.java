package io.mxgate.ingress.milter;

import io.mxgate.core.milter.MilterProtocol;
import io.mxgate.core.smtp.Replies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The milter settings as Postfix reads them, and what a bad one says at start. */
class MilterOptionsTest {

    @ParameterizedTest
    @CsvSource({
            "inet:127.0.0.1:11332, 127.0.0.1, 11332",
            "inet:rspamd.mail.svc:11332, rspamd.mail.svc, 11332",
            "inet:[::1]:8891, ::1, 8891"})
    void endpoints(String spec, String host, int port) {
        assertEquals(new MilterOptions.Endpoint(host, port), MilterOptions.endpoint(spec));
        assertEquals(spec.replace("[::1]", "::1"), MilterOptions.endpoint(spec).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:/run/rspamd.sock", "inet:11332@localhost", "inet:host:", "inet:host:0",
            "inet:host:99999", "{", "11332"})
    void badEndpointsStopTheStartNamingTheKey(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MilterOptions.endpoint(spec));
        assertTrue(e.getMessage().startsWith("mxgate.smtpd-milters: expected inet:host:port"), e.getMessage());
    }

    /** Version 6 offers every no-reply step (Postfix's MILTER8_V6_PROTO_MASK); no_header_reply adds one to older ones. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "6 | 6 | true",
            "6 no_header_reply | 6 | true",
            "no_header_reply, 2 | 2 | true",
            "4 | 4 | false"})
    void protocol(String spec, int version, boolean noHeaderReply) {
        MilterOptions.Protocol p = MilterOptions.protocol(spec);
        assertEquals(version, p.version());
        assertEquals(noHeaderReply, (p.steps() & MilterProtocol.NR_HEADER) != 0);
        assertEquals(version >= 4, (p.steps() & MilterProtocol.NO_DATA) != 0, "DATA is an event from version 4 on");
        assertEquals(0, p.steps() & MilterProtocol.RCPT_REJECTED, "rejected recipients are never sent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "6 4", "7", "six"})
    void badProtocols(String spec) {
        assertThrows(IllegalArgumentException.class, () -> MilterOptions.protocol(spec));
    }

    @ParameterizedTest
    @CsvSource({
            "tempfail, 451 4.7.1 Service unavailable - try again later",
            "TEMPFAIL, 451 4.7.1 Service unavailable - try again later",
            "reject, 550 5.5.0 Service unavailable"})
    void defaultActionsAnswerWithPostfixsReplies(String spec, String reply) {
        MilterOutcome o = MilterOptions.defaultAction(spec).communicationError;
        assertEquals(reply, ((MilterOutcome.Reject) o).reply().oneLine());
        assertEquals(Replies.MILTER_CONFIGURATION_PROBLEM,
                ((MilterOutcome.Reject) MilterOptions.defaultAction(spec).configurationError).reply(),
                "a filter asking the impossible is never a permanent reject (milter8_conf_error)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"quarantine", "shutdown", "discard", ""})
    void quarantineAndOthersAreRefused(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MilterOptions.defaultAction(spec));
        assertTrue(e.getMessage().startsWith("mxgate.milter-default-action: expected tempfail, reject or accept"));
    }
}
