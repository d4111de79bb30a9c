package io.mxgate.core.delivery;

import java.time.Duration;
import java.util.Locale;

/**
 * The per-recipient delivery log line in Postfix's exact shape, so pflogsumm and an admin's greps work:
 * {@code QUEUEID: to=<a@b>, relay=host[addr]:port, delay=0.12, delays=0.01/0/0.02/0.09, dsn=2.0.0, status=sent (250 ...)}.
 */
public final class DeliveryLog {

    private DeliveryLog() {
    }

    /**
     * @param sinceArrival time from acceptance to the end of this attempt (Postfix {@code delay})
     * @param queued       time from acceptance until the delivery agent took the message (delays a+b)
     * @param connect      connection setup, greeting and LHLO/EHLO (delays c)
     * @param transmit     the transaction itself (delays d)
     */
    public static String line(String queueId, RecipientResult r, String relay, Duration sinceArrival, Duration queued,
                              Duration connect, Duration transmit) {
        return line(queueId, r, r.status().logWord(), relay, sinceArrival, queued, connect, transmit);
    }

    /** The same line for an address probe: {@code status=deliverable} or {@code status=undeliverable}. */
    public static String probeLine(String queueId, RecipientResult r, String relay, Duration delay) {
        return line(queueId, r, r.status().probeWord(), relay, delay, Duration.ZERO, Duration.ZERO, delay);
    }

    private static String line(String queueId, RecipientResult r, String statusWord, String relay,
                               Duration sinceArrival, Duration queued, Duration connect, Duration transmit) {
        return queueId + ": to=" + r.recipient().bracketed() + ", relay=" + relay
                + ", delay=" + seconds(sinceArrival)
                + ", delays=" + seconds(queued) + "/0/" + seconds(connect) + "/" + seconds(transmit)
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
