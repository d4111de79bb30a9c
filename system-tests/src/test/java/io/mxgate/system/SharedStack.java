package io.mxgate.system;

import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;

/**
 * One stack for all the tests that leave it as they found it (no part stopped), started on first use and closed
 * when the test run ends. Short timeouts so that timeout behaviour is testable in seconds.
 */
final class SharedStack {

    static final Map<String, String> TEST_SETTINGS = Map.of(
            "MXGATE_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT", "60",
            "MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL", "haproxy",
            "MXGATE_MYNETWORKS", "192.0.2.0/24, 127.0.0.77/32",
            // the tests themselves play the load balancer from 127.0.0.1; other loopback addresses are strangers
            "MXGATE_SMTPD_UPSTREAM_PROXY_TRUSTED_NETWORKS", "127.0.0.1/32",
            "MXGATE_SMTPD_TIMEOUT", "3s",
            "MXGATE_KAFKA_ACK_TIMEOUT", "5s",
            "MXGATE_LMTP_BACKEND_RETRY_MAX_DELAY", "2s");

    private SharedStack() {
    }

    static Stack get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent("mxgate-stack", k -> new Closeable(Stack.start(TEST_SETTINGS)), Closeable.class)
                .stack();
    }

    private record Closeable(Stack stack) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            stack.close();
        }
    }
}
