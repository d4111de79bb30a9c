package io.mxgate.ingress.restriction;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.table.CidrTable;
import io.mxgate.core.table.PostfixTable;
import io.vertx.core.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Restrictions}: access(5) actions as verdicts with Postfix's reply texts (smtpd_check.c
 * check_table_result()), the parser and the relay guard, and real chains built by {@link Restrictions#parse} over
 * temp table files. Only elements without I/O are used, so every future is complete when returned.
 */
class RestrictionsTest {

    static final String RELAY = "mxgate.smtpd-relay-restrictions";
    static final String RCPT = "mxgate.smtpd-recipient-restrictions";

    @TempDir
    Path dir;

    Restrictions restrictions;

    @BeforeEach
    void setUp() {
        List<CidrTable.Network> mynetworks = List.of(CidrTable.Network.parse("127.0.0.0/8"),
                CidrTable.Network.parse("192.0.2.0/24"), CidrTable.Network.parse("[2001:db8::]/32"));
        restrictions = new Restrictions(new Restrictions.Resources(new Tables(io.mxgate.core.table.LookupTables.textOnly()), null, mynetworks, List.of(), List.of(),
                null, null, null, null, null));
    }

    // ----------------------------------------------------------------------------------------------------------
    // action(): access(5) right-hand side -> verdict

    private static String describe(Verdict v) {
        return v.kind() + (v.reply() == null ? "" : " " + v.reply().oneLine()) + (v.prepend() == null ? "" : " +" + v.prepend());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" for <{1}> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            REJECT                        | unknown[192.0.2.1]      | Client host       | 'REJECT 554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied'
            'REJECT spam source'          | unknown[192.0.2.1]      | Client host       | 'REJECT 554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: spam source'
            'reject spam source'          | unknown[192.0.2.1]      | Client host       | 'REJECT 554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: spam source'
            'REJECT 5.7.2 go away'        | mx.example[192.0.2.1]   | Client host       | 'REJECT 554 5.7.2 <mx.example[192.0.2.1]>: Client host rejected: go away'
            '450 4.7.1 slow down'         | unknown[192.0.2.1]      | Client host       | 'REJECT 450 4.7.1 <unknown[192.0.2.1]>: Client host rejected: slow down'
            '451 try later'               | unknown[192.0.2.1]      | Client host       | 'REJECT 451 4.7.1 <unknown[192.0.2.1]>: Client host rejected: try later'
            '550 5.1.1 no such user'      | ghost@example.test      | Recipient address | 'REJECT 550 5.1.1 <ghost@example.test>: Recipient address rejected: no such user'
            '554 not here'                | user@example.test       | Recipient address | 'REJECT 554 5.7.1 <user@example.test>: Recipient address rejected: not here'
            '521 5.7.1 bye'               | unknown[192.0.2.1]      | Client host       | 'REJECT 521 5.7.1 <unknown[192.0.2.1]>: Client host rejected: bye'
            DEFER                         | s@example.org           | Sender address    | 'REJECT 450 4.7.1 <s@example.org>: Sender address rejected: Access denied'
            'DEFER come back'             | s@example.org           | Sender address    | 'REJECT 450 4.7.1 <s@example.org>: Sender address rejected: come back'
            REJECT                        | ''                      | Sender address    | 'REJECT 554 5.7.1 <>: Sender address rejected: Access denied'
            'REJECT you are not me'       | localhost               | Helo command      | 'REJECT 554 5.7.1 <localhost>: Helo command rejected: you are not me'
            'DEFER_IF_PERMIT Greylisted, see http://x' | user@example.test | Recipient address | 'DEFER_IF_PERMIT 450 4.7.1 <user@example.test>: Recipient address rejected: Greylisted, see http://x'
            'DEFER_IF_PERMIT 4.2.0 wait'  | user@example.test       | Recipient address | 'DEFER_IF_PERMIT 450 4.2.0 <user@example.test>: Recipient address rejected: wait'
            'DEFER_IF_REJECT busy'        | unknown[192.0.2.1]      | Client host       | 'DEFER_IF_REJECT 450 4.7.1 <unknown[192.0.2.1]>: Client host rejected: busy'
            OK                            | unknown[192.0.2.1]      | Client host       | PERMIT
            'OK whatever'                 | unknown[192.0.2.1]      | Client host       | PERMIT
            PERMIT                        | unknown[192.0.2.1]      | Client host       | PERMIT
            12345                         | unknown[192.0.2.1]      | Client host       | PERMIT
            DUNNO                         | unknown[192.0.2.1]      | Client host       | DUNNO
            'PREPEND X-Greylist: delayed 3 seconds' | user@example.test | Recipient address | 'DUNNO +X-Greylist: delayed 3 seconds'
            'WARN look at this'           | unknown[192.0.2.1]      | Client host       | DUNNO
            'INFO look at this'           | unknown[192.0.2.1]      | Client host       | DUNNO
            'FILTER smtp:x'               | x                       | Recipient address | 'REJECT 451 4.3.5 <x>: Recipient address rejected: Server configuration error'
            'PREPEND bad header'          | x                       | Recipient address | 'REJECT 451 4.3.5 <x>: Recipient address rejected: Server configuration error'
            BOGUS                         | unknown[192.0.2.1]      | Client host       | 'REJECT 451 4.3.5 <unknown[192.0.2.1]>: Client host rejected: Server configuration error'
            """)
    void actionMapsEveryKindWithPostfixReplies(String value, String what, String thing, String expected) {
        assertEquals(expected, describe(Restrictions.action("check_x_access hash:/t", value, what, thing)));
    }

    /**
     * What Postfix's check_table_result() sends for these; mxgate differs (see the report). Postfix: DEFER_IF_PERMIT
     * and DEFER_IF_REJECT default to "Service unavailable"; unknown actions answer "451 4.3.5 Server configuration
     * error" (reject_server_error(), no "<x>: ... rejected:" part); smtpd_dsn_fix() maps an address status X.1.Y to
     * X.0.0 for a client/HELO; a bad PREPEND is logged and ignored (DUNNO); RELAY is OK.
     */
    @Disabled("Postfix deviations, reported; enable with -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition")
    @ParameterizedTest(name = "[{index}] \"{0}\" for <{1}> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            DEFER_IF_PERMIT               | user@example.test  | Recipient address | 'DEFER_IF_PERMIT 450 4.7.1 <user@example.test>: Recipient address rejected: Service unavailable'
            DEFER_IF_REJECT               | user@example.test  | Recipient address | 'DEFER_IF_REJECT 450 4.7.1 <user@example.test>: Recipient address rejected: Service unavailable'
            BOGUS                         | unknown[192.0.2.1] | Client host       | 'REJECT 451 4.3.5 Server configuration error'
            'REJECT 5.1.1 x'              | unknown[192.0.2.1] | Client host       | 'REJECT 554 5.0.0 <unknown[192.0.2.1]>: Client host rejected: x'
            'REJECT 5.1.1 x'              | s@example.org      | Sender address    | 'REJECT 554 5.1.7 <s@example.org>: Sender address rejected: x'
            'PREPEND bad header'          | x                  | Recipient address | DUNNO
            RELAY                         | unknown[192.0.2.1] | Client host       | PERMIT
            'REJECT\tgo away'             | unknown[192.0.2.1] | Client host       | 'REJECT 554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: go away'
            1.2.3                         | unknown[192.0.2.1] | Client host       | 'REJECT 451 4.3.5 Server configuration error'
            """)
    void actionLikePostfix(String value, String what, String thing, String expected) {
        assertEquals(expected, describe(Restrictions.action("check_x_access hash:/t", value, what, thing)));
    }

    // ----------------------------------------------------------------------------------------------------------
    // parse() and requireRelayGuard()

    private Path table(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'permit_mynetworks, reject_bogus'        | 'mxgate.smtpd-recipient-restrictions: unknown restriction "reject_bogus"'
            'permit_mynetworks Reject_Bogus'         | 'mxgate.smtpd-recipient-restrictions: unknown restriction "reject_bogus"'
            'reject_unknown_client_hostname'         | 'mxgate.smtpd-recipient-restrictions: unknown restriction "reject_unknown_client_hostname"'
            check_client_access                      | 'mxgate.smtpd-recipient-restrictions: check_client_access needs an argument'
            'permit_mynetworks, check_sender_access' | 'mxgate.smtpd-recipient-restrictions: check_sender_access needs an argument'
            'check_recipient_access'                 | 'mxgate.smtpd-recipient-restrictions: check_recipient_access needs an argument'
            'check_helo_access'                      | 'mxgate.smtpd-recipient-restrictions: check_helo_access needs an argument'
            reject_rbl_client                        | 'mxgate.smtpd-recipient-restrictions: reject_rbl_client needs an argument'
            'reject_rhsbl_sender'                    | 'mxgate.smtpd-recipient-restrictions: reject_rhsbl_sender needs an argument'
            'check_policy_service'                   | 'mxgate.smtpd-recipient-restrictions: check_policy_service needs an argument'
            """)
    void parseErrorsNameTheListAndTheElement(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> restrictions.parse(RCPT, spec));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aMissingOrUnsupportedTableFailsAtParse() throws IOException {
        Path missing = dir.resolve("missing");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> restrictions.parse(RCPT, "check_client_access hash:" + missing));
        assertTrue(e.getMessage().startsWith("hash:" + missing + ": cannot read "), e.getMessage());

        Path file = table("t", "a OK\n");
        PostfixTable.TableException type = assertThrows(PostfixTable.TableException.class,
                () -> restrictions.parse(RCPT, "check_client_access regexp:" + file));
        assertTrue(type.getMessage().contains("unsupported table type \"regexp\""), type.getMessage());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                                                                 | ''
            'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination' | 'permit_mynetworks permit_sasl_authenticated reject_unauth_destination'
            'PERMIT_MYNETWORKS,Reject_Unauth_Destination'                      | 'permit_mynetworks reject_unauth_destination'
            '  permit_mynetworks,,\t reject ,  '                               | 'permit_mynetworks reject'
            'ok dunno permit reject defer defer_if_permit permit_auth_destination defer_unauth_destination' | 'ok dunno permit reject defer defer_if_permit permit_auth_destination defer_unauth_destination'
            'reject_rbl_client zen.example reject_rhsbl_client dbl.example reject_rhsbl_sender dbl.example' | 'reject_rbl_client zen.example reject_rhsbl_client dbl.example reject_rhsbl_sender dbl.example'
            """)
    void parseNamesEachElementAsConfigured(String spec, String names) {
        List<Restriction> list = restrictions.parse(RELAY, spec);
        assertEquals(names, String.join(" ", list.stream().map(Restriction::name).toList()));
    }

    @Test
    void parseSplitsOnCommasAndAnyWhitespace() throws IOException {
        Path file = table("senders", "a OK\n");
        List<Restriction> list = restrictions.parse(RCPT, "permit_mynetworks,\n\tcheck_sender_access hash:" + file
                + " ,reject_unauth_destination");
        assertEquals(List.of("permit_mynetworks", "check_sender_access hash:" + file, "reject_unauth_destination"),
                list.stream().map(Restriction::name).toList());
    }

    /** defer_if_permit counts for Postfix (rcpt_required[] in smtpd_check.c), not for mxgate: stricter, on purpose? */
    @ParameterizedTest(name = "[{index}] relay=\"{0}\" recipient=\"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            permit_mynetworks                                          | permit
            ''                                                         | ''
            'permit_mynetworks, permit_sasl_authenticated'             | 'permit_mynetworks, check_recipient_access hash:/etc/postfix/reject_unauth_destination'
            'permit_auth_destination'                                  | 'reject_unverified_recipient'
            'defer_if_permit'                                          | ''
            """)
    void relayGuardRefusesAnOpenRelay(String relay, String recipient) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Restrictions.requireRelayGuard(relay, recipient));
        assertEquals("mxgate.smtpd-relay-restrictions and mxgate.smtpd-recipient-restrictions: specify at least one "
                + "working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer "
                + "(otherwise this is an open relay)", e.getMessage());
        assertTrue(e.getMessage().contains("open relay"));
    }

    @ParameterizedTest(name = "[{index}] relay=\"{0}\" recipient=\"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination' | ''
            ''                                                         | 'permit_mynetworks, reject_unauth_destination'
            'permit_mynetworks'                                        | 'permit_mynetworks reject_unauth_destination'
            'permit_mynetworks, defer_unauth_destination'              | permit
            'permit_mynetworks, reject'                                | ''
            ''                                                         | 'permit_mynetworks defer'
            'PERMIT_MYNETWORKS,REJECT_UNAUTH_DESTINATION'              | ''
            """)
    void relayGuardAcceptsEitherList(String relay, String recipient) {
        assertDoesNotThrow(() -> Restrictions.requireRelayGuard(relay, recipient));
    }

    /**
     * Postfix's has_required() stops at "permit": "permit, reject_unauth_destination" has no working instance and
     * smtpd refuses to start. mxgate accepts it (and the relay list then permits every recipient).
     */
    @ParameterizedTest(name = "[{index}] relay=\"{0}\" recipient=\"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'permit, reject_unauth_destination' | ''
            'permit'                            | 'permit reject_unauth_destination'
            """)
    void relayGuardAfterPermitDoesNotCount(String relay, String recipient) {
        assertThrows(IllegalArgumentException.class, () -> Restrictions.requireRelayGuard(relay, recipient));
    }

    // ----------------------------------------------------------------------------------------------------------
    // Real chains from parse()

    static RcptContext rcpt(String client, String clientName, String helo, MailAddress sender, String recipient,
                            AddressClass cls, String saslUser) {
        int at = recipient.lastIndexOf('@');
        return new RcptContext(client, clientName, helo, sender,
                new MailAddress(recipient.substring(0, at), recipient.substring(at + 1)), cls, saslUser, -1);
    }

    static RcptContext stranger(String recipient, AddressClass cls) {
        return rcpt("203.0.113.5", "unknown", "client.example", new MailAddress("s", "example.org"), recipient, cls,
                null);
    }

    private RestrictionChain.Outcome run(String relay, String recipient, RcptContext c) {
        RestrictionChain chain = new RestrictionChain(restrictions.parse(RELAY, relay), restrictions.parse(RCPT, recipient));
        Future<RestrictionChain.Outcome> f = chain.evaluate(c);
        assertTrue(f.isComplete(), "no element used here does I/O");
        assertTrue(f.succeeded(), () -> String.valueOf(f.cause()));
        return f.result();
    }

    private String result(String relay, String recipient, RcptContext c) {
        Reply reject = run(relay, recipient, c).reject();
        return reject == null ? "accept" : reject.oneLine();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2} {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.5        | FOREIGN         | u@foreign.example | accept
            127.0.0.1        | FOREIGN         | u@foreign.example | accept
            2001:db8::25     | FOREIGN         | u@foreign.example | accept
            198.51.100.1     | FOREIGN         | u@foreign.example | '554 5.7.1 <u@foreign.example>: Relay access denied'
            192.0.3.1        | FOREIGN         | u@foreign.example | '554 5.7.1 <u@foreign.example>: Relay access denied'
            2001:db9::25     | FOREIGN         | u@foreign.example | '554 5.7.1 <u@foreign.example>: Relay access denied'
            198.51.100.1     | VIRTUAL_MAILBOX | u@example.test    | accept
            """)
    void permitMynetworks(String client, AddressClass cls, String recipient, String expected) {
        RcptContext c = rcpt(client, "unknown", "h", new MailAddress("s", "example.org"), recipient, cls, null);
        assertEquals(expected, result("permit_mynetworks, reject_unauth_destination", "", c));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            a@sub.example.test     | '554 5.7.1 <a@sub.example.test>: Recipient address rejected: full address'
            A@SUB.Example.Test     | '554 5.7.1 <A@sub.example.test>: Recipient address rejected: full address'
            x@sub.example.test     | '554 5.7.1 <x@sub.example.test>: Recipient address rejected: domain'
            a@other.example.test   | '554 5.7.1 <a@other.example.test>: Recipient address rejected: parent'
            b@deep.sub.example.test | '554 5.7.1 <b@deep.sub.example.test>: Recipient address rejected: parent'
            b@unrelated.test       | '554 5.7.1 <b@unrelated.test>: Recipient address rejected: localpart'
            c@sub.example.test     | accept
            d@sub.example.test     | accept
            x@example.test         | accept
            z@unrelated.test       | accept
            """)
    void checkRecipientAccessLookupOrder(String recipient, String expected) throws IOException {
        Path t = table("recipients", """
                # user@domain beats domain beats .parent beats user@; DUNNO stops the search (access(5))
                b@                   REJECT localpart
                .example.test        REJECT parent
                sub.example.test     REJECT domain
                a@sub.example.test   REJECT full address
                c@sub.example.test   OK
                d@sub.example.test   DUNNO
                """);
        RcptContext c = stranger(recipient, AddressClass.VIRTUAL_MAILBOX);
        assertEquals(expected, result("reject_unauth_destination", "check_recipient_access hash:" + t, c));
    }

    @ParameterizedTest(name = "[{index}] <{0}> -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                     | '554 5.7.1 <>: Sender address rejected: no bounces here'
            s@example.org          | accept
            spammer@bad.example    | '554 5.7.1 <spammer@bad.example>: Sender address rejected: Access denied'
            friend@bad.example     | accept
            postmaster@x.example   | '450 4.7.1 <postmaster@x.example>: Sender address rejected: Access denied'
            """)
    void checkSenderAccessWithTheNullSenderKey(String sender, String expected) throws IOException {
        Path t = table("senders", """
                <>                   REJECT no bounces here
                bad.example          REJECT
                friend@bad.example   OK
                postmaster@          DEFER
                """);
        MailAddress s = sender.isEmpty() ? MailAddress.NULL_SENDER : MailAddress.qualified(sender, "unused");
        RcptContext c = rcpt("203.0.113.5", "unknown", "h", s, "u@example.test", AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals(expected, result("reject_unauth_destination", "check_sender_access hash:" + t, c));
    }

    @ParameterizedTest(name = "[{index}] HELO {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            bad.helo               | '554 5.7.1 <bad.helo>: Helo command rejected: go away'
            BAD.Helo               | '554 5.7.1 <BAD.Helo>: Helo command rejected: go away'
            host1.dynamic.example  | '554 5.7.0 <host1.dynamic.example>: Helo command rejected: dynamic'
            dynamic.example        | accept
            localhost              | '554 5.7.1 <localhost>: Helo command rejected: you are not me'
            good.example           | accept
            ''                     | accept
            """)
    void checkHeloAccess(String helo, String expected) throws IOException {
        Path t = table("helo", """
                bad.helo             REJECT go away
                .dynamic.example     REJECT 5.7.0 dynamic
                localhost            REJECT you are not me
                """);
        RcptContext c = rcpt("203.0.113.5", "unknown", helo, new MailAddress("s", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals(expected, result("reject_unauth_destination", "check_helo_access hash:" + t, c));
    }

    @ParameterizedTest(name = "[{index}] {1}[{0}] -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.7         | unknown          | '554 5.7.1 <unknown[192.0.2.7]>: Client host rejected: Access denied'
            192.0.2.7         | mx.example.com   | '554 5.7.1 <mx.example.com[192.0.2.7]>: Client host rejected: Access denied'
            192.0.2.200       | unknown          | accept
            198.51.100.1      | unknown          | accept
            2001:db8::1       | unknown          | '550 5.7.1 <unknown[2001:db8::1]>: Client host rejected: v6 go away'
            2001:db9::1       | unknown          | accept
            """)
    void checkClientAccessWithACidrTable(String client, String name, String expected) throws IOException {
        Path t = table("clients.cidr", """
                192.0.2.200          OK
                192.0.2.0/24         REJECT
                [2001:db8::]/32      550 5.7.1 v6 go away
                """);
        RcptContext c = rcpt(client, name, "h", new MailAddress("s", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals(expected, result("check_client_access cidr:" + t + ", reject_unauth_destination", "", c));
    }

    @ParameterizedTest(name = "[{index}] {1}[{0}] -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.99        | unknown           | '554 5.7.1 <unknown[192.0.2.99]>: Client host rejected: network 192.0.2'
            192.0.2.1         | unknown           | '554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: the host'
            192.0.22.1        | unknown           | accept
            10.1.2.3          | unknown           | '554 5.7.1 <unknown[10.1.2.3]>: Client host rejected: network 10'
            203.0.113.1       | x.bad.example     | '554 5.7.1 <x.bad.example[203.0.113.1]>: Client host rejected: by name'
            192.0.2.1         | X.Bad.Example     | '554 5.7.1 <X.Bad.Example[192.0.2.1]>: Client host rejected: by name'
            198.51.100.7      | unknown           | accept
            2001:db8::1       | unknown           | '554 5.7.1 <unknown[2001:db8::1]>: Client host rejected: v6 host'
            """)
    void checkClientAccessWithAHashTableKeyedByAddressPrefix(String client, String name, String expected)
            throws IOException {
        Path t = table("clients", """
                192.0.2              REJECT network 192.0.2
                192.0.2.1            REJECT the host
                10                   REJECT network 10
                .bad.example         REJECT by name
                198.51.100.7         OK
                198.51.100           REJECT never reached for .7
                2001:db8::1          REJECT v6 host
                """);
        RcptContext c = rcpt(client, name, "h", new MailAddress("s", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals(expected, result("check_client_access hash:" + t, "", c));
    }

    @ParameterizedTest(name = "[{index}] {0} ({1}) -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            u@foreign.example    | FOREIGN          | '554 5.7.1 <u@foreign.example>: Relay access denied'
            u@example.test       | VIRTUAL_MAILBOX  | accept
            u@alias.example      | VIRTUAL_ALIAS    | accept
            u@relay.example      | RELAY            | accept
            a%b@example.test     | VIRTUAL_MAILBOX  | '554 5.7.1 <a%b@example.test>: Relay access denied'
            host!u@relay.example | RELAY            | '554 5.7.1 <host!u@relay.example>: Relay access denied'
            a%b@foreign.example  | FOREIGN          | '554 5.7.1 <a%b@foreign.example>: Relay access denied'
            """)
    void rejectUnauthDestination(String recipient, AddressClass cls, String expected) {
        assertEquals(expected, result("reject_unauth_destination", "", stranger(recipient, cls)));
    }

    @ParameterizedTest(name = "[{index}] {0} ({1}) -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            u@foreign.example    | FOREIGN          | '450 4.7.1 <u@foreign.example>: Relay access denied'
            a%b@example.test     | VIRTUAL_MAILBOX  | '450 4.7.1 <a%b@example.test>: Relay access denied'
            u@example.test       | VIRTUAL_MAILBOX  | accept
            """)
    void deferUnauthDestination(String recipient, AddressClass cls, String expected) {
        assertEquals(expected, result("defer_unauth_destination", "", stranger(recipient, cls)));
    }

    @ParameterizedTest(name = "[{index}] {0} ({1}) -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            u@example.test       | VIRTUAL_MAILBOX  | accept
            u@foreign.example    | FOREIGN          | '554 5.7.1 <u@foreign.example>: Recipient address rejected: Access denied'
            a%b@example.test     | VIRTUAL_MAILBOX  | '554 5.7.1 <a%b@example.test>: Recipient address rejected: Access denied'
            """)
    void permitAuthDestination(String recipient, AddressClass cls, String expected) {
        assertEquals(expected, result("permit_auth_destination, reject", "", stranger(recipient, cls)));
    }

    @ParameterizedTest(name = "[{index}] sasl={0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', nullValues = "-", textBlock = """
            joe    | u@foreign.example | accept
            -      | u@foreign.example | '554 5.7.1 <u@foreign.example>: Relay access denied'
            -      | u@example.test    | accept
            """)
    void permitSaslAuthenticated(String sasl, String recipient, String expected) {
        AddressClass cls = recipient.endsWith("@example.test") ? AddressClass.VIRTUAL_MAILBOX : AddressClass.FOREIGN;
        RcptContext c = rcpt("203.0.113.5", "unknown", "h", new MailAddress("s", "example.org"), recipient, cls, sasl);
        assertEquals(expected, result("permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination", "", c));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            reject            | '554 5.7.1 <u@example.test>: Recipient address rejected: Access denied'
            defer             | '450 4.7.1 <u@example.test>: Recipient address rejected: Access denied'
            'defer_if_permit' | '450 4.7.1 <u@example.test>: Recipient address rejected: Access denied'
            'defer_if_permit, reject' | '554 5.7.1 <u@example.test>: Recipient address rejected: Access denied'
            'dunno'           | accept
            'ok, reject'      | accept
            'permit, reject'  | accept
            """)
    void genericElements(String recipient, String expected) {
        assertEquals(expected, result("reject_unauth_destination", recipient,
                stranger("u@example.test", AddressClass.VIRTUAL_MAILBOX)));
    }

    /**
     * Postfix's replies for the generic elements (smtpd_check.c generic_checks()): defer is "450 4.3.2 ... Try
     * again later", defer_if_permit "450 4.7.0 ... defer_if_permit requested"; defer_unauth_destination uses
     * relay_domains_reject_code - 100 = 454; defer_if_reject exists.
     */
    @Disabled("Postfix deviations, reported; enable with -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition")
    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            defer                          | '450 4.3.2 <u@foreign.example>: Recipient address rejected: Try again later'
            'defer_if_permit'              | '450 4.7.0 <u@foreign.example>: Recipient address rejected: defer_if_permit requested'
            'defer_unauth_destination'     | '454 4.7.1 <u@foreign.example>: Relay access denied'
            'defer_if_reject, reject'      | '450 4.7.0 <u@foreign.example>: Recipient address rejected: defer_if_reject requested'
            """)
    void genericElementsLikePostfix(String recipient, String expected) {
        assertEquals(expected, result("", recipient, stranger("u@foreign.example", AddressClass.FOREIGN)));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.9    | FOREIGN         | '554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: compromised'
            192.0.2.9    | VIRTUAL_MAILBOX | '554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: compromised'
            192.0.2.10   | FOREIGN         | accept
            203.0.113.1  | FOREIGN         | '554 5.7.1 <u@foreign.example>: Relay access denied'
            """)
    void anAccessRejectBeforePermitMynetworksRejectsAHostInMynetworks(String client, AddressClass cls, String expected)
            throws IOException {
        Path t = table("clients.cidr", "192.0.2.9 REJECT compromised\n");
        String recipient = cls == AddressClass.FOREIGN ? "u@foreign.example" : "u@example.test";
        RcptContext c = rcpt(client, "unknown", "h", new MailAddress("s", "example.org"), recipient, cls, null);
        assertEquals(expected, result("check_client_access cidr:" + t + ", permit_mynetworks, reject_unauth_destination",
                "", c));
        // The other way round the entry is never reached for hosts in mynetworks.
        if (client.startsWith("192.0.2.")) {
            assertEquals("accept", result("permit_mynetworks, check_client_access cidr:" + t
                    + ", reject_unauth_destination", "", c));
        }
    }

    @Test
    void greylistingFromAnAccessTable() throws IOException {
        Path t = table("greylist", """
                u@example.test       DEFER_IF_PERMIT Greylisted, see http://x
                spam@example.test    REJECT
                """);
        Path senders = table("senders", "s@example.org PREPEND X-Checked: yes\nbad@example.org REJECT bad\n");
        String relay = "permit_mynetworks, reject_unauth_destination";
        String recipient = "check_sender_access hash:" + senders + ", check_recipient_access hash:" + t;
        assertEquals("450 4.7.1 <u@example.test>: Recipient address rejected: Greylisted, see http://x",
                result(relay, recipient + ", permit", stranger("u@example.test", AddressClass.VIRTUAL_MAILBOX)));
        assertEquals("450 4.7.1 <u@example.test>: Recipient address rejected: Greylisted, see http://x",
                result(relay, recipient, stranger("u@example.test", AddressClass.VIRTUAL_MAILBOX)));
        // a later REJECT wins over the DEFER_IF_PERMIT
        assertEquals("554 5.7.1 <u@example.test>: Recipient address rejected: Access denied",
                result(relay, recipient + ", reject", stranger("u@example.test", AddressClass.VIRTUAL_MAILBOX)));
        RestrictionChain.Outcome other = run(relay, recipient, stranger("v@example.test", AddressClass.VIRTUAL_MAILBOX));
        assertNull(other.reject());
        assertEquals(List.of("X-Checked: yes"), other.prepend());
        RcptContext bad = rcpt("203.0.113.5", "unknown", "h", new MailAddress("bad", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals("554 5.7.1 <bad@example.org>: Sender address rejected: bad", result(relay, recipient, bad));
    }

    @Test
    void tablesAreSharedAndReloaded() throws IOException {
        Path t = table("clients", "192.0.2.1 REJECT first\n");
        io.mxgate.core.table.LookupTables keyTables = io.mxgate.core.table.LookupTables.textOnly();
        Tables tables = new Tables(keyTables);
        Restrictions r = new Restrictions(new Restrictions.Resources(tables, null, List.of(), List.of(), List.of(), null,
                null, null, null, null));
        RestrictionChain chain = new RestrictionChain(r.parse(RELAY, "check_client_access hash:" + t), List.of());
        RcptContext c = rcpt("192.0.2.1", "unknown", "h", new MailAddress("s", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals("554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: first", chain.evaluate(c).result().reject().oneLine());
        Files.writeString(t, "192.0.2.1 REJECT second version\n", StandardCharsets.UTF_8);
        assertEquals(List.of(), keyTables.reloadAll());
        assertEquals("554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: second version",
                chain.evaluate(c).result().reject().oneLine());
        Files.writeString(t, "broken\n", StandardCharsets.UTF_8);
        List<String> problems = keyTables.reloadAll();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("hash:" + t + ": "), problems.get(0));
        assertTrue(problems.get(0).endsWith("(keeping the previous version)"), problems.get(0));
        assertEquals("554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: second version",
                chain.evaluate(c).result().reject().oneLine());
    }

    /** An access table that cannot answer (a database down): reject_dict_retry's 451, naming what was looked up. */
    @Test
    void anAccessTableThatCannotAnswerIsATemporaryLookupFailure() {
        io.mxgate.core.table.LookupTable down = new io.mxgate.core.table.LookupTable() {
            public String name() {
                return "mysql:/etc/postfix/access.cf";
            }

            public io.vertx.core.Future<java.util.Optional<String>> lookup(String key) {
                return io.vertx.core.Future.failedFuture(
                        new io.mxgate.core.table.PostfixTable.TableException("connection refused"));
            }
        };
        Tables tables = new Tables(new io.mxgate.core.table.LookupTables(name -> down));
        Restrictions r = new Restrictions(new Restrictions.Resources(tables, null, List.of(), List.of(), List.of(), null,
                null, null, null, null));
        RcptContext c = rcpt("192.0.2.1", "unknown", "h", new MailAddress("s", "example.org"), "u@example.test",
                AddressClass.VIRTUAL_MAILBOX, null);
        assertEquals("451 4.3.0 <unknown[192.0.2.1]>: Temporary lookup failure", new RestrictionChain(
                r.parse(RELAY, "check_client_access mysql:/etc/postfix/access.cf"), List.of()).evaluate(c).result()
                .reject().oneLine());
        assertEquals("451 4.3.0 <s@example.org>: Temporary lookup failure", new RestrictionChain(
                r.parse(RELAY, "check_sender_access mysql:/etc/postfix/access.cf"), List.of()).evaluate(c).result()
                .reject().oneLine());
    }
}
