package io.mxgate.ingress.session;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * What smtpd/cleanup put in front of a message: headers restrictions asked for (PREPEND), then the Received
 * header in Postfix's layout (RFC 5321 section 4.4).
 */
final class ReceivedHeader {

    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private ReceivedHeader() {
    }

    static byte[] build(String myhostname, Envelope.Client client, String queueId, List<MailAddress> recipients,
                        java.util.Collection<String> prepend, ZonedDateTime now) {
        StringBuilder sb = new StringBuilder(256);
        for (String header : prepend) {
            sb.append(header).append("\r\n");
        }
        sb.append("Received: from ").append(client.helo().isEmpty() ? client.name() : client.helo())
                .append(" (").append(client.name()).append(" [").append(client.address()).append("])\r\n")
                .append("\tby ").append(myhostname).append(" (mxgate) with ").append(client.protocol())
                .append(" id ").append(queueId);
        if (recipients.size() == 1) {
            sb.append("\r\n\tfor ").append(recipients.get(0).bracketed());
        }
        sb.append("; ").append(RFC_5322.format(now.withZoneSameInstant(ZoneOffset.UTC))).append(" (UTC)\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
