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
}
