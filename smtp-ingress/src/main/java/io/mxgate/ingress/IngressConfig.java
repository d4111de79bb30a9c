package io.mxgate.ingress;

import io.mxgate.config.KafkaSettings;
import io.mxgate.config.RoutingSettings;
import io.mxgate.config.NetworkSettings;
import io.mxgate.ingress.milter.MilterSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of smtp-ingress. Names are Postfix's main.cf parameters in kebab case under {@code mxgate.}
 * (environment: {@code MXGATE_MESSAGE_SIZE_LIMIT}); docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "mxgate")
public interface IngressConfig extends RoutingSettings, NetworkSettings, MilterSettings {

    /** The SMTP listener's port (master.cf's {@code smtp inet} service). */
    @WithDefault("2525")
    int smtpdPort();

    /**
     * Postfix {@code smtpd_upstream_proxy_protocol}: {@code haproxy} opens a second SMTP listener on
     * {@link #smtpdProxyPort()} that expects a PROXY protocol v1 or v2 header (from a cloud load balancer) and
     * uses the client address in it for mynetworks, access tables, RBLs and logs. Empty: no such listener.
     */
    Optional<String> smtpdUpstreamProxyProtocol();

    /** The PROXY-protocol listener's port (the plain listener stays for in-cluster clients and health checks). */
    @WithDefault("2526")
    int smtpdProxyPort();

    /**
     * The peers allowed to send a PROXY header (CIDR list, /file, as {@link #mynetworks()}): the load balancer's
     * networks. A header from any other peer closes the connection before SMTP, since it could claim a mynetworks
     * address. Postfix has no such list (its smtpd trusts whatever connects, the operator firewalls the port);
     * here the port is one a Service may expose, so an empty list with {@code haproxy} on stops the start rather
     * than trusting everyone. {@code 0.0.0.0/0 ::/0} trusts every peer, knowingly.
     */
    Optional<String> smtpdUpstreamProxyTrustedNetworks();

    /** Postfix {@code smtpd_upstream_proxy_timeout}: how long to wait for the PROXY header. */
    @WithDefault("5s")
    Duration smtpdUpstreamProxyTimeout();

    /**
     * On shutdown (SIGTERM): how long open sessions may take to reach a point where they can be told
     * {@code 421 4.3.2 Service shutting down} (a DATA in progress finishes and gets its Kafka ack or 4xx first).
     * Keep it below the pod's terminationGracePeriodSeconds.
     */
    @WithDefault("30s")
    Duration smtpdDrainTimeout();

    /** Postfix {@code line_length_limit}: the longest command line, in bytes; longer gets 500 5.5.2 and a close. */
    @WithDefault("2048")
    int lineLengthLimit();

    /**
     * Postfix {@code header_size_limit}: the most bytes one header of a message keeps, continuation lines
     * included; the excess is discarded, as in Postfix's cleanup.
     */
    @WithDefault("102400")
    int headerSizeLimit();

    /**
     * Postfix {@code hopcount_limit}: a message with this many Received headers (ours included) is a mail loop
     * and gets 554 5.4.0 at the end of DATA.
     */
    @WithDefault("50")
    int hopcountLimit();

    /** Postfix {@code smtpd_recipient_limit}: recipients accepted per message; more get 452 4.5.3. */
    @WithDefault("1000")
    int smtpdRecipientLimit();

    /** Postfix {@code smtpd_timeout}: how long the server waits for a complete command line or DATA line. */
    @WithDefault("300s")
    Duration smtpdTimeout();

    /**
     * Postfix {@code smtpd_forbid_unauth_pipelining}: disconnect a client that talks before the greeting or sends
     * more after a command that must end a pipelined group (EHLO, DATA, STARTTLS, AUTH, ...), with
     * {@code 554 5.5.0 Error: SMTP protocol synchronization}.
     */
    @WithDefault("true")
    boolean smtpdForbidUnauthPipelining();

    /**
     * Postfix {@code smtpd_min_data_rate}: during DATA the client must keep up this many bytes per second (on top
     * of {@code smtpd_timeout}), so a client trickling one byte every few seconds cannot hold a session for hours.
     */
    @WithDefault("500")
    long smtpdMinDataRate();

    /**
     * Postfix {@code smtpd_forbid_bare_newline}: {@code normalize} (default) accepts a line ended by a bare LF as
     * if it ended in CRLF, but never as the end of DATA; {@code reject} refuses such a message with
     * {@code 550 5.5.2 Error: bare <LF> received}.
     */
    @WithDefault("normalize")
    String smtpdForbidBareNewline();

    /** Postfix {@code smtpd_client_connection_count_limit}: simultaneous sessions per client address (0: no limit). */
    @WithDefault("50")
    int smtpdClientConnectionCountLimit();

    /** Postfix {@code smtpd_client_connection_rate_limit}: new sessions per client per time unit (0: no limit). */
    @WithDefault("0")
    int smtpdClientConnectionRateLimit();

    /** Postfix {@code anvil_rate_time_unit}: the time unit of the rate limit. */
    @WithDefault("60s")
    Duration anvilRateTimeUnit();

    /** Postfix {@code smtpd_hard_error_limit}: errors in one session before 421 and disconnect. */
    @WithDefault("20")
    int smtpdHardErrorLimit();

    /** Postfix {@code smtpd_helo_required}: refuse MAIL, RCPT and DATA before HELO/EHLO. */
    @WithDefault("false")
    boolean smtpdHeloRequired();

    /**
     * Postfix {@code smtpd_relay_restrictions}: evaluated per RCPT before the recipient restrictions. Postfix's
     * default ends in defer_unauth_destination; ours rejects (554 5.7.1 Relay access denied) at once.
     */
    @WithDefault("permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination")
    String smtpdRelayRestrictions();

    /**
     * Postfix {@code smtpd_recipient_restrictions}, in order, first PERMIT or REJECT wins. Postfix's default is
     * empty; ours verifies the recipients of strangers, since a gateway that accepts unknown recipients sends
     * backscatter (trusted and authenticated clients are not held up by probes).
     */
    @WithDefault("permit_mynetworks, permit_sasl_authenticated, reject_unverified_recipient")
    String smtpdRecipientRestrictions();

    /**
     * Postfix {@code mynetworks}: clients that permit_mynetworks trusts (CIDR list, /file or cidr:table). Postfix
     * trusts its own host by default; a gateway on port 25 trusts nobody until told.
     */
    Optional<String> mynetworks();

    /** Postfix {@code permit_mx_backup_networks}: permit_mx_backup only for domains whose better MX hosts are here. */
    Optional<String> permitMxBackupNetworks();

    /** Postfix {@code smtpd_peername_lookup}: look up (and forward-confirm) the client's name. */
    @WithDefault("true")
    boolean smtpdPeernameLookup();

    /** Postfix {@code smtpd_policy_service_timeout}: connect/request timeout of check_policy_service. */
    @WithDefault("100s")
    Duration smtpdPolicyServiceTimeout();

    /** Postfix {@code smtpd_policy_service_max_idle}: an idle policy connection is closed after this. */
    @WithDefault("300s")
    Duration smtpdPolicyServiceMaxIdle();

    /** Postfix {@code smtpd_policy_service_max_ttl}: a policy connection is closed after this age. */
    @WithDefault("1000s")
    Duration smtpdPolicyServiceMaxTtl();

    /** Postfix {@code smtpd_policy_service_try_limit}: attempts per request. */
    @WithDefault("2")
    int smtpdPolicyServiceTryLimit();

    /** Postfix {@code smtpd_policy_service_retry_delay}: pause between attempts. */
    @WithDefault("1s")
    Duration smtpdPolicyServiceRetryDelay();

    /** Postfix {@code smtpd_policy_service_default_action}: the reply when the policy server cannot be asked. */
    @WithDefault("451 4.3.5 Server configuration problem")
    String smtpdPolicyServiceDefaultAction();

    /** Where the verifier answers recipient checks (a Kubernetes Service in a cluster). */
    @WithDefault("http://127.0.0.1:18081")
    String verifierUrl();

    /**
     * How long this replica keeps a verifier's "deliverable" answer before asking again (0: never keep). Negative
     * and pending answers are never kept.
     */
    @WithDefault("60s")
    Duration verifierCacheTime();

    /** How long a recipient check may take before the answer is 450 "address verification problem". */
    @WithDefault("5s")
    Duration verifierTimeout();

    /**
     * Postfix {@code smtpd_reject_unlisted_recipient}: after the restriction lists, refuse an address that
     * {@code virtual_alias_maps} does not know in a virtual alias domain, or that neither it nor a non-empty
     * {@code virtual_mailbox_maps} knows in a virtual mailbox domain.
     */
    @WithDefault("true")
    boolean smtpdRejectUnlistedRecipient();

    /** Postfix {@code unknown_virtual_alias_reject_code}: the code for an unknown virtual alias domain address. */
    @WithDefault("550")
    int unknownVirtualAliasRejectCode();

    /** Postfix {@code unknown_virtual_mailbox_reject_code}: the code for an unknown virtual mailbox domain address. */
    @WithDefault("550")
    int unknownVirtualMailboxRejectCode();

    /** Postfix {@code unknown_relay_recipient_reject_code}: the code for an address relay_recipient_maps lacks. */
    @WithDefault("550")
    int unknownRelayRecipientRejectCode();

    /** Postfix {@code unverified_recipient_reject_code}: the reply code when a probe bounced (any 4xx or 5xx). */
    @WithDefault("450")
    int unverifiedRecipientRejectCode();

    /** Postfix {@code unverified_recipient_defer_code}: the reply code while a probe is deferred or under way. */
    @WithDefault("450")
    int unverifiedRecipientDeferCode();

    /** Postfix {@code unverified_recipient_reject_reason}: replaces the next hop's text in the reject reply. */
    Optional<String> unverifiedRecipientRejectReason();

    /** Postfix {@code address_verify_sender}: probes arrive from it; it is never itself rejected as unverified. */
    @WithDefault("double-bounce")
    String addressVerifySender();

    /** Postfix {@code smtpd_tls_cert_file}: PEM certificate chain; with the key file it enables STARTTLS. */
    Optional<String> smtpdTlsCertFile();

    /** Postfix {@code smtpd_tls_key_file}: PEM private key. */
    Optional<String> smtpdTlsKeyFile();

    /** Postfix {@code smtpd_sasl_auth_enable}: offer AUTH (PLAIN, LOGIN), checked by Dovecot. */
    @WithDefault("false")
    boolean smtpdSaslAuthEnable();

    /** Postfix {@code smtpd_sasl_path}: Dovecot's auth service, {@code inet:host:port}. */
    @WithDefault("inet:127.0.0.1:12345")
    String smtpdSaslPath();

    /** Postfix {@code smtpd_tls_auth_only}: offer and accept AUTH only inside TLS. */
    @WithDefault("true")
    boolean smtpdTlsAuthOnly();

    /** Kafka, where every accepted message is stored before the 250. */
    Kafka kafka();

    interface Kafka extends KafkaSettings {
        /**
         * Producer {@code batch.size}, in bytes: how many bytes of records for one partition may share one produce
         * request. Sessions waiting for their 250 at the same time share a request when it holds several messages;
         * Kafka's 16 KiB default holds one 10 KB message, and with at most 5 requests in flight per broker that caps
         * the messages awaiting their ack at 5 per partition.
         */
        @WithDefault("262144")
        int batchSize();

        /** Producer {@code linger.ms}: how long a record may wait for others to share its request. */
        @WithDefault("1ms")
        Duration linger();

        /** Producer {@code compression.type}: none, gzip, snappy, lz4 or zstd. */
        @WithDefault("none")
        String compressionType();
    }
}
