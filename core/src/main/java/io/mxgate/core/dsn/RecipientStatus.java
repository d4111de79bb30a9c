package io.mxgate.core.dsn;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.EnhancedStatus;

/**
 * What is known about one recipient after an attempt: the address it is delivered to, the address the client gave
 * (they differ after virtual alias rewriting), the DSN status, Postfix's reason text, and for a reply from a server
 * its name and the reply (the DSN's Remote-MTA and Diagnostic-Code).
 *
 * @param remoteMta  host name of the server that answered, or empty when none did (connect failure, DNS, error:)
 * @param diagnostic the server's reply in one line ({@code 550 5.1.1 <a@b>: User unknown}), or empty
 */
public record RecipientStatus(MailAddress recipient, MailAddress original, EnhancedStatus dsn, String reason,
                              String remoteMta, String diagnostic) {

    public RecipientStatus {
        original = original == null ? recipient : original;
        reason = reason == null ? "" : reason;
        remoteMta = remoteMta == null ? "" : remoteMta;
        diagnostic = diagnostic == null ? "" : diagnostic;
    }

    /** Status without server details. */
    public static RecipientStatus of(MailAddress recipient, MailAddress original, EnhancedStatus dsn, String reason) {
        return new RecipientStatus(recipient, original, dsn, reason, "", "");
    }

    /** RFC 3464 Diagnostic-Code: {@code smtp; reply} for a server's reply, {@code X-Postfix; reason} otherwise. */
    public String diagnosticCode() {
        return diagnostic.isEmpty() ? "X-Postfix; " + reason : "smtp; " + diagnostic;
    }

    public RecipientStatus withStatus(EnhancedStatus dsn, String reason, String remoteMta, String diagnostic) {
        return new RecipientStatus(recipient, original, dsn, reason, remoteMta, diagnostic);
    }
}
