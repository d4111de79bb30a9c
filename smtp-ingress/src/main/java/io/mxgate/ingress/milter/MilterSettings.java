package io.mxgate.ingress.milter;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Postfix's before-queue milter settings (MILTER_README), under the same names: {@code mxgate.smtpd-milters} is
 * main.cf's {@code smtpd_milters}. Defaults are Postfix 3.7's ({@code postconf -d}).
 */
public interface MilterSettings {

    /**
     * Postfix {@code smtpd_milters}: the filters every SMTP session talks to, in order, as {@code inet:host:port},
     * separated by commas or whitespace. Empty: no filters.
     */
    Optional<String> smtpdMilters();

    /** Postfix {@code milter_protocol}: the protocol version we offer (6, 4, 3 or 2), optionally {@code no_header_reply}. */
    @WithDefault("6")
    String milterProtocol();

    /**
     * Postfix {@code milter_default_action}: what a filter that cannot be reached, times out, closes or answers
     * garbage means: {@code tempfail} (451 4.7.1 Service unavailable - try again later), {@code reject} (550 5.5.0
     * Service unavailable) or {@code accept} (go on as if that filter were not there). Postfix's {@code quarantine}
     * is refused at start: mxgate has no hold queue at the ingress yet.
     */
    @WithDefault("tempfail")
    String milterDefaultAction();

    /** Postfix {@code milter_connect_timeout}: the TCP connection to a filter. */
    @WithDefault("30s")
    Duration milterConnectTimeout();

    /** Postfix {@code milter_command_timeout}: a filter's answer to negotiation, CONNECT, HELO, MAIL, RCPT and DATA. */
    @WithDefault("30s")
    Duration milterCommandTimeout();

    /** Postfix {@code milter_content_timeout}: a filter's answer to each header, end of headers, body chunk and end of message. */
    @WithDefault("300s")
    Duration milterContentTimeout();

    /** Postfix {@code milter_connect_macros}: macros sent with CONNECT (a filter's own list takes precedence). */
    @WithDefault("j {daemon_name} {daemon_addr} v _")
    String milterConnectMacros();

    /** Postfix {@code milter_helo_macros}: macros sent with HELO/EHLO. */
    @WithDefault("{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}")
    String milterHeloMacros();

    /** Postfix {@code milter_mail_macros}: macros sent with MAIL FROM. */
    @WithDefault("i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}")
    String milterMailMacros();

    /** Postfix {@code milter_rcpt_macros}: macros sent with RCPT TO. */
    @WithDefault("i {rcpt_addr} {rcpt_host} {rcpt_mailer}")
    String milterRcptMacros();

    /** Postfix {@code milter_data_macros}: macros sent with DATA. */
    @WithDefault("i")
    String milterDataMacros();

    /** Postfix {@code milter_end_of_header_macros}: macros sent with each header and the end of headers. */
    @WithDefault("i")
    String milterEndOfHeaderMacros();

    /** Postfix {@code milter_end_of_data_macros}: macros sent with the body and the end of the message. */
    @WithDefault("i")
    String milterEndOfDataMacros();

    /** Postfix {@code milter_macro_daemon_name}: the {@code {daemon_name}} macro; default {@code $myhostname}. */
    Optional<String> milterMacroDaemonName();

    /** Postfix {@code milter_macro_v}: the {@code v} macro (Postfix: {@code $mail_name $mail_version}). */
    @WithDefault("mxgate")
    String milterMacroV();
}
