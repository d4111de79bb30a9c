package io.mxgate.verify;

import io.mxgate.config.RedisSettings;
import io.mxgate.config.RoutingSettings;
import io.mxgate.config.SmtpClientSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the verifier: Postfix's verify(8) parameters in kebab case under {@code mxgate.};
 * docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "mxgate")
public interface VerifierConfig extends RoutingSettings, SmtpClientSettings, RedisSettings {

    /** The address-verify settings. */
    AddressVerify addressVerify();

    interface AddressVerify {
        /** Postfix {@code address_verify_sender}: the probe's MAIL FROM; {@code @myhostname} is appended when bare. */
        @WithDefault("double-bounce")
        String sender();

        /** Postfix {@code address_verify_positive_refresh_time}: an OK entry older than this is re-probed in the background. */
        @WithDefault("7d")
        Duration positiveRefreshTime();

        /** Postfix {@code address_verify_positive_expire_time}: an OK entry older than this is forgotten. */
        @WithDefault("31d")
        Duration positiveExpireTime();

        /** Postfix {@code address_verify_negative_refresh_time}: a DEFER/BOUNCE entry older than this is re-probed. */
        @WithDefault("3h")
        Duration negativeRefreshTime();

        /** Postfix {@code address_verify_negative_expire_time}: a DEFER/BOUNCE entry older than this is forgotten. */
        @WithDefault("3d")
        Duration negativeExpireTime();

        /** Postfix {@code address_verify_negative_cache}: store failed probe results. */
        @WithDefault("true")
        boolean negativeCache();

        /**
         * Postfix {@code address_verify_poll_count}: how often a query re-reads the cache while a probe it did not
         * start is under way. Postfix polls 3 times; we poll more often with a shorter delay.
         */
        @WithDefault("20")
        int pollCount();

        /**
         * Postfix {@code address_verify_poll_delay}: the pause between polls. The wait budget of a query on a miss
         * is poll-count x poll-delay (1 s by default, where Postfix needs 3 s at the least).
         */
        @WithDefault("50ms")
        Duration pollDelay();

        /** The whole probe conversation is abandoned (result DEFER) after this; also the single-flight lock's lease. */
        @WithDefault("30s")
        Duration probeTimeout();
    }
}
