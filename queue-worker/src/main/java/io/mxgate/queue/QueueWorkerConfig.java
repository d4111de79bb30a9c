package io.mxgate.queue;

import io.mxgate.config.KafkaSettings;
import io.mxgate.config.RedisSettings;
import io.mxgate.config.RoutingSettings;
import io.mxgate.config.SmtpClientSettings;
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
public interface QueueWorkerConfig extends RoutingSettings, SmtpClientSettings, RedisSettings {

    // ---- trivial-rewrite ----

    /** Postfix {@code smtp_fallback_relay}: tried after the next hop's hosts failed (transport smtp only). */
    Optional<String> smtpFallbackRelay();

    // ---- DNS and loop detection ----

    // ---- smtp(8) ----

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

    Kafka kafka();

    interface Kafka extends KafkaSettings {
        /** Consumer group of this service. */
        @WithDefault("mxgate-queue-worker")
        String groupId();

        /**
         * Not in Postfix: the queue state topic (ADR 0010), where queue-worker marks each queue entry whose
         * recipients were delivered, bounced or deleted before the Redis index forgets them; with the incoming and
         * deferred topics it is what the index is rebuilt from. Its retention must be at least theirs.
         */
        @WithDefault("mxgate.queue-state")
        String queueStateTopic();
    }
}
