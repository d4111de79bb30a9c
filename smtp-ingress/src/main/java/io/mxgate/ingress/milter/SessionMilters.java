package io.mxgate.ingress.milter;

import io.mxgate.core.milter.MilterMessage;
import io.mxgate.core.milter.MilterReply;
import io.mxgate.core.smtp.Replies;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The filters of one SMTP session, in {@code smtpd_milters} order, as Postfix's milter.c chains them: each event
 * goes to the first filter, then the next, until one says something other than continue, which is the answer.
 * At end-of-message each filter sees the message as the filters before it left it (Postfix edits its queue file
 * between them); envelope changes are collected for the session, which checks added recipients as if the client
 * had sent them.
 */
public final class SessionMilters {

    /** A sender or recipient change, and the filter that asked for it (for the log). */
    public record EnvelopeEdit(String milter, MilterReply.Edit edit) {
    }

    /**
     * The end-of-message verdict: the outcome, the filter that gave it (null when all continued), the message with
     * every header and body change applied, and the envelope changes in order.
     */
    public record MessageResult(MilterOutcome outcome, String milter, MilterMessage message,
                                List<EnvelopeEdit> envelope) {
    }

    private static final Logger LOG = Logger.getLogger("smtpd");
    /** What a bug of ours in the milter code means: try again later, never an accept. */
    private static final MilterOutcome INTERNAL_ERROR = new MilterOutcome.Reject(Replies.MILTER_TEMPFAIL);

    private final List<MilterClient> clients;

    SessionMilters(List<MilterClient> clients) {
        this.clients = clients;
    }

    public Future<MilterOutcome> connect(String hostname, char family, int port, String address) {
        return each(c -> c.connect(hostname, family, port, address));
    }

    public Future<MilterOutcome> helo(String name) {
        return each(c -> c.helo(name));
    }

    public Future<MilterOutcome> mail(List<String> args) {
        return each(c -> c.mail(args));
    }

    public Future<MilterOutcome> rcpt(List<String> args) {
        return each(c -> c.rcpt(args));
    }

    public Future<MilterOutcome> data() {
        return each(MilterClient::data);
    }

    public Future<MessageResult> message(MilterMessage message) {
        return message(message, 0, new ArrayList<>()).otherwise(e -> {
            LOG.error("warning: milter end-of-message failed", e);
            return new MessageResult(INTERNAL_ERROR, null, message, List.of());
        });
    }

    /** The transaction ended before its end-of-message (RSET, HELO, a refused DATA, ...). */
    public void abort() {
        clients.forEach(MilterClient::abort);
    }

    /** The session ended. */
    public void quit() {
        clients.forEach(MilterClient::quit);
    }

    private Future<MilterOutcome> each(Function<MilterClient, Future<MilterOutcome>> event) {
        return chain(event, 0).otherwise(e -> {
            LOG.error("warning: milter event failed", e);
            return INTERNAL_ERROR;
        });
    }

    private Future<MilterOutcome> chain(Function<MilterClient, Future<MilterOutcome>> event, int i) {
        if (i == clients.size()) {
            return Future.succeededFuture(MilterOutcome.CONTINUE);
        }
        return event.apply(clients.get(i)).compose(o -> o instanceof MilterOutcome.Continue ? chain(event, i + 1)
                : Future.succeededFuture(o));
    }

    private Future<MessageResult> message(MilterMessage message, int i, List<EnvelopeEdit> envelope) {
        if (i == clients.size()) {
            return Future.succeededFuture(new MessageResult(MilterOutcome.CONTINUE, null, message, envelope));
        }
        MilterClient client = clients.get(i);
        return client.message(message).compose(answer -> {
            byte[] newBody = null;
            for (MilterReply.Edit edit : answer.edits()) {
                boolean space = answer.leadingSpace();
                if (edit instanceof MilterReply.AddHeader h) {
                    message.addHeader(h.name(), h.value(), space);
                } else if (edit instanceof MilterReply.InsertHeader h) {
                    message.insertHeader(h.index(), h.name(), h.value(), space);
                } else if (edit instanceof MilterReply.ChangeHeader h) {
                    message.changeHeader(h.index(), h.name(), h.value(), space);
                } else if (edit instanceof MilterReply.ReplaceBody b) {
                    newBody = newBody == null ? b.chunk() : concat(newBody, b.chunk());
                } else {
                    envelope.add(new EnvelopeEdit(client.name(), edit));
                }
            }
            if (newBody != null) {
                message.replaceBody(newBody);
            }
            return answer.outcome() instanceof MilterOutcome.Continue ? message(message, i + 1, envelope)
                    : Future.succeededFuture(new MessageResult(answer.outcome(), client.name(), message, envelope));
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
