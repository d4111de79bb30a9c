package io.mxgate.importer.postfix;

import java.util.Map;
import java.util.Optional;

/**
 * Postfix's defaults (postconf -d of Postfix 3.x, postconf(5)) for the parameters the importer compares or
 * expands: a setting equal to its default is not copied, and {@code $name} of a parameter main.cf does not set
 * expands to its default. {@code myhostname} has none here (Postfix asks the machine), {@code mydomain} is derived
 * from it, and two defaults follow {@code compatibility_level} as in Postfix (below 2: the pre-3.0 values).
 */
public final class PostfixDefaults {

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("config_directory", "/etc/postfix"),
            Map.entry("queue_directory", "/var/spool/postfix"),
            Map.entry("data_directory", "/var/lib/postfix"),
            Map.entry("daemon_directory", "/usr/libexec/postfix"),
            Map.entry("command_directory", "/usr/sbin"),
            Map.entry("mail_owner", "postfix"),
            Map.entry("setgid_group", "postdrop"),
            Map.entry("myorigin", "$myhostname"),
            Map.entry("mydestination", "$myhostname, localhost.$mydomain, localhost"),
            Map.entry("inet_interfaces", "all"),
            Map.entry("inet_protocols", "all"),
            Map.entry("proxy_interfaces", ""),
            Map.entry("mynetworks_style", "host"),
            Map.entry("message_size_limit", "10240000"),
            Map.entry("relay_domains", ""),
            Map.entry("relay_transport", "relay"),
            Map.entry("default_transport", "smtp"),
            Map.entry("relayhost", ""),
            Map.entry("fallback_relay", ""),
            Map.entry("smtp_fallback_relay", "$fallback_relay"),
            Map.entry("transport_maps", ""),
            Map.entry("mailbox_transport", ""),
            Map.entry("mailbox_command", ""),
            Map.entry("local_transport", "local:$myhostname"),
            Map.entry("virtual_transport", "virtual"),
            Map.entry("virtual_maps", ""),
            Map.entry("virtual_alias_maps", "$virtual_maps"),
            Map.entry("virtual_alias_domains", "$virtual_alias_maps"),
            Map.entry("virtual_mailbox_maps", ""),
            Map.entry("virtual_mailbox_domains", "$virtual_mailbox_maps"),
            Map.entry("recipient_delimiter", ""),
            Map.entry("smtpd_reject_unlisted_recipient", "yes"),
            Map.entry("smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination"),
            Map.entry("smtpd_recipient_restrictions", ""),
            Map.entry("smtpd_helo_required", "no"),
            Map.entry("permit_mx_backup_networks", ""),
            Map.entry("unverified_recipient_reject_code", "450"),
            Map.entry("unverified_recipient_defer_code", "450"),
            Map.entry("unverified_recipient_reject_reason", ""),
            Map.entry("double_bounce_sender", "double-bounce"),
            Map.entry("address_verify_sender", "$double_bounce_sender"),
            Map.entry("address_verify_map", "btree:$data_directory/verify_cache"),
            Map.entry("address_verify_positive_refresh_time", "7d"),
            Map.entry("address_verify_positive_expire_time", "31d"),
            Map.entry("address_verify_negative_refresh_time", "3h"),
            Map.entry("address_verify_negative_expire_time", "3d"),
            Map.entry("address_verify_negative_cache", "yes"),
            Map.entry("address_verify_poll_count", "3"),
            Map.entry("address_verify_poll_delay", "3s"),
            Map.entry("line_length_limit", "2048"),
            Map.entry("header_size_limit", "102400"),
            Map.entry("hopcount_limit", "50"),
            Map.entry("smtpd_recipient_limit", "1000"),
            Map.entry("smtpd_timeout", "300s"),
            Map.entry("smtpd_hard_error_limit", "20"),
            Map.entry("smtpd_client_connection_count_limit", "50"),
            Map.entry("smtpd_client_connection_rate_limit", "0"),
            Map.entry("anvil_rate_time_unit", "60s"),
            Map.entry("smtpd_tls_auth_only", "no"),
            Map.entry("smtpd_sasl_auth_enable", "no"),
            Map.entry("smtpd_peername_lookup", "yes"),
            Map.entry("minimal_backoff_time", "300s"),
            Map.entry("maximal_backoff_time", "4000s"),
            Map.entry("queue_run_delay", "300s"),
            Map.entry("maximal_queue_lifetime", "5d"),
            Map.entry("bounce_queue_lifetime", "5d"),
            Map.entry("delay_warning_time", "0h"),
            Map.entry("qmgr_message_active_limit", "20000"),
            Map.entry("notify_classes", "resource, software"),
            Map.entry("2bounce_notice_recipient", "postmaster"),
            Map.entry("default_destination_concurrency_limit", "20"),
            Map.entry("default_destination_recipient_limit", "50"),
            Map.entry("smtp_tls_security_level", ""),
            Map.entry("lmtp_destination_recipient_limit", "$default_destination_recipient_limit"),
            Map.entry("lmtp_destination_concurrency_limit", "$default_destination_concurrency_limit"),
            Map.entry("smtp_connect_timeout", "30s"),
            Map.entry("smtp_helo_timeout", "300s"),
            Map.entry("smtp_mail_timeout", "300s"),
            Map.entry("smtp_rcpt_timeout", "300s"),
            Map.entry("smtp_data_init_timeout", "120s"),
            Map.entry("smtp_data_done_timeout", "600s"),
            Map.entry("smtp_quit_timeout", "300s"),
            Map.entry("alias_maps", "hash:/etc/aliases"),
            Map.entry("alias_database", "hash:/etc/aliases"),
            Map.entry("unknown_local_recipient_reject_code", "550"),
            Map.entry("unknown_virtual_alias_reject_code", "550"),
            Map.entry("unknown_virtual_mailbox_reject_code", "550"),
            Map.entry("unknown_relay_recipient_reject_code", "550"),
            Map.entry("relay_recipient_maps", ""),
            Map.entry("virtual_alias_recursion_limit", "1000"),
            Map.entry("virtual_alias_expansion_limit", "1000"),
            Map.entry("compatibility_level", "0"));

    private PostfixDefaults() {
    }

    /** The default of {@code name} at {@code compatibilityLevel}, unexpanded; empty when the importer knows none. */
    public static Optional<String> of(String name, int compatibilityLevel) {
        if (compatibilityLevel < 2) {
            // Postfix 3.0 changed these two; below level 2 it keeps the older values (COMPATIBILITY_README)
            if (name.equals("relay_domains")) {
                return Optional.of("$mydestination");
            }
            if (name.equals("mynetworks_style")) {
                return Optional.of("subnet");
            }
        }
        return Optional.ofNullable(DEFAULTS.get(name));
    }
}
