package io.mxgate.ingress.session;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.smtp.Command;
import io.mxgate.core.smtp.CommandParser;
import io.mxgate.core.smtp.InputDecoder;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.Verb;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.ingress.restriction.Dns;
import io.mxgate.ingress.restriction.RcptContext;
import io.mxgate.ingress.restriction.RestrictionChain;
import io.mxgate.ingress.queue.IncomingQueue;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One SMTP conversation, Postfix's smtpd loop on a Vert.x socket. Input is decoded by {@link InputDecoder}, one
 * event at a time and only while no asynchronous step (the Kafka write) is outstanding, so pipelined commands
 * queue behind it in order; replies produced while working through a pipelined group are written in one flush.
 * Every wait is bounded by {@code smtpd_timeout}; every command outcome is a reply from {@link Replies}.
 */
public final class SmtpSession {

    static final Logger LOG = Logger.getLogger("smtpd");

    private final Vertx vertx;
    private final Context context;
    private final NetSocket socket;
    private final SessionLimits limits;
    private final DomainClasses domains;
    private final RestrictionChain restrictions;
    private final Dns dns;
    private final IncomingQueue queue;
    private final QueueId queueIds;
    private final Clock clock;
    private final InputDecoder decoder;
    private final String clientAddress;
    private String clientName = "unknown";
    private String client;
    private final Map<Verb, Integer> commandCounts = new EnumMap<>(Verb.class);

    private String helo = "";
    private String protocol = "SMTP";
    private Transaction tx;
    private boolean busy;
    private boolean closed;
    private int errors;
    private int commands;
    private Verb lastVerb;
    private long timer = -1;
    private Buffer out = Buffer.buffer(256);

    /** The mail transaction in progress: MAIL seen, recipients so far. */
    private static final class Transaction {
        final MailAddress sender;
        final List<MailAddress> recipients = new ArrayList<>();
        String queueId;

        Transaction(MailAddress sender) {
            this.sender = sender;
        }
    }

    /** {@code dns} is null when the client's name is not looked up ({@code smtpd_peername_lookup = no}). */
    public SmtpSession(Vertx vertx, NetSocket socket, SessionLimits limits, DomainClasses domains,
                       RestrictionChain restrictions, Dns dns, IncomingQueue queue, QueueId queueIds, Clock clock) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.socket = socket;
        this.limits = limits;
        this.domains = domains;
        this.restrictions = restrictions;
        this.dns = dns;
        this.queue = queue;
        this.queueIds = queueIds;
        this.clock = clock;
        this.decoder = new InputDecoder(limits.lineLengthLimit(), limits.messageSizeLimit());
        this.clientAddress = socket.remoteAddress().hostAddress();
        this.client = "unknown[" + clientAddress + "]";
    }

    public void start() {
        socket.handler(this::onData);
        socket.closeHandler(v -> onClose());
        socket.exceptionHandler(e -> socket.close());
        busy = true;
        lookUpClientName().onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                clientName = ar.result();
                client = clientName + "[" + clientAddress + "]";
            }
            LOG.infof("connect from %s", client);
            reply(Replies.greeting(limits.myhostname()));
            resume();
        });
    }

    /** The client's name when its PTR record's name resolves back to its address (Postfix's verified name). */
    private io.vertx.core.Future<String> lookUpClientName() {
        if (dns == null || clientAddress.indexOf(':') >= 0) {
            return io.vertx.core.Future.succeededFuture(null);
        }
        return dns.ptr(clientAddress).compose(name -> name == null ? io.vertx.core.Future.succeededFuture(null)
                : dns.a(name).map(addresses -> addresses.contains(clientAddress)
                        ? name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "") : null))
                .otherwise((String) null);
    }

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        decoder.feed(data.getBytes());
        if (decoder.inData()) {
            armTimer();
        }
        if (busy) {
            socket.pause();
            return;
        }
        process();
    }

    /** Works through buffered input until it runs out, the session waits on something, or it ends. */
    private void process() {
        InputDecoder.Event event;
        while (!busy && !closed && (event = decoder.next()) != null) {
            armTimer();
            handle(event);
        }
        flush();
        if (!busy && !closed) {
            socket.resume();
        }
    }

    private void handle(InputDecoder.Event event) {
        if (event instanceof InputDecoder.Event.Line line) {
            handleCommand(CommandParser.parse(line.text()));
        } else if (event instanceof InputDecoder.Event.LineTooLong) {
            LOG.infof("warning: %s: command line too long after %s", client, lastVerbName());
            reply(Replies.LINE_TOO_LONG);
            close();
        } else if (event instanceof InputDecoder.Event.Message message) {
            enqueue(message);
        } else if (event instanceof InputDecoder.Event.MessageTooBig tooBig) {
            LOG.infof("NOQUEUE: reject: DATA from %s: %s; size=%d from=%s proto=%s helo=<%s>", client,
                    Replies.MESSAGE_TOO_BIG.oneLine(), tooBig.size(), tx.sender.bracketed(), protocol, helo);
            error(Replies.MESSAGE_TOO_BIG);
            tx = null;
        }
    }

    private void handleCommand(Command command) {
        commands++;
        Verb verb = command.verb();
        if (verb != null) {
            lastVerb = verb;
            commandCounts.merge(verb, 1, Integer::sum);
        }
        Reply outOfSequence = verb == null ? null : outOfSequence(verb);
        if (outOfSequence != null) {
            error(outOfSequence);
        } else if (command instanceof Command.Helo h) {
            greet(h.domain(), "SMTP", Replies.helo(limits.myhostname()));
        } else if (command instanceof Command.Ehlo e) {
            greet(e.domain(), "ESMTP", Replies.ehlo(limits.myhostname(), List.of(
                    "PIPELINING", "SIZE " + limits.messageSizeLimit(), "VRFY", "ENHANCEDSTATUSCODES", "8BITMIME")));
        } else if (command instanceof Command.Mail m) {
            mail(m);
        } else if (command instanceof Command.Rcpt r) {
            rcpt(r.recipient());
        } else if (command instanceof Command.Data) {
            data();
        } else if (command instanceof Command.Rset) {
            tx = null;
            reply(Replies.OK);
        } else if (command instanceof Command.Noop) {
            reply(Replies.OK);
        } else if (command instanceof Command.Vrfy) {
            reply(Replies.VRFY_NOT_DISCLOSED);
        } else if (command instanceof Command.Quit) {
            reply(Replies.BYE);
            close();
        } else if (command instanceof Command.Invalid i) {
            error(i.reply());
        } else if (command instanceof Command.Unknown u) {
            LOG.infof("warning: %s: unknown command: %s", client, printable(u.word()));
            error(Replies.COMMAND_UNRECOGNIZED);
        }
    }

    /** Sequence is checked before arguments, as Postfix's smtpd does: a nested MAIL is nested whatever it says. */
    private Reply outOfSequence(Verb verb) {
        if (verb.needsHelo() && limits.heloRequired() && helo.isEmpty()) {
            return Replies.SEND_HELO_FIRST;
        }
        if (verb == Verb.MAIL && tx != null) {
            return Replies.NESTED_MAIL;
        }
        if ((verb == Verb.RCPT || verb == Verb.DATA) && tx == null) {
            return Replies.NEED_MAIL;
        }
        return null;
    }

    private void greet(String name, String proto, Reply reply) {
        helo = name;
        protocol = proto;
        tx = null;
        reply(reply);
    }

    private void mail(Command.Mail m) {
        if (m.declaredSize() > limits.messageSizeLimit()) {
            error(Replies.MESSAGE_TOO_BIG);
        } else {
            tx = new Transaction(m.sender());
            reply(Replies.SENDER_OK);
        }
    }

    private void rcpt(MailAddress recipient) {
        if (tx.recipients.size() >= limits.recipientLimit()) {
            error(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        RcptContext rcpt = new RcptContext(clientAddress, clientName, helo, tx.sender, recipient,
                domains.classify(recipient.domain()), null);
        suspend();
        restrictions.evaluate(rcpt).onComplete(ar -> {
            Reply reject = ar.succeeded() ? ar.result() : Replies.temporaryLookupFailure(recipient);
            if (reject != null) {
                reject(recipient, reject);
            } else {
                accept(recipient);
            }
            resume();
        });
    }

    private void reject(MailAddress recipient, Reply reply) {
        LOG.infof("%s: reject: RCPT from %s: %s; from=%s to=%s proto=%s helo=<%s>",
                tx.queueId == null ? "NOQUEUE" : tx.queueId, client, reply.oneLine(),
                tx.sender.bracketed(), recipient.bracketed(), protocol, helo);
        error(reply);
    }

    private void accept(MailAddress recipient) {
        if (tx.queueId == null) {
            tx.queueId = queueIds.next();
            LOG.infof("%s: client=%s", tx.queueId, client);
        }
        tx.recipients.add(recipient);
        reply(Replies.RECIPIENT_OK);
    }

    /** Stops reading input while an asynchronous step runs; the replies so far go out first. */
    private void suspend() {
        busy = true;
        cancelTimer();
        flush();
    }

    /** Goes on with buffered input after an asynchronous step. */
    private void resume() {
        busy = false;
        if (!closed) {
            armTimer();
            process();
        }
    }

    private void data() {
        if (tx.recipients.isEmpty()) {
            error(Replies.NO_VALID_RECIPIENTS);
        } else {
            reply(Replies.START_DATA);
            decoder.startData(ReceivedHeader.build(limits.myhostname(), clientInfo(), tx.queueId, tx.recipients,
                    ZonedDateTime.now(clock)));
        }
    }

    private Envelope.Client clientInfo() {
        return new Envelope.Client(clientName, clientAddress, helo, protocol);
    }

    private void enqueue(InputDecoder.Event.Message message) {
        Transaction t = tx;
        tx = null;
        Envelope envelope = new Envelope(t.queueId, clock.instant(), t.sender, t.recipients, clientInfo(), 0, "");
        byte[] bytes = message.length() == message.bytes().length
                ? message.bytes() : Arrays.copyOf(message.bytes(), message.length());
        suspend();
        queue.enqueue(envelope, bytes, context).onComplete(ar -> {
            if (ar.succeeded()) {
                LOG.infof("%s: from=%s, size=%d, nrcpt=%d (queue active)", t.queueId, t.sender.bracketed(),
                        bytes.length, t.recipients.size());
                reply(Replies.queued(t.queueId));
            } else {
                LOG.warnf("warning: %s: queue file write error: %s", t.queueId, ar.cause().toString());
                reply(Replies.QUEUE_WRITE_ERROR);
            }
            resume();
        });
    }

    /** Sends a 4xx/5xx reply and counts it towards {@code smtpd_hard_error_limit}. */
    private void error(Reply reply) {
        reply(reply);
        if (++errors >= limits.hardErrorLimit()) {
            LOG.infof("too many errors after %s from %s", lastVerbName(), client);
            reply(Reply.of(421, "4.7.0", limits.myhostname() + " Error: too many errors"));
            close();
        }
    }

    private void reply(Reply reply) {
        out.appendString(reply.wire());
    }

    private void flush() {
        if (out.length() > 0) {
            socket.write(out);
            out = Buffer.buffer(256);
        }
    }

    private void close() {
        if (!closed) {
            closed = true;
            flush();
            cancelTimer();
            socket.end();
        }
    }

    private void armTimer() {
        cancelTimer();
        timer = vertx.setTimer(limits.timeoutMillis(), id -> {
            timer = -1;
            if (!closed && !busy) {
                LOG.infof("timeout after %s from %s", lastVerbName(), client);
                reply(Replies.timeout(limits.myhostname()));
                close();
            }
        });
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void onClose() {
        if (!closed) {
            closed = true;
            cancelTimer();
            LOG.infof("lost connection after %s from %s", lastVerbName(), client);
        }
        LOG.infof("disconnect from %s%s commands=%d", client, commandCounts.entrySet().stream()
                .map(e -> " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining()), commands);
    }

    private String lastVerbName() {
        if (decoder.inData()) {
            return "DATA";
        }
        return lastVerb == null ? "CONNECT" : lastVerb.name();
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
