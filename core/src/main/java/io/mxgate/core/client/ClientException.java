package io.mxgate.core.client;

import io.mxgate.core.smtp.EnhancedStatus;

/**
 * A conversation that ended without a reply to act on: connect failure, timeout, lost connection or a reply we
 * cannot parse. Always a temporary failure for the recipients concerned (Postfix defers them), and its message is
 * Postfix's wording for the log and the DSN.
 */
public final class ClientException extends RuntimeException {

    public enum Kind { CONNECT_FAILED, TIMEOUT, CONNECTION_LOST, PROTOCOL_ERROR }

    private final Kind kind;
    private final ClientState state;
    private final EnhancedStatus dsn;
    private final String detail;

    public ClientException(Kind kind, ClientState state, String message) {
        this(kind, state, null, message, null);
    }

    /** With the DSN status Postfix gives this failure (TLS failures: 4.7.4, 4.7.5), instead of the kind's. */
    public ClientException(Kind kind, ClientState state, EnhancedStatus dsn, String message) {
        this(kind, state, dsn, message, null);
    }

    /**
     * With a {@code detail} for the log that the DSN text leaves out, as Postfix logs why a certificate failed
     * ("certificate verification failed for ...") while the DSN says only "Server certificate not verified".
     */
    public ClientException(Kind kind, ClientState state, EnhancedStatus dsn, String message, String detail) {
        super(message, null, false, false);
        this.kind = kind;
        this.state = state;
        this.dsn = dsn;
        this.detail = detail;
    }

    /** A line for the log beside the deferral, or null. */
    public String detail() {
        return detail;
    }

    /**
     * The recipients' DSN status: the one given, else 4.4.1 for a failed connect and 4.4.2 for any other broken
     * conversation, as Postfix's smtp(8) reports them.
     */
    public EnhancedStatus dsn() {
        return dsn != null ? dsn : kind == Kind.CONNECT_FAILED ? EnhancedStatus.of(4, 4, 1) : EnhancedStatus.of(4, 4, 2);
    }

    public Kind kind() {
        return kind;
    }

    public ClientState state() {
        return state;
    }

    /** True when the conversation failed before any transaction began: the next hop is unavailable. */
    public boolean beforeTransaction() {
        return state == ClientState.CONNECT || state == ClientState.GREETING || state == ClientState.HELLO;
    }

    /** Any failure as a ClientException; a foreign one becomes a protocol error in {@code state}. */
    public static ClientException of(Throwable t, ClientState state) {
        return t instanceof ClientException c ? c : new ClientException(Kind.PROTOCOL_ERROR, state, String.valueOf(t));
    }
}
