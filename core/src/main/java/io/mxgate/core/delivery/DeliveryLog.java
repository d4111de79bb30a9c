package io.mxgate.core.delivery;

import io.mxgate.core.address.MailAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The per-recipient delivery log line in Postfix's exact shape, so pflogsumm and an admin's greps work:
 * {@code QUEUEID: to=<a@b>, [orig_to=<c@d>, ]relay=host[addr]:port, delay=0.12, delays=0.01/0/0.02/0.09, dsn=2.0.0, status=sent (250 ...)}.
 */
public final class DeliveryLog {

    private DeliveryLog() {
    }

    /**
     * Where the time of one delivery went, Postfix's {@code delays=a/b/c/d}: a, from arrival until the message
     * entered the active queue (for mxgate: until a consumer took it from Kafka or queue-worker claimed its entry);
     * b, in the queue manager, from there until the delivery agent started (waiting for a concurrency slot, for the
     * chunks before it, for routing); c, connection setup with greeting and EHLO/LHLO; d, the transaction itself.
     */
    public record Delays(Duration beforeActive, Duration inQueueManager, Duration connect, Duration transmit) {

        /** {@code active}: when the message entered the active queue; {@code started}: when the agent began. */
        public static Delays of(Instant arrival, Instant active, Instant started, Duration connect,
                                Duration transmit) {
            return new Delays(Duration.between(arrival, active), Duration.between(active, started), connect, transmit);
        }
    }

    /**
     * @param original     the address the client gave, when virtual_alias_maps rewrote it (Postfix's
     *                     {@code orig_to=}); null or the recipient itself for none
     * @param sinceArrival time from acceptance to the end of this attempt (Postfix {@code delay})
     */
    public static String line(String queueId, RecipientResult r, MailAddress original, String relay,
                              Duration sinceArrival, Delays delays) {
        return line(queueId, r, original, r.status().logWord(), relay, sinceArrival, delays);
    }

    /** The same line for an address probe: {@code status=deliverable} or {@code status=undeliverable}. */
    public static String probeLine(String queueId, RecipientResult r, MailAddress original, String relay,
                                   Duration delay) {
        return line(queueId, r, original, r.status().probeWord(), relay, delay,
                new Delays(Duration.ZERO, Duration.ZERO, Duration.ZERO, delay));
    }

    private static String line(String queueId, RecipientResult r, MailAddress original, String statusWord,
                               String relay, Duration sinceArrival, Delays d) {
        return queueId + ": to=" + r.recipient().bracketed()
                + (original == null || original.equals(r.recipient()) ? "" : ", orig_to=" + original.bracketed())
                + ", relay=" + relay
                + ", delay=" + seconds(sinceArrival)
                + ", delays=" + seconds(d.beforeActive()) + "/" + seconds(d.inQueueManager()) + "/"
                + seconds(d.connect()) + "/" + seconds(d.transmit())
                + ", dsn=" + r.dsn() + ", status=" + statusWord + " (" + r.reason() + ")";
    }

    /** Postfix prints delays with two significant decimals below 10 s and whole seconds above. */
    static String seconds(Duration d) {
        double s = Math.max(0, d.toNanos() / 1e9);
        if (s >= 10) {
            return Long.toString(Math.round(s));
        }
        String t = String.format(Locale.ROOT, "%.2f", s);
        t = t.replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
