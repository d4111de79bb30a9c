package io.mxgate.core.envelope;

import io.mxgate.core.address.MailAddress;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * @param agents    which consumer delivers each recipient, decided once by the writer so that two consumers with
 *                  different tables can neither both skip a recipient nor both take it; empty in records written
 *                  before it existed, whose readers decide from their own tables
 */
public record Envelope(String queueId, Instant arrival, MailAddress sender, List<MailAddress> recipients,
                       Client client, int attempts, String reason, Map<MailAddress, MailAddress> originals,
                       Map<MailAddress, Agent> agents) {

    /** The consumer that delivers a recipient of the incoming and mailbox topics. */
    public enum Agent {
        /** lmtp-delivery: a virtual mailbox domain, over {@code virtual_transport}. */
        LMTP("lmtp"),
        /** queue-worker: every other route (relay, transport_maps, error, ...). */
        QMGR("qmgr");

        private final String wire;

        Agent(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The agent of a wire name, or null. */
        public static Agent ofWire(String name) {
            for (Agent a : values()) {
                if (a.wire.equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

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
        Map<MailAddress, Agent> marked = new LinkedHashMap<>();
        for (MailAddress r : recipients) {
            Agent a = agents.get(r);
            if (a != null) {
                marked.put(r, a);
            }
        }
        agents = Collections.unmodifiableMap(marked);
    }

    /** An envelope whose recipients are their own originals, with no agent chosen (records of the retry topics). */
    public Envelope(String queueId, Instant arrival, MailAddress sender, List<MailAddress> recipients, Client client,
                    int attempts, String reason) {
        this(queueId, arrival, sender, recipients, client, attempts, reason, Map.of(), Map.of());
    }

    /** The consumer the writer chose for {@code recipient}, if it chose one. */
    public Optional<Agent> agent(MailAddress recipient) {
        return Optional.ofNullable(agents.get(recipient));
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
        return new Envelope(queueId, arrival, sender, remaining, client, attempts + 1, lastReason, originals, agents);
    }
}
