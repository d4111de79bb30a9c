package io.mxgate.core.address;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AddressParserTest {

    /** {@code local | domain | routing=...}, or REJECT. */
    static String describe(MailAddress a) {
        if (a == null) {
            return "REJECT";
        }
        if (a.isNullSender()) {
            return "NULL_SENDER";
        }
        return a.localPart() + " | " + a.domain() + " | routing=" + a.hasSenderSpecifiedRouting();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', textBlock = """
            <user@example.test>                          => user | example.test | routing=false
            user@example.test                            => user | example.test | routing=false
            <User.Name+tag@EXAMPLE.Test>                 => User.Name+tag | example.test | routing=false
            # the relay tricks an MX must see through
            <user%other@example.test>                    => user%other | example.test | routing=true
            <user%other.example@example.test>            => user%other.example | example.test | routing=true
            <other!user@example.test>                    => other!user | example.test | routing=true
            <"user@other"@example.test>                  => "user@other" | example.test | routing=true
            <"user%other"@example.test>                  => "user%other" | example.test | routing=true
            <"other!user"@example.test>                  => "other!user" | example.test | routing=true
            <"user@other.example"@example.test>          => "user@other.example" | example.test | routing=true
            # a source route is parsed and dropped, so it is no routing request any more
            <@a.example:user@example.test>               => user | example.test | routing=false
            @a.example:user@example.test                 => user | example.test | routing=false
            <@a.example,@b.example:user@example.test>    => user | example.test | routing=false
            <@A.EXAMPLE:user@example.test>               => user | example.test | routing=false
            <@a.example:user%other@example.test>         => user%other | example.test | routing=true
            <@a.example,b.example:user@example.test>     => REJECT
            <@a.example user@example.test>               => REJECT
            <@:user@example.test>                        => REJECT
            <@a_b.example:user@example.test>             => REJECT
            <@a.example,:user@example.test>              => REJECT
            <@a.example:>                                => REJECT
            # domain literals
            <user@[127.0.0.1]>                           => user | [127.0.0.1] | routing=false
            <user@[IPv6:2001:db8::1]>                    => user | [ipv6:2001:db8::1] | routing=false
            <user@[127.0.0.1>                            => REJECT
            <user@[]>                                    => REJECT
            <user@[1.2.3.4 ]>                            => REJECT
            <user@[[1.2.3.4]]>                           => REJECT
            # quoted local parts
            <"a b"@example.test>                         => "a b" | example.test | routing=false
            <"a>b"@example.test>                         => "a>b" | example.test | routing=false
            <"a\\"b"@example.test>                       => "a\\"b" | example.test | routing=false
            <"a\\\\b"@example.test>                      => "a\\\\b" | example.test | routing=false
            <""@example.test>                            => "" | example.test | routing=false
            <"unterminated@example.test>                 => REJECT
            <a"b"c@example.test>                         => REJECT
            <"a"."b"@example.test>                       => REJECT
            # bad local parts
            <.user@example.test>                         => REJECT
            <user.@example.test>                         => REJECT
            <us..er@example.test>                        => REJECT
            <user name@example.test>                     => REJECT
            <us(er@example.test>                         => REJECT
            <us,er@example.test>                         => REJECT
            <us;er@example.test>                         => REJECT
            <us:er@example.test>                         => REJECT
            <us\\er@example.test>                        => REJECT
            < user@example.test>                         => REJECT
            # bad or missing domains
            <user@>                                      => REJECT
            <user>                                       => REJECT
            user                                         => REJECT
            <@example.test>                              => REJECT
            <user@example..test>                         => REJECT
            <user@.example.test>                         => REJECT
            <user@example.test.>                         => REJECT
            <user@-example.test>                         => REJECT
            <user@example-.test>                         => REJECT
            <user@exa_mple.test>                         => REJECT
            <user@exa mple.test>                         => REJECT
            <user@example.test >                         => REJECT
            <user@b@example.test>                        => REJECT
            # brackets
            <user@example.test                           => REJECT
            user@example.test>                           => REJECT
            <<user@example.test>>                        => REJECT
            <>                                           => REJECT
            '<'                                          => REJECT
            '>'                                          => REJECT
            ''                                           => REJECT
            """)
    void forwardPaths(String path, String expected) {
        assertEquals(expected, describe(AddressParser.parseForwardPath(path)));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', textBlock = """
            <>                                 => NULL_SENDER
            <user@example.test>                => user | example.test | routing=false
            user@example.test                  => user | example.test | routing=false
            <user%other@example.test>          => user%other | example.test | routing=true
            <@a.example:user@example.test>     => user | example.test | routing=false
            # a source route without a mailbox is no null sender
            <@a.example:>                      => REJECT
            @a.example:                        => REJECT
            <user>                             => REJECT
            <user@>                            => REJECT
            <>>                                => REJECT
            <<>                                => REJECT
            """)
    void reversePaths(String path, String expected) {
        assertEquals(expected, describe(AddressParser.parseReversePath(path)));
    }

    @Test
    void nullSenderIsTheConstant() {
        assertSame(MailAddress.NULL_SENDER, AddressParser.parseReversePath("<>"));
        assertEquals("", MailAddress.NULL_SENDER.toString());
        assertEquals("<>", MailAddress.NULL_SENDER.bracketed());
    }

    static Stream<Arguments> lengthLimits() {
        String label63 = "a".repeat(63);
        String domain255 = label63 + "." + label63 + "." + label63 + "." + "b".repeat(61) + ".t"; // 63*3+3+61+2 = 255
        String domain256 = label63 + "." + label63 + "." + label63 + "." + "b".repeat(62) + ".t";
        assertEquals(255, domain255.length());
        assertEquals(256, domain256.length());
        return Stream.of(
                arguments("l".repeat(64) + "@example.test", "l".repeat(64) + " | example.test | routing=false"),
                arguments("l".repeat(65) + "@example.test", "REJECT"),
                arguments("u@" + label63 + ".test", "u | " + label63 + ".test | routing=false"),
                arguments("u@" + label63 + "a.test", "REJECT"),
                arguments("u@" + domain255, "u | " + domain255 + " | routing=false"),
                arguments("u@" + domain256, "REJECT"),
                arguments("o'brien@example.test", "o'brien | example.test | routing=false"),
                arguments("{a}~|#$&*=?^`/@example.test", "{a}~|#$&*=?^`/ | example.test | routing=false"),
                arguments("u@é.test", "REJECT"),
                arguments("é@example.test", "REJECT"),
                arguments("\"é\"@example.test", "REJECT"),
                arguments("u\u0000@example.test", "REJECT"),
                arguments("u\t@example.test", "REJECT"),
                arguments("\"a\tb\"@example.test", "REJECT"),
                arguments("u\u007f@example.test", "REJECT"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("lengthLimits")
    void mailboxLimitsAndCharacters(String mailbox, String expected) {
        assertEquals(expected, describe(AddressParser.parseMailbox(mailbox)));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', textBlock = """
            example.test        => true
            EXAMPLE.test        => true
            a                   => true
            xn--bcher-kva.test  => true
            1.2.3.4             => true
            [127.0.0.1]         => true
            [IPv6:::1]          => true
            ''                  => false
            .                   => false
            a..b                => false
            -a.test             => false
            a-.test             => false
            a_b.test            => false
            'a b'               => false
            []                  => false
            [a                  => false
            [a\\b]              => false
            """)
    void isDomain(String domain, boolean expected) {
        assertEquals(expected, AddressParser.isDomain(domain));
    }

    @Test
    void mailAddressFoldsTheDomainOnly() {
        MailAddress a = new MailAddress("John.Doe", "Example.TEST");
        assertEquals("John.Doe@example.test", a.toString());
        assertEquals("<John.Doe@example.test>", a.bracketed());
        assertEquals(new MailAddress("John.Doe", "example.test"), a);
    }
}
