package io.mxgate.config;

import io.mxgate.core.client.ClientTls;
import io.mxgate.core.client.TlsPolicies;
import io.mxgate.core.client.TlsPolicy;
import io.mxgate.core.client.TlsTrust;
import io.mxgate.core.dns.AddressPreference;
import io.mxgate.core.dns.InetProtocols;
import io.mxgate.core.table.LookupTables;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * What every service that talks SMTP to other hosts needs besides the network (queue-worker's relay, the
 * verifier's probes): smtp(8)'s choice of hosts and TLS.
 */
public interface SmtpClientSettings extends NetworkSettings {

    /**
     * Postfix {@code smtp_tls_security_level}: {@code none}, {@code may} (opportunistic), {@code encrypt} (TLS or
     * defer), {@code verify} (TLS with a trusted certificate that names the MX host, or defer) or {@code secure}
     * (the same, the certificate naming the next-hop domain).
     */
    @WithDefault("may")
    String smtpTlsSecurityLevel();

    /**
     * Postfix {@code smtp_tls_policy_maps}: per next-hop TLS policies ({@code example.com secure match=...},
     * {@code [mx.example.com]:587 verify}), any table type; empty: the security level applies everywhere.
     */
    Optional<String> smtpTlsPolicyMaps();

    /** Postfix {@code smtp_tls_CAfile}: PEM trust anchors for {@code verify} and {@code secure}. */
    Optional<String> smtpTlsCafile();

    /** Postfix {@code smtp_tls_CApath}: a directory of PEM trust anchors (every file is read). */
    Optional<String> smtpTlsCapath();

    /** Postfix {@code smtp_tls_verify_cert_match}: the names a certificate must match at {@code verify}. */
    @WithDefault("hostname")
    String smtpTlsVerifyCertMatch();

    /** Postfix {@code smtp_tls_secure_cert_match}: the names a certificate must match at {@code secure}. */
    @WithDefault("nexthop, dot-nexthop")
    String smtpTlsSecureCertMatch();

    /** Postfix {@code smtp_mx_address_limit}: addresses tried per next hop (0: all). */
    @WithDefault("5")
    int smtpMxAddressLimit();

    /** Postfix {@code inet_protocols}: the address families the SMTP client looks up and uses ({@code all}, {@code ipv4}, {@code ipv6}). */
    @WithDefault("all")
    String inetProtocols();

    /** Postfix {@code smtp_address_preference}: the family tried first among equal MX preferences ({@code any}, {@code ipv4}, {@code ipv6}). */
    @WithDefault("any")
    String smtpAddressPreference();

    /** {@link #inetProtocols()} parsed. */
    default InetProtocols protocols() {
        return InetProtocols.parse(inetProtocols());
    }

    /** {@link #smtpAddressPreference()} parsed. */
    default AddressPreference addressPreference() {
        return AddressPreference.parse(smtpAddressPreference());
    }

    /**
     * The TLS policy settings as core's client takes them, the policy tables opened from {@code tables}. Reads the
     * trust anchors: call it at startup, off the event loop.
     */
    default TlsPolicies tlsPolicies(LookupTables tables, int smtpTcpPort) {
        return new TlsPolicies(ClientTls.parse(smtpTlsSecurityLevel()),
                tables.openAll(smtpTlsPolicyMaps().orElse("")), smtpTcpPort,
                TlsPolicy.strategies(smtpTlsVerifyCertMatch()), TlsPolicy.strategies(smtpTlsSecureCertMatch()),
                TlsTrust.load(smtpTlsCafile().orElse(""), smtpTlsCapath().orElse("")));
    }
}
