package io.mxgate.importer.mapping;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static io.mxgate.importer.mapping.Format.COUNT;
import static io.mxgate.importer.mapping.Format.DOMAINS;
import static io.mxgate.importer.mapping.Format.FLAG;
import static io.mxgate.importer.mapping.Format.RESTRICTIONS;
import static io.mxgate.importer.mapping.Format.TABLES;
import static io.mxgate.importer.mapping.Format.TEXT;
import static io.mxgate.importer.mapping.Format.TRANSPORT_TABLES;
import static io.mxgate.importer.mapping.Format.time;
import static io.mxgate.importer.mapping.Scope.ALL;
import static io.mxgate.importer.mapping.Scope.CHART_VALUE;
import static io.mxgate.importer.mapping.Scope.LMTP_DELIVERY;
import static io.mxgate.importer.mapping.Scope.QUEUE_WORKER;
import static io.mxgate.importer.mapping.Scope.SMTP_INGRESS;
import static io.mxgate.importer.mapping.Scope.VERIFIER;

/**
 * The one table from Postfix parameter names to helm/mxgate's values (docs/configuration.md): a chart value of its own
 * where the chart has one, else the mxgate.* key, named by the rule {@code name_with_underscores} →
 * {@code name-with-underscores} ({@code address_verify_*} → {@code address-verify.*}), under {@code config} (every
 * service) or the one component that reads it; or why there is no equivalent and what to do instead. A parameter not
 * in the table has no mxgate equivalent.
 */
public final class ParameterMap {

    private static final String LMTP_INSTEAD = "use lmtp: deliver to Dovecot's LMTP service: list the domains in "
            + "virtual_mailbox_domains and set virtual_transport = lmtp:[host]:24";
    private static final String LAYOUT = "an installation path or account of Postfix itself; the container images fix "
            + "their own, nothing to carry";

    private static final Map<String, Target> TABLE = new LinkedHashMap<>();

    static {
        // shared: chart values the chart gives to every service
        value("myhostname", "myhostname", TEXT);
        value("message_size_limit", "messageSizeLimit", COUNT);
        value("virtual_transport", "virtualTransport", TEXT);
        value("virtual_mailbox_domains", "virtualMailboxDomains", DOMAINS);
        value("virtual_mailbox_maps", "virtualMailboxMaps", TABLES);
        value("virtual_alias_domains", "virtualAliasDomains", DOMAINS);
        value("virtual_alias_maps", "virtualAliasMaps", TABLES);
        value("relay_domains", "relayDomains", DOMAINS);
        value("smtpd_reject_unlisted_recipient", "smtpdRejectUnlistedRecipient", FLAG);
        value("smtpd_sasl_auth_enable", "smtpIngress.sasl.enabled", FLAG);

        // routing: queue-worker routes, the verifier probes along the same route
        config(ALL, "transport_maps", TRANSPORT_TABLES);
        config(ALL, "relay_transport", TEXT);
        config(ALL, "default_transport", TEXT);
        config(ALL, "relayhost", TEXT);
        config(ALL, "smtp_fallback_relay", TEXT);
        config(ALL, "recipient_delimiter", TEXT);
        config(ALL, "myorigin", TEXT);
        config(ALL, "relay_recipient_maps", TABLES);
        config(ALL, "virtual_alias_recursion_limit", COUNT);
        config(ALL, "virtual_alias_expansion_limit", COUNT);
        config(ALL, "proxy_interfaces", TEXT);
        config(ALL, "smtp_tls_security_level", TEXT);
        config(ALL, "smtp_mx_address_limit", COUNT);
        config(ALL, "smtp_mx_session_limit", COUNT);
        config(ALL, "smtp_connect_timeout", time('s'));
        config(ALL, "smtp_helo_timeout", time('s'));
        config(ALL, "smtp_mail_timeout", time('s'));
        config(ALL, "smtp_rcpt_timeout", time('s'));
        config(ALL, "smtp_data_init_timeout", time('s'));
        config(ALL, "smtp_data_done_timeout", time('s'));
        config(ALL, "smtp_rset_timeout", time('s'));
        config(ALL, "smtp_quit_timeout", time('s'));
        config(ALL, "lmtp_connect_timeout", time('s'));
        config(ALL, "lmtp_lhlo_timeout", time('s'));
        config(ALL, "lmtp_data_done_timeout", time('s'));

        // smtpd
        config(SMTP_INGRESS, "smtpd_recipient_restrictions", RESTRICTIONS);
        config(SMTP_INGRESS, "smtpd_relay_restrictions", RESTRICTIONS);
        config(SMTP_INGRESS, "mynetworks", TEXT);
        config(SMTP_INGRESS, "permit_mx_backup_networks", TEXT);
        config(SMTP_INGRESS, "unverified_recipient_reject_code", COUNT);
        config(SMTP_INGRESS, "unverified_recipient_defer_code", COUNT);
        config(SMTP_INGRESS, "unverified_recipient_reject_reason", TEXT);
        config(SMTP_INGRESS, "unknown_virtual_alias_reject_code", COUNT);
        config(SMTP_INGRESS, "unknown_virtual_mailbox_reject_code", COUNT);
        config(SMTP_INGRESS, "unknown_relay_recipient_reject_code", COUNT);
        config(SMTP_INGRESS, "line_length_limit", COUNT);
        config(SMTP_INGRESS, "header_size_limit", COUNT);
        config(SMTP_INGRESS, "hopcount_limit", COUNT);
        config(SMTP_INGRESS, "smtpd_recipient_limit", COUNT);
        config(SMTP_INGRESS, "smtpd_timeout", time('s'));
        config(SMTP_INGRESS, "smtpd_hard_error_limit", COUNT);
        config(SMTP_INGRESS, "smtpd_helo_required", FLAG);
        config(SMTP_INGRESS, "smtpd_tls_auth_only", FLAG);
        config(SMTP_INGRESS, "smtpd_peername_lookup", FLAG);
        config(SMTP_INGRESS, "smtpd_forbid_unauth_pipelining", FLAG);
        config(SMTP_INGRESS, "smtpd_forbid_bare_newline", TEXT);
        config(SMTP_INGRESS, "smtpd_min_data_rate", COUNT);
        config(SMTP_INGRESS, "smtpd_client_connection_count_limit", COUNT);
        config(SMTP_INGRESS, "smtpd_client_connection_rate_limit", COUNT);
        config(SMTP_INGRESS, "anvil_rate_time_unit", time('s'));
        config(SMTP_INGRESS, "smtpd_upstream_proxy_timeout", time('s'));
        config(SMTP_INGRESS, "smtpd_policy_service_timeout", time('s'));
        config(SMTP_INGRESS, "smtpd_policy_service_max_idle", time('s'));
        config(SMTP_INGRESS, "smtpd_policy_service_max_ttl", time('s'));
        config(SMTP_INGRESS, "smtpd_policy_service_try_limit", COUNT);
        config(SMTP_INGRESS, "smtpd_policy_service_retry_delay", time('s'));
        config(SMTP_INGRESS, "smtpd_policy_service_default_action", TEXT);
        config(SMTP_INGRESS, "smtpd_milters", TEXT);
        config(SMTP_INGRESS, "milter_protocol", TEXT);
        config(SMTP_INGRESS, "milter_default_action", TEXT);
        config(SMTP_INGRESS, "milter_connect_timeout", time('s'));
        config(SMTP_INGRESS, "milter_command_timeout", time('s'));
        config(SMTP_INGRESS, "milter_content_timeout", time('s'));
        for (String stage : new String[] {"connect", "helo", "mail", "rcpt", "data", "end_of_header", "end_of_data"}) {
            config(SMTP_INGRESS, "milter_" + stage + "_macros", TEXT);
        }
        config(SMTP_INGRESS, "milter_macro_daemon_name", TEXT);
        config(SMTP_INGRESS, "milter_macro_v", TEXT);

        // verify
        config(VERIFIER, "address_verify_sender", TEXT);
        config(VERIFIER, "address_verify_positive_refresh_time", time('d'));
        config(VERIFIER, "address_verify_positive_expire_time", time('d'));
        config(VERIFIER, "address_verify_negative_refresh_time", time('h'));
        config(VERIFIER, "address_verify_negative_expire_time", time('d'));
        config(VERIFIER, "address_verify_negative_cache", FLAG);
        config(VERIFIER, "address_verify_poll_count", COUNT);
        config(VERIFIER, "address_verify_poll_delay", time('s'));

        // qmgr, bounce
        config(QUEUE_WORKER, "minimal_backoff_time", time('s'));
        config(QUEUE_WORKER, "maximal_backoff_time", time('s'));
        config(QUEUE_WORKER, "queue_run_delay", time('s'));
        config(QUEUE_WORKER, "maximal_queue_lifetime", time('d'));
        config(QUEUE_WORKER, "bounce_queue_lifetime", time('d'));
        config(QUEUE_WORKER, "delay_warning_time", time('h'));
        config(QUEUE_WORKER, "qmgr_message_active_limit", COUNT);
        config(QUEUE_WORKER, "double_bounce_sender", TEXT);
        config(QUEUE_WORKER, "notify_classes", TEXT);
        config(QUEUE_WORKER, "2bounce_notice_recipient", TEXT);
        config(QUEUE_WORKER, "default_destination_concurrency_limit", COUNT);
        config(QUEUE_WORKER, "default_destination_recipient_limit", COUNT);

        // lmtp
        config(LMTP_DELIVERY, "lmtp_destination_concurrency_limit", COUNT);
        config(LMTP_DELIVERY, "lmtp_destination_recipient_limit", COUNT);

        // no equivalent
        not("mailbox_transport", "mxgate has no local(8) delivery, so nothing uses a mailbox_transport; " + LMTP_INSTEAD);
        not("mailbox_command", "mxgate has no local(8) delivery and runs no commands; " + LMTP_INSTEAD);
        not("local_transport", "mxgate has no local(8) delivery; " + LMTP_INSTEAD);
        not("mydestination", "mxgate has no local(8) delivery for $mydestination; move these domains to "
                + "virtual_mailbox_domains (delivered over LMTP) or relay_domains");
        not("alias_maps", "aliases(5) belong to local(8) delivery, which mxgate lacks; put the aliases in "
                + "virtual_alias_maps (domain-qualified)");
        not("alias_database", "aliases(5) belong to local(8) delivery, which mxgate lacks");
        not("address_verify_map", "the verify cache is Redis (redis.url), shared by the verifier's replicas; the "
                + "old cache is not migrated, probes fill the new one");
        not("virtual_mailbox_base", "mxgate stores no mail: Dovecot does, behind virtual_transport = lmtp:");
        not("virtual_uid_maps", "mxgate stores no mail: Dovecot does, behind virtual_transport = lmtp:");
        not("virtual_gid_maps", "mxgate stores no mail: Dovecot does, behind virtual_transport = lmtp:");
        not("virtual_minimum_uid", "mxgate stores no mail: Dovecot does, behind virtual_transport = lmtp:");
        not("inet_interfaces", "the chart binds the pods' listener; set smtpIngress.service (loadBalancerIP) for the "
                + "public address and proxy_interfaces (config.proxy-interfaces) when a load balancer stands in front");
        not("inet_protocols", "the pods use the cluster's address families");
        not("smtpd_tls_cert_file", "put certificate and key in a kubernetes.io/tls Secret and name it in "
                + "smtpIngress.tls.existingSecret");
        not("smtpd_tls_key_file", "put certificate and key in a kubernetes.io/tls Secret and name it in "
                + "smtpIngress.tls.existingSecret");
        not("smtpd_tls_security_level", "STARTTLS is offered (Postfix's may) exactly when smtpIngress.tls.existingSecret "
                + "is set");
        not("smtpd_sasl_type", "AUTH is always checked by Dovecot's auth service (smtpIngress.sasl.path)");
        not("smtpd_sasl_path", "Dovecot's auth service must be reached over TCP: set smtpIngress.sasl.path = "
                + "inet:host:port (a Dovecot auth inet_listener)");
        not("smtpd_upstream_proxy_protocol", "set smtpIngress.service.proxyProtocol: true; the chart then opens the "
                + "PROXY listener");
        not("content_filter", "mxgate runs no content filters; filter in Dovecot (sieve) or before mxgate");
        not("non_smtpd_milters", "mail reaches mxgate only over SMTP: smtpd_milters filters all of it");
        not("compatibility_level", "read to choose Postfix's defaults; mxgate follows current Postfix");
        for (String p : new String[] {"config_directory", "queue_directory", "data_directory", "daemon_directory",
                "command_directory", "meta_directory", "shlib_directory", "mail_owner", "setgid_group",
                "sendmail_path", "newaliases_path", "mailq_path", "html_directory", "manpage_directory",
                "sample_directory", "readme_directory", "debug_peer_level", "debugger_command"}) {
            not(p, LAYOUT);
        }
    }

    private ParameterMap() {
    }

    private static void value(String parameter, String chartValue, Format format) {
        put(parameter, new Target.Carry(CHART_VALUE, chartValue, format));
    }

    private static void config(Scope scope, String parameter, Format format) {
        put(parameter, new Target.Carry(scope, mxgateKey(parameter), format));
    }

    private static void not(String parameter, String reason) {
        put(parameter, new Target.NotCarried(reason));
    }

    private static void put(String parameter, Target target) {
        if (TABLE.put(parameter, target) != null) {
            throw new IllegalStateException(parameter + " twice in the parameter table");
        }
    }

    /** The mxgate.* key (without the prefix) of a Postfix parameter, by the naming rule. */
    public static String mxgateKey(String parameter) {
        String key = parameter.replace('_', '-');
        return key.startsWith("address-verify-") ? "address-verify." + key.substring("address-verify-".length()) : key;
    }

    /** Where {@code parameter} goes; empty for a parameter mxgate has no equivalent of. */
    public static Optional<Target> of(String parameter) {
        return Optional.ofNullable(TABLE.get(parameter));
    }

    /** The whole table, in its order (for tests and documentation). */
    public static Map<String, Target> all() {
        return java.util.Collections.unmodifiableMap(TABLE);
    }
}
