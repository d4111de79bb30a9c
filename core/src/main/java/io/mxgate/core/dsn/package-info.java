/**
 * Delivery status notifications (RFC 3464) as Postfix's bounce(8) writes them, and the per-recipient status that
 * travels with a queued message so that a DSN can say, for each recipient, what the last server said.
 *
 * <p>A DSN is {@code multipart/report; report-type=delivery-status} with three parts: Postfix's human-readable
 * text, the {@code message/delivery-status} fields (per message: Reporting-MTA, X-Postfix-Queue-ID,
 * X-Postfix-Sender, Arrival-Date; per recipient: Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
 * Diagnostic-Code, Will-Retry-Until for delays), and the original message's headers as {@code text/rfc822-headers}
 * (what Postfix returns for RET=HDRS; the body is never returned). DSN NOTIFY/RET/ENVID are not honoured because the
 * ingress does not record them yet: every failure is reported, headers only, without Original-Envelope-Id.
 */
package io.mxgate.core.dsn;
