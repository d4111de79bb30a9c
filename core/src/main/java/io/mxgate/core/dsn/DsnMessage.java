package io.mxgate.core.dsn;

import io.mxgate.core.address.MailAddress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Builds an RFC 3464 DSN in Postfix's words and layout: a failure ("Undelivered Mail Returned to Sender") or a
 * delay warning ("Delayed Mail (still being retried)"). The result is the whole message, CRLF line endings, ready
 * to be queued with the null sender. Long header fields are folded; the returned headers are copied byte for byte.
 */
public final class DsnMessage {

    /** Which notification. */
    public enum Kind {
        /** Action: failed, after a 5xx or when the queue lifetime ran out. */
        FAILURE("Undelivered Mail Returned to Sender", "failed"),
        /** Action: delayed, once after {@code delay_warning_time}. */
        DELAY("Delayed Mail (still being retried)", "delayed");

        private final String subject;
        private final String action;

        Kind(String subject, String action) {
            this.subject = subject;
            this.action = action;
        }
    }

    /**
     * Everything a DSN says.
     *
     * @param myhostname    the reporting MTA ({@code myhostname})
     * @param queueId       the original message's queue id
     * @param sender        the original envelope sender (the DSN's To: unless {@code to} is given)
     * @param to            the DSN's recipient (the sender, or the postmaster for a double-bounce notice)
     * @param subject       null for the kind's subject
     * @param arrival       when the original was accepted
     * @param now           the DSN's date
     * @param dsnQueueId    the DSN's own queue id (in its Message-Id and Received header)
     * @param retryUntil    for {@link Kind#DELAY}: arrival + maximal_queue_lifetime
     * @param delayedFor    for {@link Kind#DELAY}: delay_warning_time, for the text
     * @param originalMessage the original message bytes; its header section is returned
     */
    public record Input(Kind kind, String myhostname, String queueId, MailAddress sender, MailAddress to,
                        String subject, Instant arrival, Instant now, String dsnQueueId, Instant retryUntil,
                        Duration delayedFor, Duration lifetime, List<RecipientStatus> recipients,
                        byte[] originalMessage) {
    }

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z '(UTC)'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int MAX_TEXT = 900;

    private DsnMessage() {
    }

    public static String date(Instant t) {
        return DATE.format(t);
    }

    public static byte[] build(Input in) {
        String boundary = in.queueId() + "." + in.now().getEpochSecond() + "/" + in.myhostname();
        StringBuilder h = new StringBuilder(2048);
        h.append("Received: by ").append(in.myhostname()).append(" (mxgate)\r\n\tid ").append(in.dsnQueueId())
                .append("; ").append(date(in.now())).append("\r\n");
        h.append("Date: ").append(date(in.now())).append("\r\n");
        h.append("From: MAILER-DAEMON@").append(in.myhostname()).append(" (Mail Delivery System)\r\n");
        h.append("Subject: ").append(in.subject() != null ? in.subject() : in.kind().subject).append("\r\n");
        h.append("To: ").append(in.to()).append("\r\n");
        h.append("Auto-Submitted: auto-replied\r\n");
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
                .append(boundary).append("\"\r\n");
        h.append("Content-Transfer-Encoding: 8bit\r\n");
        h.append("Message-Id: <").append(ID_TIME.format(in.now())).append('.').append(in.dsnQueueId()).append('@')
                .append(in.myhostname()).append(">\r\n");
        h.append("\r\nThis is a MIME-encapsulated message.\r\n\r\n");

        h.append("--").append(boundary).append("\r\n");
        h.append("Content-Description: Notification\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        h.append(humanText(in));

        h.append("\r\n--").append(boundary).append("\r\n");
        h.append("Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n");
        field(h, "Reporting-MTA", "dns; " + in.myhostname());
        field(h, "X-Postfix-Queue-ID", in.queueId());
        field(h, "X-Postfix-Sender", "rfc822; " + in.sender());
        field(h, "Arrival-Date", date(in.arrival()));
        for (RecipientStatus r : in.recipients()) {
            h.append("\r\n");
            field(h, "Final-Recipient", "rfc822; " + r.recipient());
            if (!r.original().equals(r.recipient())) {
                field(h, "Original-Recipient", "rfc822;" + r.original());
            }
            field(h, "Action", in.kind().action);
            field(h, "Status", r.dsn().toString());
            if (!r.remoteMta().isEmpty()) {
                field(h, "Remote-MTA", "dns; " + r.remoteMta());
            }
            field(h, "Diagnostic-Code", truncate(r.diagnosticCode()));
            if (in.kind() == Kind.DELAY && in.retryUntil() != null) {
                field(h, "Will-Retry-Until", date(in.retryUntil()));
            }
        }

        h.append("\r\n--").append(boundary).append("\r\n");
        h.append("Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n")
                .append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(h.length() + 4096);
        byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
        out.write(head, 0, head.length);
        byte[] headers = headerSection(in.originalMessage());
        out.write(headers, 0, headers.length);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        out.write(tail, 0, tail.length);
        return out.toByteArray();
    }

    private static String humanText(Input in) {
        StringBuilder t = new StringBuilder(1024);
        t.append("This is the mail system at host ").append(in.myhostname()).append(".\r\n\r\n");
        if (in.kind() == Kind.DELAY) {
            t.append("####################################################################\r\n");
            t.append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n");
            t.append("####################################################################\r\n\r\n");
            t.append("Your message could not be delivered for more than ").append(human(in.delayedFor()))
                    .append(".\r\nIt will be retried until it is ").append(human(in.lifetime()))
                    .append(" old.\r\n\r\n");
        } else {
            t.append("I'm sorry to have to inform you that your message could not\r\n");
            t.append("be delivered to one or more recipients. It's attached below.\r\n\r\n");
        }
        t.append("For further assistance, please send mail to postmaster.\r\n\r\n");
        t.append("If you do so, please include this problem report. You can\r\n");
        t.append("delete your own text from the attached returned message.\r\n\r\n");
        t.append("                   The mail system\r\n");
        for (RecipientStatus r : in.recipients()) {
            t.append("\r\n").append(r.recipient().bracketed());
            if (!r.original().equals(r.recipient())) {
                t.append(" (expanded from ").append(r.original().bracketed()).append(')');
            }
            t.append(": ").append(truncate(r.reason())).append("\r\n");
        }
        return t.toString();
    }

    /** Postfix's wording: "4 hour(s)", "5 day(s)", "30 minute(s)", "10 second(s)". */
    static String human(Duration d) {
        if (d == null) {
            return "a while";
        }
        long s = d.getSeconds();
        if (s >= 86400 && s % 86400 == 0) {
            return s / 86400 + " day(s)";
        }
        if (s >= 3600 && s % 3600 == 0) {
            return s / 3600 + " hour(s)";
        }
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + " minute(s)";
        }
        return s + " second(s)";
    }

    /** A header field, folded at spaces so that no line exceeds 78 characters where that is possible. */
    static void field(StringBuilder sb, String name, String value) {
        String line = name + ": " + value;
        int start = 0;
        while (line.length() - start > 78) {
            int cut = line.lastIndexOf(' ', start + 78);
            if (cut < (start == 0 ? name.length() + 2 : start + 1)) {
                cut = line.indexOf(' ', start + 78);
                if (cut < 0) {
                    break;
                }
            }
            sb.append(line, start, cut).append("\r\n");
            start = cut;  // the space stays, as the folded line's leading white space (RFC 5322 2.2.3)
        }
        sb.append(line, start, line.length()).append("\r\n");
    }

    private static String truncate(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }

    /** The header section of a message: everything before the first empty line (all of it when there is none). */
    static byte[] headerSection(byte[] message) {
        int n = message.length;
        for (int i = 0; i < n; i++) {
            boolean lineStart = i == 0 || message[i - 1] == '\n';
            if (lineStart && (message[i] == '\n' || (message[i] == '\r' && i + 1 < n && message[i + 1] == '\n'))) {
                return java.util.Arrays.copyOf(message, i);
            }
        }
        byte[] all = message;
        return all.length > 0 && all[all.length - 1] == '\n' ? all : (new String(all, StandardCharsets.ISO_8859_1)
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
