package io.mxgate.core.client;

/**
 * A conversation that ended without a reply to act on: connect failure, timeout, lost connection or a reply we
 * cannot parse. Always a temporary failure for the recipients concerned (Postfix defers them), and its message is
 * Postfix's wording for the log and the DSN.
 */
public final class ClientException extends RuntimeException {

    public enum Kind { CONNECT_FAILED, TIMEOUT, CONNECTION_LOST, PROTOCOL_ERROR }

    private final Kind kind;
    private final ClientState state;

    public ClientException(Kind kind, ClientState state, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.state = state;
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
