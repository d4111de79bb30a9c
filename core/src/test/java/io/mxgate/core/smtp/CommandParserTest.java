package io.mxgate.core.smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class CommandParserTest {

    /** A canonical, exact description of a parsed command, so tables can state the whole expected result. */
    static String describe(Command c) {
        if (c instanceof Command.Helo h) {
            return "HELO " + h.domain();
        } else if (c instanceof Command.Ehlo e) {
            return "EHLO " + e.domain();
        } else if (c instanceof Command.Mail m) {
            return "MAIL " + m.sender().bracketed() + " size=" + m.declaredSize() + " body=" + m.body();
        } else if (c instanceof Command.Rcpt r) {
            return "RCPT " + r.recipient().bracketed();
        } else if (c instanceof Command.Data) {
            return "DATA";
        } else if (c instanceof Command.Rset) {
            return "RSET";
        } else if (c instanceof Command.Noop) {
            return "NOOP";
        } else if (c instanceof Command.Quit) {
            return "QUIT";
        } else if (c instanceof Command.Vrfy v) {
            return "VRFY " + v.argument();
        } else if (c instanceof Command.StartTls) {
            return "STARTTLS";
        } else if (c instanceof Command.Auth a) {
            return "AUTH " + a.mechanism() + " " + a.initialResponse();
        } else if (c instanceof Command.Invalid i) {
            return "INVALID " + i.verb() + " " + i.reply().oneLine();
        } else if (c instanceof Command.Unknown u) {
            return "UNKNOWN [" + u.word() + "]";
        }
        throw new AssertionError("unexpected command " + c);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # every verb, case-insensitive
            HELO mx.example                         | HELO mx.example
            helo mx.example                         | HELO mx.example
            EHLO client.example                     | EHLO client.example
            eHlO [192.0.2.1]                        | EHLO [192.0.2.1]
            HELO                                    | INVALID HELO 501 5.5.4 Syntax: HELO hostname
            EHLO                                    | INVALID EHLO 501 5.5.4 Syntax: EHLO hostname
            DATA                                    | DATA
            data                                    | DATA
            RSET                                    | RSET
            rset                                    | RSET
            QUIT                                    | QUIT
            Quit                                    | QUIT
            NOOP                                    | NOOP
            noop                                    | NOOP
            NOOP anything at all                    | NOOP
            VRFY postmaster                         | VRFY postmaster
            vrfy <user@example.test>                | VRFY <user@example.test>
            VRFY                                    | INVALID VRFY 501 5.5.4 Syntax: VRFY address
            '  NOOP  '                              | NOOP
            # DATA, RSET, QUIT take no arguments
            DATA now                                | INVALID DATA 501 5.5.4 Syntax: this command takes no arguments
            RSET x                                  | INVALID RSET 501 5.5.4 Syntax: this command takes no arguments
            QUIT bye                                | INVALID QUIT 501 5.5.4 Syntax: this command takes no arguments
            # MAIL
            MAIL FROM:<a@example.test>              | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            mail from:<a@example.test>              | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            Mail From:<a@example.test>              | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM:<>                            | MAIL <> size=-1 body=SEVEN_BIT
            MAIL FROM: <>                           | MAIL <> size=-1 body=SEVEN_BIT
            MAIL FROM: <a@example.test>             | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM:    <a@example.test>          | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM:a@example.test                | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM: a@example.test SIZE=5        | MAIL <a@example.test> size=5 body=SEVEN_BIT
            MAIL FROM:<A.User@EXAMPLE.Test>         | MAIL <A.User@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM:<a@[192.0.2.1]>               | MAIL <a@[192.0.2.1]> size=-1 body=SEVEN_BIT
            # MAIL parameters
            MAIL FROM:<a@example.test> SIZE=1000    | MAIL <a@example.test> size=1000 body=SEVEN_BIT
            MAIL FROM:<a@example.test> size=0       | MAIL <a@example.test> size=0 body=SEVEN_BIT
            MAIL FROM:<> SIZE=42                    | MAIL <> size=42 body=SEVEN_BIT
            MAIL FROM:<a@example.test> BODY=8BITMIME | MAIL <a@example.test> size=-1 body=EIGHT_BIT_MIME
            MAIL FROM:<a@example.test> body=8bitmime | MAIL <a@example.test> size=-1 body=EIGHT_BIT_MIME
            MAIL FROM:<a@example.test> BODY=7BIT    | MAIL <a@example.test> size=-1 body=SEVEN_BIT
            MAIL FROM:<a@example.test> SIZE=10 BODY=8BITMIME   | MAIL <a@example.test> size=10 body=EIGHT_BIT_MIME
            MAIL FROM:<a@example.test>   BODY=8BITMIME   SIZE=7 | MAIL <a@example.test> size=7 body=EIGHT_BIT_MIME
            MAIL FROM:<a@example.test> SIZE=999999999999999999 | MAIL <a@example.test> size=999999999999999999 body=SEVEN_BIT
            MAIL FROM:<a@example.test> SIZE=1000000000000000000 | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE=abc     | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE=        | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE         | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE=-1      | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE=+1      | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> SIZE=10k     | INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax
            MAIL FROM:<a@example.test> BODY=BINARYMIME | INVALID MAIL 501 5.5.4 Bad BODY parameter syntax
            MAIL FROM:<a@example.test> BODY=        | INVALID MAIL 501 5.5.4 Bad BODY parameter syntax
            MAIL FROM:<a@example.test> BODY         | INVALID MAIL 501 5.5.4 Bad BODY parameter syntax
            MAIL FROM:<a@example.test> FOO=bar      | INVALID MAIL 555 5.5.4 Unsupported option: FOO=bar
            MAIL FROM:<a@example.test> SMTPUTF8     | INVALID MAIL 555 5.5.4 Unsupported option: SMTPUTF8
            MAIL FROM:<a@example.test> AUTH=<>      | INVALID MAIL 555 5.5.4 Unsupported option: AUTH=<>
            MAIL FROM:<a@example.test> SIZE=10 RET=HDRS | INVALID MAIL 555 5.5.4 Unsupported option: RET=HDRS
            # MAIL syntax errors
            MAIL                                    | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            MAIL FROM:                              | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            'MAIL FROM:   '                         | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            MAIL TO:<a@example.test>                | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            MAIL FROM <a@example.test>              | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            MAIL FRO:<a@example.test>               | INVALID MAIL 501 5.5.4 Syntax: MAIL FROM:<address>
            MAIL FROM:<a@example.test               | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:a@example.test>               | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<a>                           | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<a@>                          | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<@example.test>               | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<a@b@example.test>            | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<a@exa_mple.test>             | INVALID MAIL 501 5.1.7 Bad sender address syntax
            MAIL FROM:<<a@example.test>>            | INVALID MAIL 501 5.1.7 Bad sender address syntax
            # a source route with no mailbox is not the null sender
            MAIL FROM:<@a.example:>                 | INVALID MAIL 501 5.1.7 Bad sender address syntax
            # source routes are parsed and dropped
            'MAIL FROM:<@a.example,@b.example:u@d.example>' | MAIL <u@d.example> size=-1 body=SEVEN_BIT
            'RCPT TO:<@a.example,@b.example:u@d.example>'   | RCPT <u@d.example>
            RCPT TO:<@a.example:u@d.example>        | RCPT <u@d.example>
            'RCPT TO:<@a.example,b.example:u@d.example>'    | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            # quoted local parts with '>' and '@' inside the quotes
            RCPT TO:<"a>b"@example.test>            | RCPT <"a>b"@example.test>
            RCPT TO:<"user@other"@example.test>     | RCPT <"user@other"@example.test>
            MAIL FROM:<"a>b"@example.test> SIZE=10  | MAIL <"a>b"@example.test> size=10 body=SEVEN_BIT
            MAIL FROM:<"a b>"@example.test> BODY=7BIT | MAIL <"a b>"@example.test> size=-1 body=SEVEN_BIT
            RCPT TO:<"a\\"b>"@example.test>         | RCPT <"a\\"b>"@example.test>
            RCPT TO:<"unterminated@example.test>    | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            # RCPT
            RCPT TO:<b@example.test>                | RCPT <b@example.test>
            rcpt to:<b@example.test>                | RCPT <b@example.test>
            RCPT TO: <b@example.test>               | RCPT <b@example.test>
            RCPT TO:b@example.test                  | RCPT <b@example.test>
            RCPT TO:<b@[127.0.0.1]>                 | RCPT <b@[127.0.0.1]>
            RCPT TO:<user%other@example.test>       | RCPT <user%other@example.test>
            RCPT TO:<>                              | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            RCPT TO:<b>                             | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            RCPT TO:<b@>                            | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            RCPT TO:<b@example..test>               | INVALID RCPT 501 5.1.3 Bad recipient address syntax
            RCPT                                    | INVALID RCPT 501 5.5.4 Syntax: RCPT TO:<address>
            RCPT TO:                                | INVALID RCPT 501 5.5.4 Syntax: RCPT TO:<address>
            RCPT FROM:<b@example.test>              | INVALID RCPT 501 5.5.4 Syntax: RCPT TO:<address>
            # RCPT parameters are not supported
            RCPT TO:<b@example.test> NOTIFY=NEVER   | INVALID RCPT 555 5.5.4 Unsupported option: NOTIFY=NEVER
            RCPT TO:<b@example.test> ORCPT=rfc822;b@example.test NOTIFY=SUCCESS | INVALID RCPT 555 5.5.4 Unsupported option: ORCPT=rfc822;b@example.test
            RCPT TO:b@example.test NOTIFY=NEVER     | INVALID RCPT 555 5.5.4 Unsupported option: NOTIFY=NEVER
            # empty lines and garbage
            ''                                      | UNKNOWN []
            '   '                                   | UNKNOWN []
            STARTTLS                                | STARTTLS
            starttls x                              | INVALID STARTTLS 501 5.5.4 Syntax: this command takes no arguments
            AUTH PLAIN dGVzdA==                     | AUTH PLAIN dGVzdA==
            auth login                              | AUTH LOGIN null
            AUTH                                    | INVALID AUTH 501 5.5.4 Syntax: AUTH mechanism
            AUTH PLAIN a b                          | INVALID AUTH 501 5.5.4 Syntax: AUTH mechanism
            EXPN staff                              | UNKNOWN [EXPN]
            GET / HTTP/1.1                          | UNKNOWN [GET]
            MAILFROM:<a@example.test>               | UNKNOWN [MAILFROM:<a@example.test>]
            DATA.                                   | UNKNOWN [DATA.]
            .                                       | UNKNOWN [.]
            <>                                      | UNKNOWN [<>]
            """)
    void parsesExactly(String line, String expected) {
        assertEquals(expected, describe(CommandParser.parse(line)));
    }

    static Stream<Arguments> specialCharacters() {
        String a2000 = "a".repeat(2000);
        return Stream.of(
                // tabs separate the verb from its argument
                arguments("MAIL\tFROM:<a@example.test>", "MAIL <a@example.test> size=-1 body=SEVEN_BIT"),
                arguments("NOOP\t", "NOOP"),
                arguments("QUIT\r", "QUIT"),
                // 8-bit characters (as the decoder hands them over: ISO-8859-1 of the UTF-8 bytes) are rejected
                arguments(latin1("MAIL FROM:<josé@example.test>"), "INVALID MAIL 501 5.1.7 Bad sender address syntax"),
                arguments(latin1("RCPT TO:<user@exämple.test>"), "INVALID RCPT 501 5.1.3 Bad recipient address syntax"),
                arguments(latin1("RCPT TO:<\"josé\"@example.test>"), "INVALID RCPT 501 5.1.3 Bad recipient address syntax"),
                arguments("MAIL FROM:<\u00ffuser@example.test>", "INVALID MAIL 501 5.1.7 Bad sender address syntax"),
                arguments(latin1("HELO exämple.test"), "INVALID HELO 501 5.5.4 Syntax: HELO hostname"),
                arguments(latin1("EHLO exämple.test"), "INVALID EHLO 501 5.5.4 Syntax: EHLO hostname"),
                // control characters
                arguments("RCPT TO:<a\u0001b@example.test>", "INVALID RCPT 501 5.1.3 Bad recipient address syntax"),
                arguments("MAIL FROM:<a\u0000@example.test>", "INVALID MAIL 501 5.1.7 Bad sender address syntax"),
                arguments("HELO a\u0000b", "INVALID HELO 501 5.5.4 Syntax: HELO hostname"),
                arguments("\u0000\u0001\u0002", "UNKNOWN [\u0000\u0001\u0002]"),
                // 2000-character arguments
                arguments("MAIL FROM:<" + a2000 + "@example.test>", "INVALID MAIL 501 5.1.7 Bad sender address syntax"),
                arguments("RCPT TO:<" + a2000 + "@example.test>", "INVALID RCPT 501 5.1.3 Bad recipient address syntax"),
                arguments("RCPT TO:<b@" + a2000 + ".test>", "INVALID RCPT 501 5.1.3 Bad recipient address syntax"),
                arguments("MAIL FROM:<a@example.test> SIZE=" + "9".repeat(2000),
                        "INVALID MAIL 501 5.5.4 Bad SIZE parameter syntax"),
                arguments("MAIL FROM:<a@example.test> X=" + a2000,
                        "INVALID MAIL 555 5.5.4 Unsupported option: X=" + a2000),
                arguments("DATA " + a2000, "INVALID DATA 501 5.5.4 Syntax: this command takes no arguments"),
                arguments("NOOP " + a2000, "NOOP"),
                arguments("VRFY " + a2000, "VRFY " + a2000),
                arguments("HELO " + a2000, "HELO " + a2000),
                arguments(a2000, "UNKNOWN [" + a2000 + "]"),
                // the RFC 5321 limits: 64 octets of local part, 255 of domain
                arguments("RCPT TO:<" + "l".repeat(64) + "@example.test>", "RCPT <" + "l".repeat(64) + "@example.test>"),
                arguments("RCPT TO:<" + "l".repeat(65) + "@example.test>", "INVALID RCPT 501 5.1.3 Bad recipient address syntax"));
    }

    private static String latin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("specialCharacters")
    void parsesSpecialCharactersExactly(String line, String expected) {
        assertEquals(expected, describe(CommandParser.parse(line)));
    }

    /** The replies of Invalid commands are the catalogue's own objects, not look-alikes. */
    @Test
    void invalidCommandsCarryTheCatalogueReplies() {
        assertSame(Replies.NO_ARGUMENTS, ((Command.Invalid) CommandParser.parse("DATA x")).reply());
        assertSame(Replies.MAIL_SYNTAX, ((Command.Invalid) CommandParser.parse("MAIL")).reply());
        assertSame(Replies.RCPT_SYNTAX, ((Command.Invalid) CommandParser.parse("RCPT")).reply());
        assertSame(Replies.BAD_SENDER_SYNTAX, ((Command.Invalid) CommandParser.parse("MAIL FROM:<x>")).reply());
        assertSame(Replies.BAD_RECIPIENT_SYNTAX, ((Command.Invalid) CommandParser.parse("RCPT TO:<x>")).reply());
        assertSame(Replies.HELO_SYNTAX, ((Command.Invalid) CommandParser.parse("HELO")).reply());
        assertSame(Replies.EHLO_SYNTAX, ((Command.Invalid) CommandParser.parse("EHLO")).reply());
        assertSame(Replies.VRFY_SYNTAX, ((Command.Invalid) CommandParser.parse("VRFY")).reply());
    }

    @Test
    void nullSenderIsTheNullSenderConstant() {
        Command.Mail mail = (Command.Mail) CommandParser.parse("MAIL FROM:<>");
        assertSame(io.mxgate.core.address.MailAddress.NULL_SENDER, mail.sender());
        assertEquals(true, mail.sender().isNullSender());
    }

    /** The parser is total: no input, however hostile, throws or yields null. */
    @Test
    void neverThrowsOnRandomInput() {
        String alphabet = "MAILFROM:RCPTTO<>@\"\\,.% =-!SIZEBODY[]\t\r\n\u0000\u00e9abc019";
        String[] prefixes = {"", "MAIL FROM:", "RCPT TO:", "MAIL FROM:<", "RCPT TO:<@", "HELO ", "VRFY ", "mail from: "};
        Random random = new Random(20240601);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String line = sb.toString();
            Command command = CommandParser.parse(line);
            assertNotNull(command, () -> "null for " + line);
            assertNotNull(describe(command));
        }
    }

    @ParameterizedTest(name = "{0}: needsHelo={1} lastInGroup={2}")
    @CsvSource({
            "HELO, false, true",
            "EHLO, false, true",
            "MAIL, true, false",
            "RCPT, true, false",
            "DATA, true, true",
            "RSET, false, false",
            "NOOP, false, true",
            "QUIT, false, true",
            "VRFY, false, true",
    })
    void verbFlags(String name, boolean needsHelo, boolean lastInGroup) {
        Verb verb = Verb.lookup(name.toLowerCase());
        assertEquals(Verb.valueOf(name), verb);
        assertEquals(needsHelo, verb.needsHelo());
        assertEquals(lastInGroup, verb.lastInGroup());
    }
}
