package io.mxgate.core.client;

/**
 * The states of a client conversation, each with the words Postfix puts after "while" in its log and DSN texts
 * ({@code lost connection with host[addr] while sending RCPT TO}).
 */
public enum ClientState {
    CONNECT("connecting"),
    GREETING("receiving the initial server greeting"),
    HELLO("performing the HELO handshake"),
    STARTTLS("sending STARTTLS"),
    MAIL("sending MAIL FROM"),
    RCPT("sending RCPT TO"),
    DATA("sending DATA command"),
    BODY("sending message body"),
    DOT("sending end of data -- message may be sent more than once"),
    RSET("sending RSET"),
    QUIT("sending QUIT");

    private final String during;

    ClientState(String during) {
        this.during = during;
    }

    /** Postfix's "while ..." text. */
    public String during() {
        return during;
    }

    /** The command name a reply was "in reply to", as DSN texts say it. */
    public String command() {
        return switch (this) {
            case MAIL -> "MAIL FROM";
            case RCPT -> "RCPT TO";
            case DATA -> "DATA";
            case BODY, DOT -> "end of DATA";
            case HELLO -> "LHLO/EHLO";
            case STARTTLS -> "STARTTLS";
            default -> name();
        };
    }
}
