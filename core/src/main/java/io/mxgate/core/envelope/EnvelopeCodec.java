package io.mxgate.core.envelope;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelope's wire form, a Kafka record header: one {@code letter value} record per line, in the spirit
 * of Postfix's queue file records ({@code T} time, {@code S} sender, {@code R} recipient). Text, so an admin can
 * read it with {@code kafka-console-consumer --property print.headers=true}; versioned by its first line. An
 * {@code O} record (Postfix's ORCP) before an {@code R} names the address the client gave for that recipient, a
 * {@code D} record ({@code lmtp} or {@code qmgr}) the consumer that delivers it.
 */
public final class EnvelopeCodec {

    /** The Kafka header that carries the envelope. */
    public static final String HEADER = "mxgate-envelope";

    private static final String VERSION = "V 1";

    private EnvelopeCodec() {
    }

    public static byte[] encode(Envelope e) {
        StringBuilder sb = new StringBuilder(128 + 48 * e.recipients().size());
        sb.append(VERSION).append('\n');
        line(sb, 'Q', e.queueId());
        line(sb, 'T', Long.toString(e.arrival().toEpochMilli()));
        line(sb, 'S', e.sender().toString());
        line(sb, 'C', e.client().name());
        line(sb, 'A', e.client().address());
        line(sb, 'H', e.client().helo());
        line(sb, 'P', e.client().protocol());
        line(sb, 'N', Integer.toString(e.attempts()));
        line(sb, 'W', e.reason());
        for (MailAddress r : e.recipients()) {
            MailAddress original = e.originals().get(r);
            if (original != null) {
                line(sb, 'O', original.toString());
            }
            Envelope.Agent agent = e.agents().get(r);
            if (agent != null) {
                line(sb, 'D', agent.wire());
            }
            line(sb, 'R', r.toString());
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, char type, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            value = value.replace('\n', ' ').replace('\r', ' ');
        }
        sb.append(type).append(' ').append(value).append('\n');
    }

    /** Parses an envelope; throws {@link MalformedEnvelopeException} naming the bad line. */
    public static Envelope decode(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || !lines[0].equals(VERSION)) {
            throw new MalformedEnvelopeException("unknown envelope version: " + (lines.length == 0 ? "" : lines[0]));
        }
        String queueId = null;
        Instant arrival = null;
        MailAddress sender = null;
        String name = "unknown";
        String address = "unknown";
        String helo = "";
        String protocol = "SMTP";
        int attempts = 0;
        String reason = "";
        List<MailAddress> recipients = new ArrayList<>();
        Map<MailAddress, MailAddress> originals = new HashMap<>();
        MailAddress original = null;
        Map<MailAddress, Envelope.Agent> agents = new HashMap<>();
        Envelope.Agent agent = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() < 2 || line.charAt(1) != ' ') {
                throw new MalformedEnvelopeException("line " + (i + 1) + ": " + line);
            }
            String v = line.substring(2);
            try {
                switch (line.charAt(0)) {
                    case 'Q' -> queueId = v;
                    case 'T' -> arrival = Instant.ofEpochMilli(Long.parseLong(v));
                    case 'S' -> sender = v.isEmpty() ? MailAddress.NULL_SENDER : mailbox(v, i);
                    case 'C' -> name = v;
                    case 'A' -> address = v;
                    case 'H' -> helo = v;
                    case 'P' -> protocol = v;
                    case 'N' -> attempts = Integer.parseInt(v);
                    case 'W' -> reason = v;
                    case 'O' -> original = mailbox(v, i);
                    case 'D' -> {
                        agent = Envelope.Agent.ofWire(v);
                        if (agent == null) {
                            throw new MalformedEnvelopeException("line " + (i + 1) + ": unknown agent " + v);
                        }
                    }
                    case 'R' -> {
                        MailAddress r = mailbox(v, i);
                        recipients.add(r);
                        if (original != null) {
                            originals.put(r, original);
                            original = null;
                        }
                        if (agent != null) {
                            agents.put(r, agent);
                            agent = null;
                        }
                    }
                    default -> throw new MalformedEnvelopeException("line " + (i + 1) + ": unknown record " + line);
                }
            } catch (NumberFormatException ex) {
                throw new MalformedEnvelopeException("line " + (i + 1) + ": " + line);
            }
        }
        if (queueId == null || arrival == null || sender == null || recipients.isEmpty()) {
            throw new MalformedEnvelopeException("envelope lacks queue id, arrival, sender or recipients");
        }
        return new Envelope(queueId, arrival, sender, recipients, new Envelope.Client(name, address, helo, protocol),
                attempts, reason, originals, agents);
    }

    private static MailAddress mailbox(String v, int index) {
        MailAddress a = AddressParser.parseMailbox(v);
        if (a == null) {
            throw new MalformedEnvelopeException("line " + (index + 1) + ": bad address " + v);
        }
        return a;
    }

    /** The envelope header could not be read: the record goes to the corrupt topic, never silently away. */
    public static final class MalformedEnvelopeException extends RuntimeException {
        public MalformedEnvelopeException(String message) {
            super(message);
        }
    }
}
