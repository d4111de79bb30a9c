package io.mxgate.ingress.session;

import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.ingress.policy.UnlistedRecipientReplies;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.ingress.queue.IncomingQueue;
import io.mxgate.core.dns.Dns;
import io.mxgate.ingress.restriction.RestrictionChain;
import io.mxgate.ingress.milter.Milters;
import io.mxgate.ingress.sasl.DovecotAuthClient;

import java.time.Clock;

/**
 * What a session uses, built once per event loop.
 *
 * @param resolver     recipient resolution (address class, aliases, the unlisted check), shared by every session
 * @param peernames    DNS for the client's name, or null ({@code smtpd_peername_lookup = no})
 * @param sasl         Dovecot's auth service, or null when AUTH is off
 * @param tls          whether STARTTLS is offered (a certificate is configured)
 * @param tlsAuthOnly  AUTH only inside TLS
 * @param sessions     the open sessions (drain) and the counters
 * @param milters      the content filters ({@code smtpd_milters}), or null without any
 */
public record SessionServices(RecipientResolver resolver, UnlistedRecipientReplies unlisted,
                              RestrictionChain restrictions, Dns peernames, IncomingQueue queue,
                              QueueId queueIds, DovecotAuthClient sasl, boolean tls, boolean tlsAuthOnly,
                              Sessions sessions, Clock clock, Milters milters) {
}
