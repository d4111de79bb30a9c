package io.mxgate.core.client;

import java.time.Duration;

/**
 * Per-state timeouts, as Postfix's {@code smtp_*_timeout} / {@code lmtp_*_timeout} parameters. STARTTLS and the
 * TLS handshake share the HELO timeout (Postfix's {@code smtp_starttls_timeout} has the same 300 s default).
 */
public record ClientTimeouts(Duration connect, Duration greeting, Duration hello, Duration mail, Duration rcpt,
                             Duration dataInit, Duration dataDone, Duration rset, Duration quit) {

    /** Postfix's lmtp defaults, with a connect timeout of 30 s (Postfix's smtp default) instead of the OS's. */
    public static ClientTimeouts postfixDefaults() {
        return new ClientTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(300), Duration.ofSeconds(300),
                Duration.ofSeconds(300), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(600),
                Duration.ofSeconds(20), Duration.ofSeconds(300));
    }

    Duration forState(ClientState state) {
        return switch (state) {
            case CONNECT -> connect;
            case GREETING -> greeting;
            case HELLO, STARTTLS -> hello;
            case MAIL -> mail;
            case RCPT -> rcpt;
            case DATA -> dataInit;
            case BODY, DOT -> dataDone;
            case RSET -> rset;
            case QUIT -> quit;
        };
    }
}
