package io.mxgate.queue;

import io.mxgate.config.KafkaSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of queue-worker: Postfix's main.cf parameter names in kebab case under {@code mxgate.}, with
 * Postfix's defaults unless noted. docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "mxgate")
public interface QueueWorkerConfig {

    /** Postfix {@code myhostname}: EHLO/LHLO name, the reporting MTA of DSNs, and the domain of bare addresses. */
    @WithDefault("localhost")
    String myhostname();

    /** Postfix {@code message_size_limit}: sizes every Kafka limit (ADR 0002). */
    @WithDefault("10240000")
    long messageSizeLimit();

    // ---- trivial-rewrite ----

    /** Postfix {@code virtual_mailbox_domains}: lmtp-delivery takes these from the incoming topic; we retry them. */
    @WithDefault("example.test")
    String virtualMailboxDomains();

    /** Postfix {@code relay_domains}: delivered through {@code relay_transport}. */
    Optional<String> relayDomains();

    /** Postfix {@code virtual_alias_domains}: every address must have a virtual alias, else it bounces. */
    Optional<String> virtualAliasDomains();

    /** Postfix {@code virtual_alias_maps}: tables of {@code address  address, address...} (and {@code @domain}). */
    Optional<String> virtualAliasMaps();

    /** Postfix {@code recipient_delimiter}: address extension separators for table lookups (empty: none). */
    Optional<String> recipientDelimiter();

    /** Postfix {@code virtual_transport}: route of virtual mailbox domains (LMTP to Dovecot). */
    @WithDefault("lmtp:[127.0.0.1]:2424")
    String virtualTransport();

    /** Postfix {@code relay_transport}: route of relay domains; {@code relay} is SMTP without the fallback relay. */
    @WithDefault("relay")
    String relayTransport();

    /** Postfix {@code default_transport}: route of every other domain. */
    @WithDefault("smtp")
    String defaultTransport();

    /** Postfix {@code relayhost}: next hop(s) of relay and default domains instead of the recipient domain. */
    Optional<String> relayhost();

    /** Postfix {@code transport_maps}: transport(5) tables, comma- or space-separated, read as text. */
    Optional<String> transportMaps();

    /** Postfix {@code smtp_fallback_relay}: tried after the next hop's hosts failed (transport smtp only). */
    Optional<String> smtpFallbackRelay();

    /** Postfix {@code smtp_tcp_port}: the port of SMTP next hops that name none (and of MX hosts). */
    @WithDefault("25")
    int smtpTcpPort();

    /** Postfix {@code lmtp_tcp_port}: the port of LMTP next hops that name none. */
    @WithDefault("24")
    int lmtpTcpPort();

    // ---- DNS and loop detection ----

    /** {@code host[:port]} of the DNS server for MX and A lookups (default: the first of /etc/resolv.conf). */
    Optional<String> dnsResolver();

    /** One DNS query; a timeout defers the recipients (4.4.3). */
    @WithDefault("5s")
    Duration dnsTimeout();

    /** Postfix {@code inet_interfaces}: our own addresses; an MX host on one of them (port 25) is us. */
    @WithDefault("127.0.0.1")
    String inetInterfaces();

    /** Postfix {@code proxy_interfaces}: more addresses that are us (a load balancer's). */
    Optional<String> proxyInterfaces();

    // ---- smtp(8) ----

    /** Postfix {@code smtp_tls_security_level}: {@code none}, {@code may} (opportunistic) or {@code encrypt}. */
    @WithDefault("may")
    String smtpTlsSecurityLevel();

    /** Postfix {@code smtp_mx_address_limit}: addresses tried per next hop (0: all). */
    @WithDefault("5")
    int smtpMxAddressLimit();

    /** Postfix {@code smtp_mx_session_limit}: servers of one next hop that may be talked to per attempt. */
    @WithDefault("2")
    int smtpMxSessionLimit();

    /** Postfix {@code default_destination_concurrency_limit}: parallel deliveries to one destination. */
    @WithDefault("20")
    int defaultDestinationConcurrencyLimit();

    /** Postfix {@code default_destination_recipient_limit}: recipients per transaction. */
    @WithDefault("50")
    int defaultDestinationRecipientLimit();

    /** Postfix {@code smtp_connection_cache_time_limit}: how long an idle connection is kept for reuse. */
    @WithDefault("2s")
    Duration smtpConnectionCacheTimeLimit();

    /** Postfix {@code smtp_connect_timeout}. */
    @WithDefault("30s")
    Duration smtpConnectTimeout();

    /** Postfix {@code smtp_helo_timeout}: greeting, EHLO, STARTTLS and the TLS handshake. */
    @WithDefault("300s")
    Duration smtpHeloTimeout();

    /** Postfix {@code smtp_mail_timeout}. */
    @WithDefault("300s")
    Duration smtpMailTimeout();

    /** Postfix {@code smtp_rcpt_timeout}. */
    @WithDefault("300s")
    Duration smtpRcptTimeout();

    /** Postfix {@code smtp_data_init_timeout}. */
    @WithDefault("120s")
    Duration smtpDataInitTimeout();

    /** Postfix {@code smtp_data_done_timeout}: the reply after the final dot. */
    @WithDefault("600s")
    Duration smtpDataDoneTimeout();

    /** Postfix {@code smtp_rset_timeout}. */
    @WithDefault("20s")
    Duration smtpRsetTimeout();

    /** Postfix {@code smtp_quit_timeout}. */
    @WithDefault("300s")
    Duration smtpQuitTimeout();

    /** Postfix {@code lmtp_connect_timeout} (retries of virtual mailbox recipients). */
    @WithDefault("30s")
    Duration lmtpConnectTimeout();

    /** Postfix {@code lmtp_lhlo_timeout}. */
    @WithDefault("300s")
    Duration lmtpLhloTimeout();

    /** Postfix {@code lmtp_data_done_timeout}. */
    @WithDefault("600s")
    Duration lmtpDataDoneTimeout();

    // ---- qmgr(8) ----

    /** Postfix {@code minimal_backoff_time}: the shortest wait before a deferred message is tried again. */
    @WithDefault("300s")
    Duration minimalBackoffTime();

    /** Postfix {@code maximal_backoff_time}: the longest wait (the wait is the message's age, between the two). */
    @WithDefault("4000s")
    Duration maximalBackoffTime();

    /** Postfix {@code queue_run_delay}: how often the deferred queue is scanned for messages that are due. */
    @WithDefault("300s")
    Duration queueRunDelay();

    /** Postfix {@code maximal_queue_lifetime}: a message still deferred at this age is returned to the sender. */
    @WithDefault("5d")
    Duration maximalQueueLifetime();

    /** Postfix {@code bounce_queue_lifetime}: the same for mail from the null sender (bounces). */
    @WithDefault("5d")
    Duration bounceQueueLifetime();

    /** Postfix {@code delay_warning_time}: send one "delayed mail" DSN at this age; 0 turns it off (default). */
    @WithDefault("0h")
    Duration delayWarningTime();

    /** Postfix {@code qmgr_message_active_limit}: queue entries in delivery at once on this replica. */
    @WithDefault("200")
    int qmgrMessageActiveLimit();

    /**
     * Not in Postfix: how long a claimed queue entry stays with this replica without a lease renewal before another
     * replica may take it (a replica renews every third of it; a killed one loses its entries after it).
     */
    @WithDefault("60s")
    Duration queueLeaseTime();

    // ---- bounce(8) ----

    /** Postfix {@code double_bounce_sender}: sender of postmaster notices; mail to it is discarded. */
    @WithDefault("double-bounce")
    String doubleBounceSender();

    /** Postfix {@code notify_classes}: only {@code 2bounce} is acted on (a copy of undeliverable bounces). */
    @WithDefault("resource, software")
    String notifyClasses();

    /** Postfix {@code 2bounce_notice_recipient}: who gets undeliverable bounces when notify_classes has 2bounce. */
    @WithName("2bounce-notice-recipient")
    @WithDefault("postmaster")
    String twoBounceNoticeRecipient();

    // ---- stores ----

    /** The queue index (due times, holds, per-recipient state), shared by all replicas; bodies stay in Kafka. */
    @WithDefault("redis://127.0.0.1:16379")
    String redisUrl();

    Kafka kafka();

    interface Kafka extends KafkaSettings {
        /** Consumer group of this service. */
        @WithDefault("mxgate-queue-worker")
        String groupId();
    }
}
