package io.mxgate.config;

import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.routing.Resolver;
import io.mxgate.core.routing.VirtualAliasMaps;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * What every service needs to resolve a recipient, as main.cf says it once for all of Postfix's daemons: the domain
 * classes, the alias, mailbox and transport tables, the transports and the message size. Table settings take
 * main.cf's lists ({@code hash:/etc/postfix/virtual}, {@code proxy:mysql:/etc/postfix/mysql_virtual_alias_maps.cf},
 * separated by commas or whitespace). Each service's {@code @ConfigMapping} extends this group.
 */
public interface RoutingSettings {

    /** Postfix {@code myhostname}: greeting, EHLO/LHLO name, Received header, DSN reporting MTA. */
    @WithDefault("localhost")
    String myhostname();

    /** Postfix {@code myorigin}: the domain appended to a bare name (in an alias's value); default {@code $myhostname}. */
    Optional<String> myorigin();

    /** Postfix {@code message_size_limit}: the largest message, in bytes; sizes every Kafka limit (ADR 0002). */
    @WithDefault("10240000")
    long messageSizeLimit();

    /** Postfix {@code virtual_mailbox_domains}: delivered to mailboxes over {@code virtual_transport} (list, /file or table). */
    @WithDefault("example.test")
    String virtualMailboxDomains();

    /** Postfix {@code virtual_alias_domains}: domains whose every address must be an alias. */
    Optional<String> virtualAliasDomains();

    /** Postfix {@code relay_domains}: domains relayed to another host through {@code relay_transport}. */
    Optional<String> relayDomains();

    /** Postfix {@code virtual_alias_maps}: aliases, applied to every recipient whatever its domain (cleanup's rules). */
    Optional<String> virtualAliasMaps();

    /**
     * Postfix {@code virtual_mailbox_maps}: the addresses of the virtual mailbox domains, for
     * smtpd_reject_unlisted_recipient (empty: every address of those domains is taken, Dovecot decides).
     */
    Optional<String> virtualMailboxMaps();

    /**
     * Postfix {@code relay_recipient_maps}: the addresses of the relay domains (a backup MX's copy of the primary's
     * users), for smtpd_reject_unlisted_recipient (empty: every address there is taken).
     */
    Optional<String> relayRecipientMaps();

    /** Postfix {@code transport_maps}: transport(5) tables. */
    Optional<String> transportMaps();

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

    /** Postfix {@code smtp_tcp_port}: the port of SMTP next hops that name none (and of MX hosts). */
    @WithDefault("25")
    int smtpTcpPort();

    /** Postfix {@code lmtp_tcp_port}: the port of LMTP next hops that name none. */
    @WithDefault("24")
    int lmtpTcpPort();

    /** Postfix {@code virtual_alias_recursion_limit}: nesting of aliases before the recipient is deferred. */
    @WithDefault("1000")
    int virtualAliasRecursionLimit();

    /** Postfix {@code virtual_alias_expansion_limit}: addresses one recipient may expand to before it is deferred. */
    @WithDefault("1000")
    int virtualAliasExpansionLimit();

    /** How {@code mysql:} and {@code pgsql:} tables are pooled and cached ({@code mxgate.sql.*}). */
    SqlSettings sql();

    /** The settings as core's resolution takes them. */
    default RecipientResolver.Settings resolution() {
        return new RecipientResolver.Settings(virtualMailboxDomains(), virtualAliasDomains().orElse(""),
                relayDomains().orElse(""), virtualAliasMaps().orElse(""), virtualMailboxMaps().orElse(""),
                relayRecipientMaps().orElse(""), transportMaps().orElse(""), recipientDelimiter().orElse(""),
                new Resolver.Settings(virtualTransport(), relayTransport(), defaultTransport(), relayhost().orElse(""),
                        smtpTcpPort(), lmtpTcpPort()),
                new VirtualAliasMaps.Limits(virtualAliasRecursionLimit(), virtualAliasExpansionLimit(),
                        myorigin().orElse(myhostname())));
    }
}
