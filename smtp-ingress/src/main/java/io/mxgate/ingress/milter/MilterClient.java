package io.mxgate.ingress.milter;

import io.mxgate.core.milter.MalformedMilterPacketException;
import io.mxgate.core.milter.MilterCodec;
import io.mxgate.core.milter.MilterCommand;
import io.mxgate.core.milter.MilterFrameDecoder;
import io.mxgate.core.milter.MilterMessage;
import io.mxgate.core.milter.MilterProtocol;
import io.mxgate.core.milter.MilterReply;
import io.mxgate.core.smtp.Replies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One filter's side of one SMTP session, Postfix's milter8.c as a state machine on a Vert.x socket: the connection
 * opens with the session (negotiation, then CONNECT) and serves every message of it. Each event writes its macros
 * and its packet and, unless the filter said it will not answer, waits for a decision within the stage's timeout
 * (a PROGRESS starts the wait again). Futures never fail: a filter that cannot be reached, hangs, closes or sends
 * garbage gets {@code milter_default_action}, logged with Postfix's warning, and no further events; after a
 * connection-level decision (REJECT/TEMPFAIL/REPLYCODE at CONNECT or HELO) every later event gets that decision,
 * as in Postfix, which answers HELO with 250 and MAIL with the filter's reply.
 *
 * <p>Everything runs on the session's event loop; nothing blocks.
 */
final class MilterClient {

    private static final Logger LOG = Logger.getLogger("smtpd");

    private enum State { NEW, READY, ACCEPT_CONNECTION, ACCEPT_MESSAGE, STICKY }

    /** A filter's answer to end-of-message: its decision and the changes it asked for, in order. */
    record MessageAnswer(MilterOutcome outcome, List<MilterReply.Edit> edits, boolean leadingSpace) {
    }

    /** An event waiting for its decision. */
    private final class Pending {
        final String event;
        final long timeoutMillis;
        final boolean endOfMessage;
        final Promise<MilterReply> promise = Promise.promise();
        final List<MilterReply.Edit> edits = new ArrayList<>();
        long timer = -1;
        boolean bodyReplaced;
        boolean otherEditAfterBody;

        Pending(String event, long timeoutMillis, boolean endOfMessage) {
            this.event = event;
            this.timeoutMillis = timeoutMillis;
            this.endOfMessage = endOfMessage;
        }

        void arm() {
            vertx.cancelTimer(timer);
            timer = vertx.setTimer(timeoutMillis, id -> communicationError("can't read " + event
                    + " reply packet header: Connection timed out"));
        }
    }

    private final Vertx vertx;
    private final NetClient net;
    private final MilterOptions.Endpoint endpoint;
    private final MilterOptions options;
    private final Function<String, String> macroValues;
    private final MilterMetrics metrics;
    private final MilterFrameDecoder decoder = new MilterFrameDecoder(MilterProtocol.MAX_PACKET);

    private State state = State.NEW;
    /** In state STICKY: the answer to every further event (Postfix's def_reply). */
    private MilterOutcome sticky;
    private NetSocket socket;
    private Pending pending;
    private int protocol;
    private int unsupported;
    private final Map<Integer, List<String>> macroOverrides = new LinkedHashMap<>();
    private boolean skipBody;

    MilterClient(Vertx vertx, NetClient net, MilterOptions.Endpoint endpoint, MilterOptions options,
                 Function<String, String> macroValues, MilterMetrics metrics) {
        this.vertx = vertx;
        this.net = net;
        this.endpoint = endpoint;
        this.options = options;
        this.macroValues = macroValues;
        this.metrics = metrics;
    }

    String name() {
        return endpoint.toString();
    }

    // ---- events

    /** Opens the connection, negotiates, and reports the client (SMFIC_CONNECT). */
    Future<MilterOutcome> connect(String hostname, char family, int port, String address) {
        return open().compose(v -> event(new MilterCommand.Connect(hostname, family, port, address),
                MilterProtocol.STAGE_CONNECT, MilterProtocol.NO_CONNECT, MilterProtocol.NR_CONNECT, true));
    }

    Future<MilterOutcome> helo(String name) {
        return event(new MilterCommand.Helo(name), MilterProtocol.STAGE_HELO, MilterProtocol.NO_HELO,
                MilterProtocol.NR_HELO, true);
    }

    Future<MilterOutcome> mail(List<String> args) {
        return event(new MilterCommand.Mail(args), MilterProtocol.STAGE_MAIL, MilterProtocol.NO_MAIL,
                MilterProtocol.NR_MAIL, false);
    }

    Future<MilterOutcome> rcpt(List<String> args) {
        return event(new MilterCommand.Rcpt(args), MilterProtocol.STAGE_RCPT, MilterProtocol.NO_RCPT,
                MilterProtocol.NR_RCPT, false);
    }

    Future<MilterOutcome> data() {
        return event(new MilterCommand.Data(), MilterProtocol.STAGE_DATA, MilterProtocol.NO_DATA,
                MilterProtocol.NR_DATA, false);
    }

    /**
     * The content: each header (with the end-of-header macros), end of headers, the body in chunks (with the
     * end-of-data macros), end of message; a decision other than continue before the end stops it there.
     */
    Future<MessageAnswer> message(MilterMessage message) {
        boolean leadingSpace = (protocol & MilterProtocol.HEADER_LEADING_SPACE) != 0;
        if (state == State.ACCEPT_MESSAGE) {
            state = State.READY; // accepted at MAIL, RCPT or DATA: nothing to see, the next transaction starts afresh
            return Future.succeededFuture(new MessageAnswer(MilterOutcome.CONTINUE, List.of(), leadingSpace));
        }
        if (state != State.READY) {
            return Future.succeededFuture(new MessageAnswer(passive(), List.of(), leadingSpace));
        }
        skipBody = false;
        List<Step> steps = new ArrayList<>();
        for (MilterCommand.Header h : message.headers(leadingSpace)) {
            steps.add(new Step(h, MilterProtocol.STAGE_EOH, MilterProtocol.NO_HEADERS, MilterProtocol.NR_HEADER,
                    "SMFIC_HEADER"));
        }
        steps.add(new Step(new MilterCommand.EndOfHeaders(), MilterProtocol.STAGE_EOH, MilterProtocol.NO_EOH,
                MilterProtocol.NR_EOH, "SMFIC_EOH"));
        for (MilterCommand.Body b : message.bodyChunks()) {
            steps.add(new Step(b, MilterProtocol.STAGE_EOM, MilterProtocol.NO_BODY, MilterProtocol.NR_BODY,
                    "SMFIC_BODY"));
        }
        return content(steps, 0).compose(outcome -> {
            if (!(outcome instanceof MilterOutcome.Continue) || state != State.READY) {
                if (state == State.ACCEPT_MESSAGE) {
                    state = State.READY;
                }
                return Future.succeededFuture(new MessageAnswer(outcome, List.of(), leadingSpace));
            }
            sendMacros(MilterProtocol.STAGE_EOM, 'E');
            Pending p = send(new MilterCommand.EndOfMessage(), "SMFIC_BODYEOB",
                    options.contentTimeout().toMillis(), true);
            return p.promise.future().map(reply -> {
                MilterOutcome o = decide(reply, false);
                if (state == State.ACCEPT_MESSAGE) {
                    state = State.READY; // the next transaction starts afresh, as after Postfix's end-of-message
                }
                return new MessageAnswer(o, o instanceof MilterOutcome.Continue || o instanceof MilterOutcome.Hold
                        ? List.copyOf(p.edits) : List.of(), leadingSpace);
            });
        });
    }

    /** SMFIC_ABORT: the transaction ended without end-of-message (or after it); no answer. */
    void abort() {
        if (state == State.ACCEPT_MESSAGE) {
            state = State.READY;
        }
        if (state == State.READY) {
            write(new MilterCommand.Abort());
        }
    }

    /** SMFIC_QUIT and close: the SMTP session ended. */
    void quit() {
        if (socket != null) {
            NetSocket s = socket;
            socket = null;
            s.write(Buffer.buffer(MilterCodec.encode(new MilterCommand.Quit()))).onComplete(ar -> s.close());
        }
        if (pending != null) {
            vertx.cancelTimer(pending.timer);
            pending = null;
        }
        stick(MilterOutcome.CONTINUE);
    }

    // ---- machinery

    private record Step(MilterCommand command, int stage, int noSend, int noReply, String event) {
    }

    private Future<MilterOutcome> content(List<Step> steps, int i) {
        if (i == steps.size()) {
            return Future.succeededFuture(MilterOutcome.CONTINUE);
        }
        Step s = steps.get(i);
        if (s.noSend() == MilterProtocol.NO_BODY && skipBody) {
            return content(steps, i + 1);
        }
        return eventStep(s.command(), s.stage(), s.noSend(), s.noReply(), s.event(), options.contentTimeout().toMillis(),
                false).compose(o -> o instanceof MilterOutcome.Continue && state == State.READY
                ? content(steps, i + 1) : Future.succeededFuture(o));
    }

    private Future<MilterOutcome> event(MilterCommand command, int stage, int noSend, int noReply,
                                        boolean connectionLevel) {
        return eventStep(command, stage, noSend, noReply, eventName(command), options.commandTimeout().toMillis(),
                connectionLevel);
    }

    private Future<MilterOutcome> eventStep(MilterCommand command, int stage, int noSend, int noReply, String event,
                                            long timeoutMillis, boolean connectionLevel) {
        if (state != State.READY) {
            return Future.succeededFuture(passive());
        }
        if ((noSend & unsupported) != 0) {
            return Future.succeededFuture(MilterOutcome.CONTINUE);
        }
        // macros go out even for an event the filter does not want (milter8_event)
        sendMacros(stage, command.code());
        if ((noSend & protocol) != 0) {
            return Future.succeededFuture(MilterOutcome.CONTINUE);
        }
        if ((noReply & protocol) != 0) {
            write(command);
            return Future.succeededFuture(MilterOutcome.CONTINUE);
        }
        return send(command, event, timeoutMillis, false).promise.future().map(r -> decide(r, connectionLevel));
    }

    /** What an event gets without asking the filter: after accept, nothing; after an error, the sticky answer. */
    private MilterOutcome passive() {
        return state == State.STICKY ? sticky : MilterOutcome.CONTINUE;
    }

    /** Postfix milter8_event's switch over the filter's decision. */
    private MilterOutcome decide(MilterReply reply, boolean connectionLevel) {
        if (reply == null) {
            return passive();
        }
        metrics.count(name(), action(reply));
        if (reply instanceof MilterReply.Continue || reply instanceof MilterReply.Skip) {
            if (reply instanceof MilterReply.Skip) {
                skipBody = true;
            }
            return passive();
        }
        if (reply instanceof MilterReply.Accept) {
            state = connectionLevel ? State.ACCEPT_CONNECTION : State.ACCEPT_MESSAGE;
            return MilterOutcome.CONTINUE;
        }
        if (reply instanceof MilterReply.Discard) {
            if (connectionLevel) {
                LOG.warnf("warning: milter %s: DISCARD action is not allowed for connect or helo", name());
                return MilterOutcome.CONTINUE;
            }
            state = State.ACCEPT_MESSAGE;
            return new MilterOutcome.Discard();
        }
        MilterOutcome outcome;
        if (reply instanceof MilterReply.Reject) {
            outcome = new MilterOutcome.Reject(Replies.MILTER_REJECT);
        } else if (reply instanceof MilterReply.Tempfail) {
            outcome = new MilterOutcome.Reject(Replies.MILTER_TEMPFAIL);
        } else if (reply instanceof MilterReply.ReplyCode c) {
            outcome = new MilterOutcome.Reject(c.reply());
        } else {
            outcome = new MilterOutcome.Shutdown();
            connectionLevel = true;
        }
        if (connectionLevel) {
            stick(outcome);
        }
        return outcome;
    }

    private void stick(MilterOutcome outcome) {
        state = State.STICKY;
        sticky = outcome;
    }

    private static String action(MilterReply reply) {
        String simple = reply.getClass().getSimpleName();
        return simple.equals("ReplyCode") ? (((MilterReply.ReplyCode) reply).reply().isTransient() ? "tempfail"
                : "reject") : simple.toLowerCase(java.util.Locale.ROOT);
    }

    private Future<Void> open() {
        if (state != State.NEW) {
            return Future.succeededFuture();
        }
        return net.connect(endpoint.port(), endpoint.host()).<Void>transform(ar -> {
            if (ar.failed()) {
                String why = ar.cause() instanceof java.net.ConnectException ? "Connection refused"
                        : String.valueOf(ar.cause().getMessage());
                LOG.warnf("warning: connect to Milter service %s: %s", name(), why);
                failed(options.defaultAction().communicationError);
                return Future.<Void>succeededFuture();
            }
            socket = ar.result();
            socket.handler(this::onData);
            socket.closeHandler(v -> {
                if (socket != null) {
                    socket = null;
                    communicationError("connection closed by the filter");
                }
            });
            socket.exceptionHandler(e -> communicationError(e.toString()));
            Pending p = send(new MilterCommand.OptNeg(options.version(), MilterProtocol.ALL_ACTIONS, options.steps()),
                    "SMFIC_OPTNEG", options.commandTimeout().toMillis(), false);
            return p.promise.future().<Void>map(reply -> {
                if (reply != null) {
                    negotiated((MilterReply.OptNeg) reply);
                }
                return null;
            });
        });
    }

    /** The filter's OPTNEG answer checked as milter8_connect checks it. */
    private void negotiated(MilterReply.OptNeg o) {
        if (o.version() > options.version() || o.version() < 2) {
            communicationError("protocol version " + o.version() + " conflict with MTA protocol version "
                    + options.version());
            return;
        }
        if ((o.actions() & MilterProtocol.ALL_ACTIONS) != o.actions()) {
            communicationError(String.format("request mask 0x%x conflict with MTA request mask 0x%x", o.actions(),
                    MilterProtocol.ALL_ACTIONS));
            return;
        }
        protocol = o.protocol();
        // DATA is no event before version 4 (ours or the filter's): never sent then (milter8.c's np_mask)
        unsupported = o.version() < 4 || options.version() < 4 ? MilterProtocol.NO_DATA : 0;
        o.macros().forEach((stage, names) -> {
            if (stage >= MilterProtocol.STAGE_CONNECT && stage <= MilterProtocol.STAGE_EOH) {
                macroOverrides.put(stage, MilterOptions.words(names));
            } else {
                LOG.warnf("warning: milter %s: ignoring unknown macro type %d", name(), stage);
            }
        });
        state = State.READY;
    }

    private void sendMacros(int stage, char code) {
        List<String> names = macroOverrides.getOrDefault(stage, options.macros().get(stage));
        Map<String, String> values = new LinkedHashMap<>();
        for (String n : names) {
            String v = macroValues.apply(n);
            if (v != null) {
                values.put(n, v);
            }
        }
        if (!values.isEmpty()) {
            write(new MilterCommand.Macros(code, values));
        }
    }

    private Pending send(MilterCommand command, String event, long timeoutMillis, boolean endOfMessage) {
        Pending p = new Pending(event, timeoutMillis, endOfMessage);
        pending = p;
        p.arm();
        write(command);
        return p;
    }

    private void write(MilterCommand command) {
        if (socket != null) {
            socket.write(Buffer.buffer(MilterCodec.encode(command))).onFailure(e ->
                    communicationError("write error: " + e.getMessage()));
        }
    }

    private void onData(Buffer data) {
        decoder.feed(data.getBytes());
        try {
            MilterFrameDecoder.Packet packet;
            while (socket != null && (packet = decoder.next()) != null) {
                onPacket(packet);
            }
        } catch (MalformedMilterPacketException e) {
            communicationError(e.getMessage());
        }
    }

    private void onPacket(MilterFrameDecoder.Packet packet) {
        Pending p = pending;
        if (p == null) {
            communicationError("unexpected packet while no event waits for an answer");
            return;
        }
        MilterReply reply;
        try {
            reply = MilterCodec.decodeReply(packet.code(), packet.data());
        } catch (MalformedMilterPacketException e) {
            if (packet.code() == 'y') {
                configurationError("malformed reply: " + e.getMessage());
            } else {
                communicationError(e.getMessage());
            }
            return;
        }
        if (reply instanceof MilterReply.OptNeg) {
            if (!p.event.equals("SMFIC_OPTNEG")) {
                communicationError("unexpected filter response SMFIC_OPTNEG after event " + p.event);
                return;
            }
            complete(p, reply);
        } else if (p.event.equals("SMFIC_OPTNEG")) {
            communicationError("unexpected reply \"" + reply.code() + "\" in initial handshake");
        } else if (reply instanceof MilterReply.Progress) {
            p.arm();
        } else if (reply instanceof MilterReply.Quarantine q) {
            // not a decision; the message goes to hold whatever else the filter says (milter8.c)
            metrics.count(name(), "quarantine");
            stick(new MilterOutcome.Hold(q.reason().length() > 100 ? q.reason().substring(0, 100) : q.reason()));
        } else if (reply instanceof MilterReply.Edit edit) {
            edit(p, edit);
        } else {
            complete(p, reply);
        }
    }

    /** An edit at end-of-message, checked as milter8.c checks it; anywhere else it is a protocol error. */
    private void edit(Pending p, MilterReply.Edit edit) {
        if (!p.endOfMessage) {
            communicationError("unexpected filter response " + edit.code() + " after event " + p.event);
            return;
        }
        if (edit instanceof MilterReply.ChangeHeader c && (c.index() < 0 || c.name().isEmpty())) {
            configurationError(c.name().isEmpty() ? "null change header name" : "bad change header index: "
                    + Integer.toUnsignedString(c.index()));
            return;
        }
        if (edit instanceof MilterReply.InsertHeader i && i.index() < 0) {
            configurationError("bad insert header index: " + Integer.toUnsignedString(i.index()));
            return;
        }
        if (edit instanceof MilterReply.ReplaceBody) {
            if (p.otherEditAfterBody) {
                configurationError("body replacement requests can't currently be mixed with other requests");
                return;
            }
            p.bodyReplaced = true;
        } else if (p.bodyReplaced) {
            p.otherEditAfterBody = true;
        }
        p.edits.add(edit);
    }

    private void complete(Pending p, MilterReply reply) {
        vertx.cancelTimer(p.timer);
        if (pending == p) {
            pending = null;
        }
        p.promise.tryComplete(reply);
    }

    /** milter8_comm_error: the connection is useless; this and every later event get the default action. */
    private void communicationError(String why) {
        if (state == State.STICKY && sticky != null && socket == null && pending == null) {
            return;
        }
        LOG.warnf("warning: milter %s: %s", name(), why);
        failed(options.defaultAction().communicationError);
    }

    /** milter8_conf_error: the filter asked for something we cannot do. */
    private void configurationError(String why) {
        LOG.warnf("warning: milter %s: %s", name(), why);
        failed(options.defaultAction().configurationError);
    }

    private void failed(MilterOutcome outcome) {
        metrics.count(name(), "error");
        stick(outcome);
        NetSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
        Pending p = pending;
        pending = null;
        if (p != null) {
            vertx.cancelTimer(p.timer);
            p.promise.tryComplete(null);
        }
    }

    private static String eventName(MilterCommand command) {
        return switch (command.code()) {
            case 'C' -> "SMFIC_CONNECT";
            case 'H' -> "SMFIC_HELO";
            case 'M' -> "SMFIC_MAIL";
            case 'R' -> "SMFIC_RCPT";
            case 'T' -> "SMFIC_DATA";
            default -> "event " + command.code();
        };
    }
}
