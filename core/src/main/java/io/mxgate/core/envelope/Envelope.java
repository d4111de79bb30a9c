package io.mxgate.core.envelope;

import io.mxgate.core.address.MailAddress;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What travels beside the message bytes through every topic: who sent it, to whom, from where, since when. A
 * record on a retry or bounce topic carries only the recipients it is about, the attempt count and the last
 * reply, so a retry never re-delivers to recipients that already have their mail.
 *
 * @param queueId   Postfix-style queue id, unique across replicas; the Kafka record key
 * @param arrival   when the ingress accepted the message (Postfix's arrival time; delays count from it)
 * @param sender    the envelope sender, possibly the null sender
 * @param recipients the recipients this record is about
 * @param client    the SMTP client that handed the message over
 * @param attempts  delivery attempts already made (0 on the incoming topic)
 * @param reason    the last delivery reply in Postfix's log form, empty before the first attempt
 * @param originals for a recipient that virtual_alias_maps rewrote, the address the client gave (Postfix's ORCP
 *                  record; the DSN's Original-Recipient); absent for a recipient that is its own original
 */
public record Envelope(String queueId, Instant arrival, MailAddress sender, List<MailAddress> recipients,
                       Client client, int attempts, String reason, Map<MailAddress, MailAddress> originals) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope has at least one recipient");
        }
        Map<MailAddress, MailAddress> kept = new LinkedHashMap<>();
        for (MailAddress r : recipients) {
            MailAddress o = originals.get(r);
            if (o != null && !o.equals(r)) {
                kept.put(r, o);
            }
        }
        originals = Collections.unmodifiableMap(kept);
    }

    /** An envelope whose recipients are their own originals. */
    public Envelope(String queueId, Instant arrival, MailAddress sender, List<MailAddress> recipients, Client client,
                    int attempts, String reason) {
        this(queueId, arrival, sender, recipients, client, attempts, reason, Map.of());
    }

    /** The address the client gave for {@code recipient}. */
    public MailAddress original(MailAddress recipient) {
        return originals.getOrDefault(recipient, recipient);
    }

    /** The SMTP client as Postfix logs it: {@code name[address]}, the HELO name and the protocol. */
    public record Client(String name, String address, String helo, String protocol) {

        /** {@code name[address]}, Postfix's form in logs and Received headers. */
        public String nameAndAddress() {
            return name + "[" + address + "]";
        }
    }

    /** The same message for a subset of the recipients after one more attempt that ended with {@code reason}. */
    public Envelope afterAttempt(List<MailAddress> remaining, String lastReason) {
        return new Envelope(queueId, arrival, sender, remaining, client, attempts + 1, lastReason, originals);
    }
}
