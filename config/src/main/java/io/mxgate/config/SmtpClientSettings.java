package io.mxgate.config;

import io.smallrye.config.WithDefault;

/**
 * What every service that talks SMTP to other hosts needs besides the network (queue-worker's relay, the
 * verifier's probes): smtp(8)'s choice of hosts and TLS.
 */
public interface SmtpClientSettings extends NetworkSettings {

    /** Postfix {@code smtp_tls_security_level}: {@code none}, {@code may} (opportunistic) or {@code encrypt}. */
    @WithDefault("may")
    String smtpTlsSecurityLevel();

    /** Postfix {@code smtp_mx_address_limit}: addresses tried per next hop (0: all). */
    @WithDefault("5")
    int smtpMxAddressLimit();
}
