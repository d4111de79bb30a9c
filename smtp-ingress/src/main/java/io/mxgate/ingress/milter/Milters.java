package io.mxgate.ingress.milter;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.util.function.Function;

/**
 * The filters of one event loop: the options and a TCP client whose connections (one per filter and SMTP session,
 * as Postfix keeps one per smtpd process's session) stay on that loop.
 */
public final class Milters {

    private final Vertx vertx;
    private final MilterOptions options;
    private final MilterMetrics metrics;
    private final NetClient net;

    public Milters(Vertx vertx, MilterOptions options, MilterMetrics metrics) {
        this.vertx = vertx;
        this.options = options;
        this.metrics = metrics;
        this.net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis())));
    }

    /** Whether {@code smtpd_milters} names any filter (else sessions skip the milter steps altogether). */
    public boolean enabled() {
        return !options.endpoints().isEmpty();
    }

    /**
     * The filters for a new session; {@code macros} gives a macro's value for the session's state at the time of
     * the event (Postfix's smtpd_milter_eval), null when it has none, which leaves it out.
     */
    public SessionMilters open(Function<String, String> macros) {
        Function<String, String> all = name -> switch (name) {
            case "{daemon_name}" -> options.daemonName();
            case "v" -> options.macroV();
            default -> macros.apply(name);
        };
        return new SessionMilters(options.endpoints().stream()
                .map(e -> new MilterClient(vertx, net, e, options, all, metrics)).toList());
    }

    public void close() {
        net.close();
    }
}
