package io.mxgate.delivery;

import io.mxgate.config.KafkaSettings;
import io.mxgate.config.RoutingSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Every setting of lmtp-delivery. Names are Postfix's main.cf parameters in kebab case under {@code mxgate.};
 * docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "mxgate")
public interface DeliveryConfig extends RoutingSettings {

    /** Postfix {@code lmtp_destination_concurrency_limit}: parallel LMTP transactions to the backend. */
    @WithDefault("20")
    int lmtpDestinationConcurrencyLimit();

    /** Postfix {@code lmtp_destination_recipient_limit}: recipients per LMTP transaction. */
    @WithDefault("50")
    int lmtpDestinationRecipientLimit();

    /** How long an idle LMTP connection is kept for reuse (Postfix {@code smtp_connection_cache_time_limit}). */
    @WithDefault("10s")
    Duration lmtpConnectionCacheTimeLimit();

    /** Postfix {@code lmtp_connect_timeout}. */
    @WithDefault("30s")
    Duration lmtpConnectTimeout();

    /** Postfix {@code lmtp_lhlo_timeout}: for the greeting and the LHLO reply. */
    @WithDefault("300s")
    Duration lmtpLhloTimeout();

    /** Postfix {@code lmtp_mail_timeout}. */
    @WithDefault("300s")
    Duration lmtpMailTimeout();

    /** Postfix {@code lmtp_rcpt_timeout}. */
    @WithDefault("300s")
    Duration lmtpRcptTimeout();

    /** Postfix {@code lmtp_data_init_timeout}. */
    @WithDefault("120s")
    Duration lmtpDataInitTimeout();

    /** Postfix {@code lmtp_data_done_timeout}: for the replies after the final dot. */
    @WithDefault("600s")
    Duration lmtpDataDoneTimeout();

    /** Postfix {@code lmtp_rset_timeout}. */
    @WithDefault("20s")
    Duration lmtpRsetTimeout();

    /** Postfix {@code lmtp_quit_timeout}. */
    @WithDefault("300s")
    Duration lmtpQuitTimeout();

    /**
     * While the backend cannot be reached at all, mail stays in the incoming topic (nothing is committed) and the
     * attempt repeats after a delay that doubles up to this value.
     */
    @WithDefault("30s")
    Duration lmtpBackendRetryMaxDelay();

    /**
     * On SIGTERM: how long the LMTP transactions under way may take to finish before their follow-ups are written
     * and offsets committed; what is still under way then is delivered again after the restart. Keep it below the
     * pod's terminationGracePeriodSeconds (60 in the chart), with room for the commit.
     */
    @WithDefault("40s")
    Duration lmtpDrainTimeout();

    Kafka kafka();

    interface Kafka extends KafkaSettings {
        /** Consumer group of this service. */
        @WithDefault("mxgate-lmtp-delivery")
        String groupId();
    }
}
