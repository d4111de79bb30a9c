package io.mxgate.core.dsn;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.EnhancedStatus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-recipient status as text, one recipient per line, fields separated by tabs: recipient, original recipient,
 * DSN status, remote MTA, diagnostic, reason. It is the Kafka header {@value #HEADER} on deferred and bounce records
 * that queue-worker writes (the envelope's single {@code W} reason cannot tell recipients apart), and the recipient
 * list of a queue entry in Redis. Versioned by its first line.
 */
public final class RecipientStatusCodec {

    /** The Kafka record header that carries the statuses. */
    public static final String HEADER = "mxgate-recipient-status";

    private static final String VERSION = "V 1";

    private RecipientStatusCodec() {
    }

    public static String encode(List<RecipientStatus> statuses) {
        StringBuilder sb = new StringBuilder(VERSION).append('\n');
        for (RecipientStatus s : statuses) {
            sb.append(clean(s.recipient().toString())).append('\t')
                    .append(clean(s.original().toString())).append('\t')
                    .append(s.dsn()).append('\t')
                    .append(clean(s.remoteMta())).append('\t')
                    .append(clean(s.diagnostic())).append('\t')
                    .append(clean(s.reason())).append('\n');
        }
        return sb.toString();
    }

    public static byte[] encodeBytes(List<RecipientStatus> statuses) {
        return encode(statuses).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses what {@link #encode} wrote; throws IllegalArgumentException naming the bad line. */
    public static List<RecipientStatus> decode(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(VERSION)) {
            throw new IllegalArgumentException("unknown recipient status version: "
                    + (lines.length == 0 ? "" : lines[0]));
        }
        List<RecipientStatus> out = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException("recipient status line " + (i + 1) + ": " + f.length + " fields");
            }
            MailAddress recipient = AddressParser.parseMailbox(f[0]);
            MailAddress original = AddressParser.parseMailbox(f[1]);
            EnhancedStatus dsn = EnhancedStatus.parse(f[2]);
            if (recipient == null || original == null || dsn == null) {
                throw new IllegalArgumentException("recipient status line " + (i + 1) + ": " + lines[i]);
            }
            out.add(new RecipientStatus(recipient, original, dsn, f[5], f[3], f[4]));
        }
        return out;
    }

    public static List<RecipientStatus> decode(byte[] bytes) {
        return decode(new String(bytes, StandardCharsets.UTF_8));
    }

    private static String clean(String v) {
        return v.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
