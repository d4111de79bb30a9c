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
import io.mxgate.core.address.AddressParser;
import io.mxgate.core.milter.MilterMessage;
import io.mxgate.core.milter.MilterReply;
import io.mxgate.ingress.milter.MilterOutcome;
import io.mxgate.ingress.milter.SessionMilters;
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
    /** The session's filters (smtpd_milters), or null without any. */
    private SessionMilters milters;
    /** The recipient a filter is asked about, for the {rcpt_addr} macro. */
    private MailAddress milterRecipient;
    /** The transaction whose content the filters are reading (tx is already cleared then), for the i macro. */
    private Transaction milterTx;

    /** The mail transaction in progress: MAIL seen, recipients so far. */
    private static final class Transaction {
        /** The envelope sender; a filter may replace it at end-of-message. */
        MailAddress sender;
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
        /** The filters saw MAIL: a transaction that ends before end-of-message must be aborted for them. */
        boolean milterStarted;
        /** A filter said DISCARD: the message gets 250 and is thrown away; filters see no more of it. */
        boolean discard;
        /** A filter asked to quarantine the message (Postfix's hold queue), with its reason. */
        String hold;

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
            } else if (services.milters() != null) {
                milters = services.milters().open(this::macro);
                // Postfix (milter8.c): a client without a verified name is "[address]" to the filters
                milters.connect(clientName.equals("unknown") ? "[" + clientAddress + "]" : clientName,
                        clientAddress.indexOf(':') >= 0 ? '6' : '4', socket.remoteAddress().port(), clientAddress)
                        .onComplete(o -> greetAfterMilters(o.result()));
            } else {
                reply(Replies.greeting(limits.myhostname()));
                resume();
            }
        });
    }

    /**
     * smtpd.c: a filter that rejects the connection gets 554 (and every later command the filter's reply), a 421 ends
     * the session; anything else the normal greeting.
     */
    private void greetAfterMilters(MilterOutcome outcome) {
        Reply reject = milterReply(outcome, "CONNECT", null, null, null);
        if (reject != null && reject.code() == 421) {
            reply(Replies.serviceUnavailable(limits.myhostname()));
            close();
        } else if (reject != null && reject.isPermanent()) {
            error(Replies.notAcceptingConnections(limits.myhostname()));
            resume();
        } else {
            reply(Replies.greeting(limits.myhostname()));
            resume();
        }
    }

    /**
     * Postfix's check_milter_reply: logs the filters' answer to a command ({@code milter-reject},
     * {@code milter-discard}, {@code milter-hold}) and returns the reply to send instead of going on, or null.
     * DISCARD and HOLD mark the transaction and let the command succeed.
     */
    private Reply milterReply(MilterOutcome outcome, String where, Transaction t, MailAddress sender,
                              MailAddress recipient) {
        String action;
        String text;
        Reply reply = null;
        if (outcome instanceof MilterOutcome.Continue) {
            return null;
        } else if (outcome instanceof MilterOutcome.Discard) {
            if (t == null || t.discard) {
                return null;
            }
            t.discard = true;
            action = "milter-discard";
            text = "milter triggers DISCARD action";
        } else if (outcome instanceof MilterOutcome.Hold h) {
            if (t == null || t.hold != null) {
                return null;
            }
            t.hold = h.reason().isEmpty() ? "milter triggers HOLD action" : h.reason();
            action = "milter-hold";
            text = t.hold;
        } else {
            reply = outcome instanceof MilterOutcome.Reject r ? r.reply() : Replies.MILTER_SHUTDOWN;
            action = "milter-reject";
            text = reply.oneLine();
            services.sessions().reject(reply, "milter");
        }
        LOG.infof("%s: %s: %s from %s: %s;%s", t == null || t.queueId == null ? "NOQUEUE" : t.queueId, action, where,
                client, text, whatsup(sender, recipient));
        return reply;
    }

    /** smtpd_whatsup: the envelope so far, as Postfix ends its reject lines. */
    private String whatsup(MailAddress sender, MailAddress recipient) {
        return (sender == null ? "" : " from=" + sender.bracketed()) + (recipient == null ? ""
                : " to=" + recipient.bracketed()) + " proto=" + protocol + (helo.isEmpty() ? "" : " helo=<" + helo + ">");
    }

    /** A reply that ends the session: a filter's 421 or SHUTDOWN. */
    private void milterReject(Reply reply) {
        if (reply.code() == 421) {
            reply(reply);
            close();
        } else {
            error(reply);
        }
    }

    /**
     * Postfix's smtpd_milter_eval: a macro's value now, null when it has none (then it is not sent).
     * {@code {daemon_name}} and {@code v} come from the settings ({@link io.mxgate.ingress.milter.Milters}).
     */
    private String macro(String name) {
        return switch (name) {
            case "j" -> limits.myhostname();
            case "_" -> clientName + " [" + clientAddress + "]";
            case "{client_addr}" -> clientAddress;
            case "{client_port}" -> Integer.toString(socket.remoteAddress().port());
            case "{client_name}", "{client_ptr}" -> clientName;
            case "{daemon_addr}" -> socket.localAddress().hostAddress();
            case "{daemon_port}" -> Integer.toString(socket.localAddress().port());
            case "i" -> tx != null ? tx.queueId : milterTx == null ? null : milterTx.queueId;
            case "{auth_type}" -> saslMethod;
            case "{auth_authen}" -> saslUser;
            case "{mail_addr}" -> tx != null ? tx.sender.toString() : milterTx == null ? null
                    : milterTx.sender.toString();
            case "{rcpt_addr}" -> milterRecipient == null ? null : milterRecipient.toString();
            case "{tls_version}" -> secured && socket.sslSession() != null ? socket.sslSession().getProtocol() : null;
            case "{cipher}" -> secured && socket.sslSession() != null ? socket.sslSession().getCipherSuite() : null;
            default -> null;
        };
    }

    /** The filters' answer to an event of this transaction: continue without filters or once one said DISCARD. */
    private Future<MilterOutcome> milterEvent(Transaction t, java.util.function.Function<SessionMilters,
            Future<MilterOutcome>> event) {
        return milters == null || t != null && t.discard ? Future.succeededFuture(MilterOutcome.CONTINUE)
                : event.apply(milters);
    }

    /** The transaction is over before its end-of-message reached the filters: they forget it (SMFIC_ABORT). */
    private void endTransaction() {
        abortMilters(tx);
        tx = null;
    }

    private void abortMilters(Transaction t) {
        if (t != null && t.milterStarted && milters != null) {
            milters.abort();
        }
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
            endTransaction();
        } else if (event instanceof InputDecoder.Event.Message message) {
            enqueue(message);
        } else if (event instanceof InputDecoder.Event.MessageTooBig tooBig) {
            LOG.infof("NOQUEUE: reject: DATA from %s: %s; size=%d from=%s proto=%s helo=<%s>", client,
                    Replies.MESSAGE_TOO_BIG.oneLine(), tooBig.size(), tx.sender.bracketed(), protocol, helo);
            services.sessions().message("rejected");
            services.sessions().reject(Replies.MESSAGE_TOO_BIG);
            error(Replies.MESSAGE_TOO_BIG);
            endTransaction();
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
            greet(h.domain(), "SMTP", "HELO", Replies.helo(limits.myhostname()));
        } else if (command instanceof Command.Ehlo e) {
            greet(e.domain(), "ESMTP", "EHLO", Replies.ehlo(limits.myhostname(), extensions()));
        } else if (command instanceof Command.Mail m) {
            mail(m);
        } else if (command instanceof Command.Rcpt r) {
            rcpt(r.recipient());
        } else if (command instanceof Command.Data) {
            data();
        } else if (command instanceof Command.Rset) {
            endTransaction();
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
            endTransaction();
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

    /**
     * HELO/EHLO. The filters hear of it; as in Postfix, whatever they say the client gets 250 unless it is a 421
     * (a rejection at HELO sticks and answers MAIL instead).
     */
    private void greet(String name, String proto, String verb, Reply reply) {
        endTransaction();
        if (milters == null) {
            helo = name;
            protocol = proto;
            reply(reply);
            return;
        }
        suspend();
        milters.helo(name).onComplete(ar -> {
            helo = name;
            // logged as Postfix does: with the new HELO name and the protocol as it was before this command
            Reply reject = milterReply(ar.result(), verb, null, null, null);
            protocol = proto;
            if (reject != null && reject.code() == 421) {
                reply(reject);
                close();
            } else {
                reply(reply);
            }
            resume();
        });
    }

    private void mail(Command.Mail m) {
        if (m.declaredSize() > limits.messageSizeLimit()) {
            error(Replies.MESSAGE_TOO_BIG);
        } else if (milters == null) {
            tx = new Transaction(m.sender(), m.declaredSize());
            reply(Replies.SENDER_OK);
        } else {
            Transaction t = new Transaction(m.sender(), m.declaredSize());
            t.milterStarted = true;
            tx = t; // for the {mail_addr} macro; undone if a filter refuses
            List<String> args = new ArrayList<>(List.of(m.sender().bracketed()));
            if (m.declaredSize() >= 0) {
                args.add("SIZE=" + m.declaredSize());
            }
            if (m.body() == Command.BodyType.EIGHT_BIT_MIME) {
                args.add("BODY=8BITMIME");
            }
            suspend();
            milters.mail(args).onComplete(ar -> {
                Reply reject = milterReply(ar.result(), "MAIL", t, m.sender(), null);
                if (reject != null) {
                    endTransaction();
                    milterReject(reject);
                } else {
                    reply(Replies.SENDER_OK);
                }
                resume();
            });
        }
    }

    private void rcpt(MailAddress recipient) {
        if (tx.recipients.size() >= limits.recipientLimit()) {
            error(Replies.TOO_MANY_RECIPIENTS);
            return;
        }
        suspend();
        Transaction t = tx;
        check(t, recipient).onComplete(ar -> {
            Checked c = ar.result();
            if (c.reject() != null) {
                reject(recipient, c.reject());
                resume();
                return;
            }
            // as Postfix: the filters hear only of recipients our own restrictions accepted
            milterRecipient = recipient;
            milterEvent(t, m -> m.rcpt(List.of(recipient.bracketed()))).onComplete(m -> {
                milterRecipient = null;
                Reply reject = milterReply(m.result(), "RCPT", t, t.sender, recipient);
                if (reject != null) {
                    milterReject(reject);
                } else {
                    add(t, recipient, c.resolution());
                    t.prepend.addAll(c.prepend());
                    accept(recipient);
                }
                resume();
            });
        });
    }

    /** What the RCPT checks say of a recipient: a reject, or its resolution and the headers to prepend. */
    private record Checked(Reply reject, List<String> prepend, RecipientResolver.Resolution resolution) {
    }

    /**
     * The RCPT checks, for a recipient the client sent or a filter added: relay and recipient restrictions (so
     * reject_unauth_destination and verification), smtpd_reject_unlisted_recipient, then alias resolution. The
     * future never fails: a failed lookup is {@code 451 4.3.0 Temporary lookup failure}.
     */
    private Future<Checked> check(Transaction t, MailAddress recipient) {
        RecipientResolver resolver = services.resolver();
        return resolver.addressClass(recipient).compose(addressClass -> services.restrictions().evaluate(new RcptContext(
                        clientAddress, clientName, helo, t.sender, recipient, addressClass, saslUser, t.declaredSize)))
                .compose(outcome -> outcome.reject() != null || !services.unlisted().enabled()
                        ? Future.succeededFuture(outcome)
                        : resolver.listing(recipient).map(listing -> new RestrictionChain.Outcome(
                                services.unlisted().forListing(recipient, listing), outcome.prepend())))
                .compose(outcome -> outcome.reject() != null
                        ? Future.succeededFuture(new Checked(outcome.reject(), outcome.prepend(), null))
                        : resolver.resolve(recipient).map(r -> new Checked(null, outcome.prepend(), r)))
                .otherwise(e -> new Checked(Replies.temporaryLookupFailure(recipient), List.of(), null));
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
        } else if (milters == null || tx.discard) {
            startData();
        } else {
            suspend();
            Transaction t = tx;
            milters.data().onComplete(ar -> {
                Reply reject = milterReply(ar.result(), "DATA", t, t.sender, null);
                if (reject != null) {
                    milterReject(reject);
                } else {
                    startData();
                }
                resume();
            });
        }
    }

    private void startData() {
        reply(Replies.START_DATA);
        dataStartNanos = System.nanoTime();
        dataBytes = 0;
        decoder.startData(ReceivedHeader.build(limits.myhostname(), clientInfo(), tx.queueId, tx.recipients,
                tx.prepend, ZonedDateTime.now(clock)));
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
            abortMilters(t);
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
            abortMilters(t);
            return;
        }
        byte[] bytes = headers.length() == message.bytes().length
                ? message.bytes() : Arrays.copyOf(message.bytes(), headers.length());
        if (!t.milterStarted) {
            store(t, bytes);
        } else if (t.discard) {
            abortMilters(t); // the other filters saw the envelope but get no content
            discarded(t, "milter triggers DISCARD action");
        } else {
            suspend();
            milterTx = t;
            // the filters never see our own Received header, which follows the PREPEND headers (Postfix hides its own)
            int ours = t.prepend.stream().mapToInt(h -> h.length() + 2).sum();
            milters.message(MilterMessage.parse(bytes, bytes.length, ours)).onComplete(ar -> {
                milterTx = null;
                afterMilters(t, ar.result());
            });
        }
    }

    /**
     * The filters' verdict on the content (cleanup_milter.c logs it, smtpd answers): a reject or a tempfail is the
     * reply to the final dot, DISCARD is a 250 without storing, a quarantine is deferred (no hold queue at the
     * ingress yet); else the envelope changes are checked, and the message as the filters left it is stored.
     */
    private void afterMilters(Transaction t, SessionMilters.MessageResult result) {
        MilterOutcome outcome = result.outcome();
        if (outcome instanceof MilterOutcome.Discard) {
            discarded(t, "milter triggers DISCARD action");
            resume();
        } else if (outcome instanceof MilterOutcome.Reject || outcome instanceof MilterOutcome.Shutdown) {
            Reply reply = outcome instanceof MilterOutcome.Reject r ? r.reply() : Replies.MILTER_SHUTDOWN;
            endOfMessage("milter-reject", t, reply.oneLine().substring(4));
            services.sessions().message(reply.isTransient() ? "deferred" : "rejected");
            services.sessions().reject(reply, "milter");
            milterReject(reply);
            resume();
        } else if (outcome instanceof MilterOutcome.Hold || t.hold != null) {
            held(t, outcome instanceof MilterOutcome.Hold h ? h.reason() : t.hold);
            resume();
        } else {
            applyEnvelope(t, result.envelope(), 0).onComplete(ar -> {
                Reply deferred = ar.succeeded() ? ar.result() : Replies.MILTER_TEMPFAIL;
                if (ar.failed()) {
                    LOG.warnf("warning: %s: applying the milters' changes failed: %s", t.queueId, ar.cause());
                }
                if (deferred != null) {
                    services.sessions().message("deferred");
                    error(deferred);
                } else if (t.expansionFailed) {
                    services.sessions().message("deferred");
                    error(Replies.ALIAS_EXPANSION_ERROR);
                } else if (t.targets.isEmpty()) {
                    discarded(t, "all recipients deleted by milter");
                } else {
                    byte[] edited = result.message().toBytes();
                    if (edited.length > limits.messageSizeLimit()) {
                        endOfMessage("reject", t, Replies.MESSAGE_TOO_BIG.oneLine() + "; size=" + edited.length);
                        services.sessions().message("rejected");
                        error(Replies.MESSAGE_TOO_BIG);
                    } else {
                        store(t, edited);
                        return;
                    }
                }
                resume();
            });
        }
    }

    /** Postfix's end-of-message log line (cleanup_milter.c): {@code QUEUEID: action: END-OF-MESSAGE from ...}. */
    private void endOfMessage(String action, Transaction t, String text) {
        CLEANUP.infof("%s: %s: END-OF-MESSAGE from %s: %s;%s", t.queueId, action, client, text,
                whatsup(t.sender, t.recipients.isEmpty() ? null : t.recipients.get(t.recipients.size() - 1)));
    }

    /** DISCARD: the client is told the message was queued, and nothing is stored (Postfix does the same). */
    private void discarded(Transaction t, String why) {
        endOfMessage("milter-discard", t, why);
        services.sessions().message("discarded");
        reply(Replies.queued(t.queueId));
    }

    /**
     * A filter asked for quarantine. Postfix would accept the message into its hold queue; mxgate has no hold queue
     * at the ingress yet, so the client is told to try again later rather than have the message delivered.
     */
    private void held(Transaction t, String reason) {
        endOfMessage("milter-hold", t, reason.isEmpty() ? "milter triggers HOLD action" : reason);
        LOG.warnf("warning: %s: quarantine is not supported: message deferred with %s", t.queueId,
                Replies.MILTER_TEMPFAIL.oneLine());
        services.sessions().message("deferred");
        error(Replies.MILTER_TEMPFAIL);
    }

    /**
     * The filters' sender and recipient changes, in order. A recipient a filter adds goes through every RCPT check
     * as if the client had sent it (never an open relay): refused for good, it is not added (and logged); refused
     * for now, the whole message is deferred, so it is not delivered without it. Completes with that deferral's
     * reply, or null.
     */
    private Future<Reply> applyEnvelope(Transaction t, List<SessionMilters.EnvelopeEdit> edits, int i) {
        if (i == edits.size()) {
            return Future.succeededFuture(null);
        }
        SessionMilters.EnvelopeEdit e = edits.get(i);
        MilterReply.Edit edit = e.edit();
        if (edit instanceof MilterReply.ChangeSender c) {
            MailAddress sender = address(c.address(), true);
            if (sender == null) {
                LOG.warnf("warning: %s: milter %s: ignoring bad sender address \"%s\"", t.queueId, e.milter(),
                        printable(c.address()));
            } else {
                if (c.parameters() != null && !c.parameters().isEmpty()) {
                    LOG.warnf("warning: %s: cleanup_chg_from: ignoring ESMTP arguments \"%s\"", t.queueId,
                            printable(c.parameters()));
                }
                t.sender = sender;
            }
        } else if (edit instanceof MilterReply.DeleteRecipient d) {
            MailAddress gone = address(d.address(), false);
            if (gone != null) {
                t.recipients.remove(gone);
                t.targets.entrySet().removeIf(target -> {
                    boolean match = target.getValue().equals(gone);
                    if (match) {
                        t.targetClasses.remove(target.getKey());
                    }
                    return match;
                });
            }
        } else if (edit instanceof MilterReply.AddRecipient a) {
            MailAddress added = address(a.address(), false);
            if (added == null) {
                LOG.warnf("warning: %s: milter %s: ignoring bad recipient address \"%s\"", t.queueId, e.milter(),
                        printable(a.address()));
            } else {
                if (a.parameters() != null && !a.parameters().isEmpty()) {
                    LOG.warnf("warning: %s: cleanup_add_rcpt: ignoring ESMTP arguments \"%s\"", t.queueId,
                            printable(a.parameters()));
                }
                return check(t, added).compose(c -> {
                    if (c.reject() == null) {
                        add(t, added, c.resolution());
                        t.prepend.addAll(c.prepend());
                        if (!t.recipients.contains(added)) {
                            t.recipients.add(added);
                        }
                    } else {
                        LOG.warnf("warning: %s: milter %s: recipient %s not added: %s", t.queueId, e.milter(),
                                added.bracketed(), c.reject().oneLine());
                        if (c.reject().isTransient()) {
                            return Future.succeededFuture(c.reject().code() == 421 ? c.reject()
                                    : Replies.MILTER_TEMPFAIL);
                        }
                    }
                    return applyEnvelope(t, edits, i + 1);
                });
            }
        }
        return applyEnvelope(t, edits, i + 1);
    }

    /** An address a filter sent, with or without angle brackets; null when it is none (or the null sender as a recipient). */
    private static MailAddress address(String text, boolean sender) {
        try {
            return sender ? AddressParser.parseReversePath(text) : AddressParser.parseForwardPath(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The 250 waits for Kafka's acks=all, as ever, filters or not. */
    private void store(Transaction t, byte[] bytes) {
        Map<MailAddress, Envelope.Agent> agents = new LinkedHashMap<>();
        t.targetClasses.forEach((target, c) -> agents.put(target, c == AddressClass.VIRTUAL_MAILBOX
                ? Envelope.Agent.LMTP : Envelope.Agent.QMGR));
        Envelope envelope = new Envelope(t.queueId, clock.instant(), t.sender, List.copyOf(t.targets.keySet()),
                clientInfo(), 0, "", t.targets, agents);
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
        if (milters != null) {
            milters.quit();
        }
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
