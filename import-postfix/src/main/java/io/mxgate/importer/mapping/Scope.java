package io.mxgate.importer.mapping;

import java.util.List;

/** Where in the chart's values an mxgate.* key goes: which services get it. */
public enum Scope {
    /** A value of its own at the top of values.yaml (myhostname, virtualTransport, ...): the chart gives it to every service. */
    CHART_VALUE(List.of()),
    /** {@code config}: every service. */
    ALL(List.of("config")),
    SMTP_INGRESS(List.of("smtpIngress", "config")),
    VERIFIER(List.of("verifier", "config")),
    QUEUE_WORKER(List.of("queueWorker", "config")),
    LMTP_DELIVERY(List.of("lmtpDelivery", "config"));

    private final List<String> prefix;

    Scope(List<String> prefix) {
        this.prefix = prefix;
    }

    public List<String> prefix() {
        return prefix;
    }
}
