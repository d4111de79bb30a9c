package io.mxgate.core.smtp;

import io.mxgate.core.address.MailAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue of every reply mxgate's servers send. Texts follow Postfix's smtpd so that admins' scripts and
 * habits (and swaks expectations) carry over. Replies that name an address or a host are built by the static
 * methods here, never by string concatenation at the call site.
 */
public final class Replies {

    private Replies() {
    }

    public static final Reply OK = Reply.of(250, "2.0.0", "Ok");
    public static final Reply SENDER_OK = Reply.of(250, "2.1.0", "Ok");
    public static final Reply RECIPIENT_OK = Reply.of(250, "2.1.5", "Ok");
    public static final Reply START_DATA = Reply.of(354, (EnhancedStatus) null, "End data with <CR><LF>.<CR><LF>");
    public static final Reply BYE = Reply.of(221, "2.0.0", "Bye");
    public static final Reply VRFY_NOT_DISCLOSED = Reply.of(252, "2.0.0",
            "Cannot VRFY user, but will accept message and attempt delivery");

    public static final Reply COMMAND_UNRECOGNIZED = Reply.of(500, "5.5.2", "Error: command not recognized");
    public static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.2", "Error: command line too long");
    public static final Reply NOT_IMPLEMENTED = Reply.of(502, "5.5.1", "Error: command not implemented");
    public static final Reply HELO_SYNTAX = Reply.of(501, "5.5.4", "Syntax: HELO hostname");
    public static final Reply EHLO_SYNTAX = Reply.of(501, "5.5.4", "Syntax: EHLO hostname");
    public static final Reply MAIL_SYNTAX = Reply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    public static final Reply RCPT_SYNTAX = Reply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    public static final Reply VRFY_SYNTAX = Reply.of(501, "5.5.4", "Syntax: VRFY address");
    public static final Reply NO_ARGUMENTS = Reply.of(501, "5.5.4", "Syntax: this command takes no arguments");
    public static final Reply BAD_SENDER_SYNTAX = Reply.of(501, "5.1.7", "Bad sender address syntax");
    public static final Reply BAD_RECIPIENT_SYNTAX = Reply.of(501, "5.1.3", "Bad recipient address syntax");
    public static final Reply SEND_HELO_FIRST = Reply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    public static final Reply NESTED_MAIL = Reply.of(503, "5.5.1", "Error: nested MAIL command");
    public static final Reply NEED_MAIL = Reply.of(503, "5.5.1", "Error: need MAIL command");
    public static final Reply NEED_RCPT = Reply.of(503, "5.5.1", "Error: need RCPT command");
    public static final Reply NO_VALID_RECIPIENTS = Reply.of(554, "5.5.1", "Error: no valid recipients");
    public static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Error: too many recipients");
    public static final Reply TOO_MANY_HOPS = Reply.of(554, "5.4.0", "Error: too many hops");
    public static final Reply MESSAGE_TOO_BIG = Reply.of(552, "5.3.4", "Message size exceeds fixed limit");
    public static final Reply AUTH_SYNTAX = Reply.of(501, "5.5.4", "Syntax: AUTH mechanism");
    public static final Reply READY_FOR_TLS = Reply.of(220, "2.0.0", "Ready to start TLS");
    public static final Reply TLS_NOT_AVAILABLE = Reply.of(502, "5.5.1", "Error: command not implemented");
    public static final Reply TLS_ALREADY_ACTIVE = Reply.of(554, "5.5.1", "Error: TLS already active");
    public static final Reply AUTH_NOT_ENABLED = Reply.of(503, "5.5.1", "Error: authentication not enabled");
    public static final Reply MUST_STARTTLS_FIRST = Reply.of(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final Reply ALREADY_AUTHENTICATED = Reply.of(503, "5.5.1", "Error: already authenticated");
    public static final Reply AUTH_IN_TRANSACTION = Reply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    public static final Reply AUTH_MECHANISM_UNSUPPORTED = Reply.of(535, "5.7.8",
            "Error: authentication failed: Invalid authentication mechanism");
    public static final Reply AUTH_ABORTED = Reply.of(501, "5.7.0", "Authentication aborted");
    public static final Reply AUTH_BAD_RESPONSE = Reply.of(501, "5.5.2", "Error: malformed authentication response");
    public static final Reply AUTH_OK = Reply.of(235, "2.7.0", "Authentication successful");
    public static final Reply AUTH_FAILED = Reply.of(535, "5.7.8", "Error: authentication failed: authentication failure");
    public static final Reply AUTH_TEMPORARY_FAILURE = Reply.of(454, "4.7.0", "Temporary authentication failure");

    /** A SASL challenge: {@code 334 base64}. */
    public static Reply authChallenge(String base64) {
        return Reply.of(334, (EnhancedStatus) null, base64);
    }

    public static final Reply BARE_NEWLINE = Reply.of(550, "5.5.2", "Error: bare <LF> received");
    public static final Reply PROTOCOL_SYNCHRONIZATION = Reply.of(554, "5.5.0", "Error: SMTP protocol synchronization");

    /** Postfix's anvil reply, for the concurrency and the rate limit alike. */
    public static Reply tooManyConnections(String hostname, String client) {
        return Reply.of(421, "4.7.0", hostname + " Error: too many connections from " + client);
    }

    public static final Reply QUEUE_WRITE_ERROR = Reply.of(451, "4.3.0", "Error: queue file write error");
    /** cleanup could not expand an alias (a table failed, or a loop hit virtual_alias_recursion_limit). */
    public static final Reply ALIAS_EXPANSION_ERROR = Reply.of(451, "4.6.0", "Alias expansion error");

    /** A milter's SMFIR_REJECT (Postfix milter8.c). */
    public static final Reply MILTER_REJECT = Reply.of(550, "5.7.1", "Command rejected");
    /** A milter's SMFIR_TEMPFAIL, and milter_default_action = tempfail when a milter fails (milter8_comm_error). */
    public static final Reply MILTER_TEMPFAIL = Reply.of(451, "4.7.1", "Service unavailable - try again later");
    /** milter_default_action = reject when a milter fails. */
    public static final Reply MILTER_UNAVAILABLE = Reply.of(550, "5.5.0", "Service unavailable");
    /** A milter answered something we cannot act on (milter8_conf_error: a bad reply text, header index, ...). */
    public static final Reply MILTER_CONFIGURATION_PROBLEM = Reply.of(451, "4.3.5",
            "Server configuration problem - try again later");
    /** A milter's SMFIR_SHUTDOWN (smtpd.c check_milter_reply): the session ends. */
    public static final Reply MILTER_SHUTDOWN = Reply.of(421, "4.7.0", "Server closing connection");

    /** The greeting when a milter rejected the connection (smtpd.c): commands then get the milter's reply. */
    public static Reply notAcceptingConnections(String hostname) {
        return Reply.of(554, (EnhancedStatus) null, hostname + " ESMTP not accepting connections");
    }

    /** The greeting when a milter answered the connection with 421 (smtpd.c); the session ends. */
    public static Reply serviceUnavailable(String hostname) {
        return Reply.of(421, (EnhancedStatus) null, hostname + " Service unavailable - try again later");
    }

    public static Reply unsupportedParameter(String parameter) {
        return Reply.of(555, "5.5.4", "Unsupported option: " + parameter);
    }

    public static Reply badParameterValue(String parameter) {
        return Reply.of(501, "5.5.4", "Bad " + parameter + " parameter syntax");
    }

    public static Reply greeting(String hostname) {
        return Reply.of(220, (EnhancedStatus) null, hostname + " ESMTP mxgate");
    }

    public static Reply timeout(String hostname) {
        return Reply.of(421, "4.4.2", hostname + " Error: timeout exceeded");
    }

    public static Reply shuttingDown(String hostname) {
        return Reply.of(421, "4.3.2", hostname + " Service shutting down");
    }

    public static Reply queued(String queueId) {
        return Reply.of(250, "2.0.0", "Ok: queued as " + queueId);
    }

    public static Reply relayAccessDenied(MailAddress recipient) {
        return Reply.of(554, "5.7.1", recipient.bracketed() + ": Relay access denied");
    }

    /** Postfix's form for a recipient restriction's verdict: {@code <a@b>: Recipient address rejected: detail}. */
    public static Reply recipientRejected(int code, EnhancedStatus status, MailAddress recipient, String detail) {
        return rejected(code, status, recipient.toString(), "Recipient address", detail);
    }

    /**
     * Postfix's form for every restriction verdict: {@code <what>: Client host rejected: text}, with {@code what}
     * the client {@code name[address]}, the HELO name, or an address, and the class of the thing rejected.
     */
    public static Reply rejected(int code, EnhancedStatus status, String what, String thing, String detail) {
        return Reply.of(code, status.withClassOf(code), "<" + what + ">: " + thing + " rejected: " + detail);
    }

    /** reject_rbl_client and friends: Postfix's {@code default_rbl_reply}. */
    public static Reply blocked(String thing, String what, String listDomain, String reason) {
        return Reply.of(554, "5.7.1", "Service unavailable; " + thing + " [" + what + "] blocked using " + listDomain
                + (reason == null || reason.isEmpty() ? "" : "; " + reason));
    }

    /** A policy or access table said something we cannot act on (Postfix: "Server configuration error"). */
    public static Reply serverConfigurationError(String what, String thing) {
        return rejected(451, EnhancedStatus.of(4, 3, 5), what, thing, "Server configuration error");
    }

    public static Reply temporaryLookupFailure(MailAddress recipient) {
        return temporaryLookupFailure(recipient.toString());
    }

    /** Postfix's reject_dict_retry: {@code 451 4.3.0 <what>: Temporary lookup failure}. */
    public static Reply temporaryLookupFailure(String what) {
        return Reply.of(451, "4.3.0", "<" + what + ">: Temporary lookup failure");
    }

    public static Reply helo(String hostname) {
        return Reply.of(250, (EnhancedStatus) null, hostname);
    }

    /** The EHLO reply: our name first, then one extension per line, without enhanced status (as Postfix). */
    public static Reply ehlo(String hostname, List<String> extensions) {
        List<String> lines = new ArrayList<>(extensions.size() + 1);
        lines.add(hostname);
        lines.addAll(extensions);
        return new Reply(250, null, lines);
    }
}
