package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.routing.RecipientResolver.Listing;
import io.mxgate.core.smtp.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** smtpd_reject_unlisted_recipient's replies, exact wire lines as the reference Postfix sends them. */
class UnlistedRecipientRepliesTest {

    private static final MailAddress NOBODY = new MailAddress("nobody", "alias.test");

    @ParameterizedTest(name = "[{index}] {3}")
    @CsvSource(delimiter = '|', textBlock = """
            550 | 550 | 550 | VIRTUAL_ALIAS   | User unknown in virtual alias table   | 550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual alias table
            550 | 550 | 550 | VIRTUAL_MAILBOX | User unknown in virtual mailbox table | 550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual mailbox table
            450 | 550 | 550 | VIRTUAL_ALIAS   | User unknown in virtual alias table   | 450 4.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual alias table
            550 | 554 | 550 | VIRTUAL_MAILBOX | User unknown in virtual mailbox table | 554 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual mailbox table
            550 | 550 | 550 | RELAY           | User unknown in relay recipient table | 550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in relay recipient table
            550 | 550 | 450 | RELAY           | User unknown in relay recipient table | 450 4.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in relay recipient table
            """)
    void unknownAddresses(int aliasCode, int mailboxCode, int relayCode, AddressClass c, String text, String expected) {
        Reply r = new UnlistedRecipientReplies(true, aliasCode, mailboxCode, relayCode).forListing(NOBODY, new Listing.Unknown(c, text));
        assertEquals(expected, r.oneLine());
    }

    @Test
    void aTableThatCannotAnswerIsATemporaryLookupFailureAndAListedAddressPasses() {
        UnlistedRecipientReplies replies = new UnlistedRecipientReplies(true, 550, 550, 550);
        assertEquals("451 4.3.0 <nobody@alias.test>: Temporary lookup failure",
                replies.forListing(NOBODY, new Listing.Failed("connection refused")).oneLine());
        assertNull(replies.forListing(NOBODY, new Listing.Listed()));
    }

    @Test
    void codesOutside4xxAnd5xxFailAtStartup() {
        assertThrows(IllegalArgumentException.class, () -> new UnlistedRecipientReplies(true, 250, 550, 550));
        assertThrows(IllegalArgumentException.class, () -> new UnlistedRecipientReplies(true, 550, 550, 600));
    }
}
