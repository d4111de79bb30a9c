/**
 * queue-worker: Postfix's qmgr(8), trivial-rewrite(8), smtp(8) and bounce(8) for everything that does not go
 * straight from the incoming topic to Dovecot.
 *
 * <p>Flow: {@link io.mxgate.queue.intake.Intake} reads the incoming topic (recipients outside
 * {@code virtual_mailbox_domains}, rewritten by {@code virtual_alias_maps}), the deferred topic (lmtp-delivery's
 * temporary failures) and the bounce topic (its permanent ones), and records a queue entry in Redis per record (the
 * message bytes stay in Kafka; ADR 0005). {@link io.mxgate.queue.schedule.QueueManager} claims due entries,
 * {@link io.mxgate.queue.delivery.Delivery} routes each recipient ({@link io.mxgate.queue.routing.Routing}) and
 * delivers over SMTP or LMTP ({@link io.mxgate.queue.smtp.SmtpAgent}), and the outcome updates the entry: deferred
 * recipients wait for their next attempt on Postfix's schedule, bounced or expired ones get a DSN
 * ({@link io.mxgate.queue.bounce.Notifier}). {@link io.mxgate.queue.api.QueueRoutes} is mailq/postqueue/postsuper.
 *
 * <p>Logs: Postfix's lines, with its daemon names as the syslog tag ({@code mxgate/qmgr}, {@code mxgate/smtp},
 * {@code mxgate/relay}, {@code mxgate/lmtp}, {@code mxgate/error}, {@code mxgate/bounce}, {@code mxgate/postsuper}).
 * Parameters: docs/configuration.md, section queue-worker.
 */
package io.mxgate.queue;
