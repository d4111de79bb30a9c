package io.mxgate.core.client;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.Reply;

/**
 * What the peer said about one recipient, and to which command (Postfix's "in reply to RCPT TO command").
 */
public record RecipientOutcome(MailAddress recipient, Reply reply, ClientState inReplyTo) {

    /** Postfix's DSN/log detail: {@code host h[a] said: 550 5.1.1 ... (in reply to RCPT TO command)}. */
    public String detail(String relay) {
        return "host " + relay + " said: " + reply.oneLine() + " (in reply to " + inReplyTo.command() + " command)";
    }
}
