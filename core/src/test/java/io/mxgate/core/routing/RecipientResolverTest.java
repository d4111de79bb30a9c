package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.table.LookupTables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one resolution every service uses, table-driven: aliases apply in every domain class (Postfixadmin keeps
 * {@code info@} aliases inside mailbox domains), targets get their class and route, and reject_unlisted_recipient
 * answers as smtpd_check.c's check_rcpt_maps does.
 */
class RecipientResolverTest {

    @TempDir
    static Path dir;
    private static RecipientResolver resolver;

    @BeforeAll
    static void tables() throws IOException {
        Files.writeString(dir.resolve("virtual"), String.join("\n",
                "info@alias.test      alice@example.test",
                "team@alias.test      alice@example.test, bob@example.test",
                "info@example.test    bob@example.test",
                "fwd@example.test     someone@elsewhere.test",
                "@catchall.test       alice@example.test",
                "alice@example.test   alice@example.test", ""));
        Files.writeString(dir.resolve("mailboxes"), String.join("\n",
                "alice@example.test   example.test/alice/",
                "bob@example.test     example.test/bob/", ""));
        Files.writeString(dir.resolve("transport"), "fax.test  smtp:[127.0.0.1]:2526\n");
        Files.writeString(dir.resolve("relay_recipients"), "pages@fax.test  OK\n");
        resolver = new RecipientResolver(new RecipientResolver.Settings("example.test", "alias.test, catchall.test",
                "fax.test", "hash:" + dir.resolve("virtual"), "hash:" + dir.resolve("mailboxes"),
                "hash:" + dir.resolve("relay_recipients"), "hash:" + dir.resolve("transport"), "+",
                new Resolver.Settings("lmtp:[127.0.0.1]:2424", "relay", "smtp", "", 25, 24),
                VirtualAliasMaps.Limits.POSTFIX), LookupTables.textOnly());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            info@alias.test        | alice@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424
            team@alias.test        | alice@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424, bob@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424
            nobody@alias.test      | nobody@alias.test VIRTUAL_ALIAS error:User unknown in virtual alias table
            info@example.test      | bob@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424
            fwd@example.test       | someone@elsewhere.test FOREIGN smtp:elsewhere.test:25
            anyone@catchall.test   | alice@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424
            carol@example.test     | carol@example.test VIRTUAL_MAILBOX lmtp:[127.0.0.1]:2424
            pages@fax.test         | pages@fax.test RELAY smtp:[127.0.0.1]:2526
            """)
    void resolvesTargets(String recipient, String expected) {
        RecipientResolver.Resolution r = resolver.resolve(AddressParser.parseMailbox(recipient)).result();
        assertEquals(expected, ((RecipientResolver.Resolution.Targets) r).targets().stream()
                .map(t -> t.address() + " " + t.addressClass() + " " + t.route().key())
                .collect(Collectors.joining(", ")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            info@alias.test        | listed
            nobody@alias.test      | User unknown in virtual alias table
            anyone@catchall.test   | listed
            alice@example.test     | listed
            alice+tag@example.test | listed
            info@example.test      | listed
            carol@example.test     | User unknown in virtual mailbox table
            pages@fax.test         | listed
            other@fax.test         | User unknown in relay recipient table
            u@elsewhere.test       | listed
            """)
    void rejectUnlistedRecipient(String recipient, String expected) {
        RecipientResolver.Listing l = resolver.listing(AddressParser.parseMailbox(recipient)).result();
        assertEquals(expected, l instanceof RecipientResolver.Listing.Unknown u ? u.text()
                : l instanceof RecipientResolver.Listing.Listed ? "listed" : l.toString());
    }
}
