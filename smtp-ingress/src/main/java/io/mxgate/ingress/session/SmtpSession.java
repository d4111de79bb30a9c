package io.mxgate.ingress.session;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.smtp.Command;
import io.mxgate.core.smtp.CommandParser;
import io.mxgate.core.smtp.HeaderSection;
import io.mxgate.core.smtp.InputDecoder;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.Verb;
import io.mxgate.core.dns.Dns;
import io.mxgate.ingress.restriction.RcptContext;
import io.mxgate.ingress.restriction.RestrictionChain;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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
    private static final Logger CLEANUP = Logger.getLogger("cleanup");
    /**
     * The {@code from=<>, size=, nrcpt= (queue active)} line is Postfix's qmgr's, and pflogsumm takes bytes received
     * and the sender list only from that line under a process name other than smtpd. It is written here, once per
     * message right after Kafka's ack, because this is the one place that sees each accepted message exactly once
     * and before any delivery line: lmtp-delivery and queue-worker both read the incoming topic, each for its own
     * recipients, and neither knows the whole message (queue-worker logs it again per queue run, as qmgr does).
     */
    private static final Logger QMGR = Logger.getLogger("qmgr");

    private final Vertx vertx;
    private final Context context;
    private final NetSocket socket;
    private final SessionLimits limits;
    private final SessionServices services;
    private final Clock clock;
    private final InputDecoder decoder;
    private final String clientAddress;
    private String clientName = "unknown";
    private String client;
    private final Map<Verb, Integer> commandCounts = new EnumMap<>(Verb.class);

    private String helo = "";
    private boolean secured;
    private String saslUser;
    private String saslMethod;
    /** A SASL exchange waiting for the client's next response line, or null. */
    private SaslExchange sasl;
    private String protocol = "SMTP";
    private Transaction tx;
    private boolean busy;
    private boolean processing;
    private boolean closed;
    /** Shutdown is under way: end at the next point where no message is half received. */
    private boolean draining;
    private int errors;
    private int commands;
    private Verb lastVerb;
    private long timer = -1;
    private long dataStartNanos;
    private long dataBytes;
    private Buffer out = Buffer.buffer(256);

    /** The mail transaction in progress: MAIL seen, recipients so far. */
    private static final class Transaction {
        final MailAddress sender;
        final long declaredSize;
        final List<MailAddress> recipients = new ArrayList<>();
        /** The accepted recipients after alias expansion, each with the address the client gave (cleanup's ORCP). */
        final Map<MailAddress, MailAddress> targets = new LinkedHashMap<>();
        /** The address class of each target: it chooses the topic (ADR 0007) and the consumer that delivers it. */
        final Map<MailAddress, AddressClass> targetClasses = new LinkedHashMap<>();
        /** An alias could not be expanded; cleanup answers the end of DATA with 451 4.6.0, and so do we. */
        boolean expansionFailed;
        /** Headers restrictions asked to prepend (PREPEND), each once. */
        final java.util.Set<String> prepend = new java.util.LinkedHashSet<>();
        String queueId;

        Transaction(MailAddress sender, long declaredSize) {
            this.sender = sender;
            this.declaredSize = declaredSize;
        }
    }

    public SmtpSession(Vertx vertx, NetSocket socket, SessionLimits limits, SessionServices services) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.socket = socket;
        this.limits = limits;
        this.services = services;
        this.clock = services.clock();
        this.decoder = new InputDecoder(limits.lineLengthLimit(), limits.messageSizeLimit());
        this.clientAddress = socket.remoteAddress().hostAddress();
        this.client = "unknown[" + clientAddress + "]";
    }

    public void start() {
        services.sessions().opened(this);
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
            Reply refused = services.sessions().admit(clientAddress, client);
            if (services.sessions().draining()) {
                shutDown();
            } else if (refused != null) {
                reply(refused);
                close();
            } else if (limits.forbidUnauthPipelining() && decoder.buffered() > 0) {
                synchronizationError("CONNECT");
            } else {
                reply(Replies.greeting(limits.myhostname()));
                resume();
            }
        });
    }

    /** The client's name when its PTR record's name resolves back to its address (Postfix's verified name). */
    private io.vertx.core.Future<String> lookUpClientName() {
        Dns dns = services.peernames();
        if (dns == null || clientAddress.indexOf(':') >= 0) {
            return io.vertx.core.Future.succeededFuture(null);
        }
        return dns.ptr(clientAddress).compose(ptr -> {
            if (ptr.records().isEmpty()) {
                return io.vertx.core.Future.succeededFuture(null);
            }
            String name = ptr.records().get(0);
            return dns.a(name).map(addresses -> addresses.records().contains(clientAddress)
                    ? name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "") : null);
        });
    }

    private void onData(Buffer data) {
        if (closed) {
            return;
        }
        decoder.feed(data.getBytes());
        if (decoder.inData()) {
            dataBytes += data.length();
            if (tooSlow()) {
                LOG.infof("timeout after DATA (%d bytes) from %s: below smtpd_min_data_rate", dataBytes, client);
                reply(Replies.timeout(limits.myhostname()));
                close();
                return;
            }
            armTimer();
        }
        if (busy) {
            socket.pause();
            return;
        }
        process();
    }

    /**
     * Works through buffered input until it runs out, the session waits on something, or it ends. Re-entrant calls
     * (an asynchronous step that completed at once, e.g. a cached answer, resumes inside the loop) return at once:
     * the running loop goes on, so a long pipelined group never turns into deep recursion.
     */
    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        try {
            InputDecoder.Event event;
            while (!busy && !closed) {
                if (draining && !decoder.inData()) {
                    shutDown();
                    break;
                }
                if ((event = decoder.next()) == null) {
                    break;
                }
                armTimer();
                handle(event);
            }
        } finally {
            processing = false;
        }
        flush();
        if (!busy && !closed) {
            socket.resume();
        }
    }

    private void handle(InputDecoder.Event event) {
        if (event instanceof InputDecoder.Event.Line line && sasl != null) {
            saslResponse(line.text());
        } else if (event instanceof InputDecoder.Event.Line line) {
            Command command = CommandParser.parse(line.text());
            Verb verb = command.verb();
            if (limits.forbidUnauthPipelining() && verb != null && verb.lastInGroup() && verb != Verb.QUIT
                    && decoder.buffered() > 0) {
                synchronizationError(verb.name());
            } else {
                handleCommand(command);
            }
        } else if (event instanceof InputDecoder.Event.LineTooLong) {
            LOG.infof("warning: %s: command line too long after %s", client, lastVerbName());
            reply(Replies.LINE_TOO_LONG);
            close();
        } else if (event instanceof InputDecoder.Event.Message message && message.sawBareNewline()
                && limits.rejectBareNewline()) {
            LOG.infof("NOQUEUE: reject: DATA from %s: %s; from=%s proto=%s helo=<%s>", client,
                    Replies.BARE_NEWLINE.oneLine(), tx.sender.bracketed(), protocol, helo);
            services.sessions().message("rejected");
            services.sessions().reject(Replies.BARE_NEWLINE);
            error(Replies.BARE_NEWLINE);
            tx = null;
        } else if (event instanceof InputDecoder.Event.Message message) {
            enqueue(message);
        } else if (event instanceof InputDecoder.Event.MessageTooBig tooBig) {
            LOG.infof("NOQUEUE: reject: DATA from %s: %s; size=%d from=%s proto=%s helo=<%s>", client,
                    Replies.MESSAGE_TOO_BIG.oneLine(), tooBig.size(), tx.sender.bracketed(), protocol, helo);
            services.sessions().message("rejected");
            services.sessions().reject(Replies.MESSAGE_TOO_BIG);
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
            greet(e.domain(), "ESMTP", Replies.ehlo(limits.myhostname(), extensions()));
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
        } else if (command instanceof Command.StartTls) {
            startTls();
        } else if (command instanceof Command.Auth a) {
            auth(a);
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
        if (verb == Verb.RCPT && tx == null) {
            return Replies.NEED_MAIL;
        }
        if (verb == Verb.DATA && tx == null) {
            return Replies.NEED_RCPT; // Postfix's data_cmd asks for the recipient whether or not MAIL was given
        }
        return null;
    }

    private List<String> extensions() {
        List<String> ext = new java.util.ArrayList<>(List.of("PIPELINING", "SIZE " + limits.messageSizeLimit(), "VRFY"));
        if (services.tls() && !secured) {
            ext.add("STARTTLS");
        }
        if (authOffered()) {
            ext.add("AUTH PLAIN LOGIN");
        }
        ext.addAll(List.of("ENHANCEDSTATUSCODES", "8BITMIME"));
        return ext;
    }

    private boolean authOffered() {
        return services.sasl() != null && (secured || !services.tlsAuthOnly());
    }

    /**
     * RFC 3207: 220, then the TLS handshake; whatever the client pipelined after STARTTLS in clear text is thrown
     * away, and the session starts over (no HELO, no transaction) inside TLS.
     */
    private void startTls() {
        if (!services.tls()) {
            error(Replies.TLS_NOT_AVAILABLE);
            return;
        }
        if (secured) {
            error(Replies.TLS_ALREADY_ACTIVE);
            return;
        }
        int dropped = decoder.discardBuffered();
        if (dropped > 0) {
            LOG.infof("warning: %s: %d bytes of input pipelined after STARTTLS discarded", client, dropped);
        }
        reply(Replies.READY_FOR_TLS);
        suspend();
        socket.upgradeToSsl().onComplete(ar -> {
            if (ar.failed()) {
                LOG.infof("SSL_accept error from %s: %s", client, ar.cause().getMessage());
                closed = true;
                socket.close();
                return;
            }
            secured = true;
            helo = "";
            tx = null;
            LOG.infof("Anonymous TLS connection established from %s", client);
            decoder.discardBuffered();
            resume();
        });
    }

    private void auth(Command.Auth a) {
        if (services.sasl() == null) {
            error(Replies.AUTH_NOT_ENABLED);
        } else if (!authOffered()) {
            error(Replies.MUST_STARTTLS_FIRST);
        } else if (saslUser != null) {
            error(Replies.ALREADY_AUTHENTICATED);
        } else if (tx != null) {
            error(Replies.AUTH_IN_TRANSACTION);
        } else if (!a.mechanism().equals("PLAIN") && !a.mechanism().equals("LOGIN")) {
            error(Replies.AUTH_MECHANISM_UNSUPPORTED);
        } else {
            sasl = new SaslExchange(a.mechanism());
            if (a.initialResponse() != null) {
                saslResponse(a.initialResponse());
            } else {
                reply(Replies.authChallenge(sasl.challenge()));
            }
        }
    }

    private void saslResponse(String line) {
        SaslExchange exchange = sasl;
        if (line.equals("*")) {
            sasl = null;
            error(Replies.AUTH_ABORTED);
            return;
        }
        SaslExchange.Step step = exchange.respond(line);
        if (step instanceof SaslExchange.Step.Challenge c) {
            reply(Replies.authChallenge(c.base64()));
            return;
        }
        sasl = null;
        if (step instanceof SaslExchange.Step.Malformed) {
            error(Replies.AUTH_BAD_RESPONSE);
            return;
        }
        SaslExchange.Step.Credentials credentials = (SaslExchange.Step.Credentials) step;
        suspend();
        services.sasl().authenticate(credentials.authzid(), credentials.user(), credentials.password(), clientAddress,
                secured).onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.infof("warning: %s: SASL %s authentication aborted: %s", client, exchange.mechanism(),
                                ar.cause().getMessage());
                        error(Replies.AUTH_TEMPORARY_FAILURE);
                    } else if (ar.result().user() == null) {
                        LOG.infof("warning: %s: SASL %s authentication failed: authentication failure", client,
                                exchange.mechanism());
                        error(Replies.AUTH_FAILED);
                    } else {
                        saslUser = ar.result().user();
                        saslMethod = exchange.mechanism();
                        reply(Replies.AUTH_OK);
                    }
                    resume();
                });
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
            tx = new Transaction(m.sender(), m.declaredSize());
            reply(Replies.SENDER_OK);
        }
    }

    private void rcpt(MailAddress recipient) {
        if (tx.recipients.size() >= limits.recipientLimit()) {
            error(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        suspend();
        Transaction t = tx;
        RecipientResolver resolver = services.resolver();
        resolver.addressClass(recipient).compose(addressClass -> services.restrictions().evaluate(new RcptContext(
                        clientAddress, clientName, helo, t.sender, recipient, addressClass, saslUser, t.declaredSize)))
                .compose(outcome -> outcome.reject() != null || !services.unlisted().enabled()
                        ? Future.succeededFuture(outcome)
                        : resolver.listing(recipient).map(listing -> new RestrictionChain.Outcome(
                                services.unlisted().forListing(recipient, listing), outcome.prepend())))
                .compose(outcome -> outcome.reject() != null ? Future.succeededFuture(outcome)
                        : resolver.resolve(recipient).map(resolution -> {
                            add(t, recipient, resolution);
                            return outcome;
                        }))
                .onComplete(ar -> {
                    Reply reject = ar.succeeded() ? ar.result().reject() : Replies.temporaryLookupFailure(recipient);
                    if (reject != null) {
                        reject(recipient, reject);
                    } else {
                        t.prepend.addAll(ar.result().prepend());
                        accept(recipient);
                    }
                    resume();
                });
    }

    /** cleanup's step at RCPT time: the targets of an accepted recipient go into the envelope. */
    private static void add(Transaction t, MailAddress recipient, RecipientResolver.Resolution resolution) {
        if (resolution instanceof RecipientResolver.Resolution.Targets targets) {
            for (RecipientResolver.Target target : targets.targets()) {
                if (t.targets.putIfAbsent(target.address(), recipient) == null) {
                    t.targetClasses.put(target.address(), target.addressClass());
                }
            }
        } else {
            LOG.warnf("warning: %s: %s -- message not accepted, try again later",
                    t.queueId == null ? "NOQUEUE" : t.queueId, ((RecipientResolver.Resolution.Failed) resolution).text());
            t.expansionFailed = true;
        }
    }

    private void reject(MailAddress recipient, Reply reply) {
        services.sessions().reject(reply);
        LOG.infof("%s: reject: RCPT from %s: %s; from=%s to=%s proto=%s helo=<%s>",
                tx.queueId == null ? "NOQUEUE" : tx.queueId, client, reply.oneLine(),
                tx.sender.bracketed(), recipient.bracketed(), protocol, helo);
        if (reply.code() == 421 || reply.code() == 521) {
            // access(5): these replies end the session
            reply(reply);
            close();
        } else {
            error(reply);
        }
    }

    private void accept(MailAddress recipient) {
        if (tx.queueId == null) {
            tx.queueId = services.queueIds().next();
            LOG.infof("%s: client=%s%s", tx.queueId, client,
                    saslUser == null ? "" : ", sasl_method=" + saslMethod + ", sasl_username=" + saslUser);
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
            dataStartNanos = System.nanoTime();
            dataBytes = 0;
            decoder.startData(ReceivedHeader.build(limits.myhostname(), clientInfo(), tx.queueId, tx.recipients,
                    tx.prepend, ZonedDateTime.now(clock)));
        }
    }

    private Envelope.Client clientInfo() {
        return new Envelope.Client(clientName, clientAddress, helo, protocol);
    }

    private void enqueue(InputDecoder.Event.Message message) {
        Transaction t = tx;
        tx = null;
        HeaderSection.Result headers = HeaderSection.limit(message.bytes(), message.length(), limits.headerSizeLimit());
        if (headers.hops() >= limits.hopcountLimit()) {
            LOG.infof("%s: reject: END-OF-MESSAGE from %s: %s; hops=%d from=%s proto=%s helo=<%s>", t.queueId, client,
                    Replies.TOO_MANY_HOPS.oneLine(), headers.hops(), t.sender.bracketed(), protocol, helo);
            services.sessions().message("rejected");
            services.sessions().reject(Replies.TOO_MANY_HOPS);
            error(Replies.TOO_MANY_HOPS);
            return;
        }
        if (headers.truncatedHeaders() > 0) {
            LOG.infof("warning: %s: %d header(s) longer than header_size_limit %d from %s: excess discarded",
                    t.queueId, headers.truncatedHeaders(), limits.headerSizeLimit(), client);
        }
        if (headers.messageId() != null) {
            CLEANUP.infof("%s: message-id=%s", t.queueId, headers.messageId());
        }
        if (t.expansionFailed) {
            services.sessions().message("deferred");
            error(Replies.ALIAS_EXPANSION_ERROR);
            return;
        }
        Map<MailAddress, Envelope.Agent> agents = new LinkedHashMap<>();
        t.targetClasses.forEach((target, c) -> agents.put(target, c == AddressClass.VIRTUAL_MAILBOX
                ? Envelope.Agent.LMTP : Envelope.Agent.QMGR));
        Envelope envelope = new Envelope(t.queueId, clock.instant(), t.sender, List.copyOf(t.targets.keySet()),
                clientInfo(), 0, "", t.targets, agents);
        byte[] bytes = headers.length() == message.bytes().length
                ? message.bytes() : Arrays.copyOf(message.bytes(), headers.length());
        suspend();
        services.queue().enqueue(envelope, bytes, List.copyOf(t.targetClasses.values()), context).onComplete(ar -> {
            if (ar.succeeded()) {
                QMGR.infof("%s: from=%s, size=%d, nrcpt=%d (queue active)", t.queueId, t.sender.bracketed(),
                        bytes.length, envelope.recipients().size());
                services.sessions().message("queued");
                reply(Replies.queued(t.queueId));
            } else {
                LOG.warnf("warning: %s: queue file write error: %s", t.queueId, ar.cause().toString());
                services.sessions().message("deferred");
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

    /** Called from any thread on shutdown; the session ends at its next safe point (never in the middle of DATA). */
    void drain() {
        context.runOnContext(v -> {
            draining = true;
            if (!busy && !closed && !decoder.inData()) {
                shutDown();
            }
        });
    }

    /** After the drain timeout: close whatever state the session is in (its client gets no 250, so it retries). */
    void abort() {
        context.runOnContext(v -> {
            closed = true;
            socket.close();
        });
    }

    /** RFC 2920: the client sent more before the reply it had to wait for (Postfix 3.9's default check). */
    private void synchronizationError(String after) {
        LOG.infof("improper command pipelining after %s from %s", after, client);
        services.sessions().reject(Replies.PROTOCOL_SYNCHRONIZATION);
        reply(Replies.PROTOCOL_SYNCHRONIZATION);
        close();
    }

    /** smtpd_min_data_rate: past smtpd_timeout, DATA must have brought this many bytes per second. */
    private boolean tooSlow() {
        long elapsedMillis = (System.nanoTime() - dataStartNanos) / 1_000_000;
        return limits.minDataRate() > 0
                && elapsedMillis > limits.timeoutMillis() + dataBytes * 1000 / limits.minDataRate();
    }

    private void shutDown() {
        reply(Replies.shuttingDown(limits.myhostname()));
        close();
    }

    private void onClose() {
        services.sessions().closed(this, clientAddress);
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
