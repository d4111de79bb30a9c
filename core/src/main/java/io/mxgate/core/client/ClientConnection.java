package io.mxgate.core.client;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dns.InetProtocols;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.ReplyParser;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One SMTP or LMTP client conversation, as a state machine on a Vert.x socket (Postfix's smtp(8) is one program for
 * both). Commands are pipelined when the server offers PIPELINING; every awaited reply has the timeout of its
 * state; a reply longer than {@value #MAX_LINE} bytes per line or {@value ReplyParser#MAX_LINES} lines is a protocol
 * error. In LMTP mode the server answers once per accepted recipient after the final dot (RFC 2033).
 *
 * <p>Every method may be called from any thread; the work runs on the connection's event-loop context. Failures
 * arrive as {@link ClientException} with Postfix's wording.
 */
public final class ClientConnection {

    static final int MAX_LINE = 8192;

    private record Pending(Promise<Reply> promise, ClientState state) {
    }

    private final Vertx vertx;
    private final Context context;
    private final NetSocket socket;
    private final ClientProtocol protocol;
    private final ClientTimeouts timeouts;
    private final String relay;
    private final String peer;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ReplyParser replyParser = new ReplyParser();
    private final StringBuilder line = new StringBuilder();
    private Map<String, String> extensions = Map.of();
    private boolean encrypted;
    private long timer = -1;
    private boolean broken;
    private ClientException failure;

    private ClientConnection(Vertx vertx, Context context, NetSocket socket, ClientProtocol protocol,
                             ClientTimeouts timeouts, String peer, int port) {
        this.vertx = vertx;
        this.context = context;
        this.socket = socket;
        this.protocol = protocol;
        this.timeouts = timeouts;
        this.peer = peer;
        this.relay = peer + ":" + port;
        socket.handler(this::onData);
        socket.closeHandler(v -> fail(new ClientException(ClientException.Kind.CONNECTION_LOST, headState(),
                "lost connection with " + peer + " while " + headState().during())));
        socket.exceptionHandler(e -> socket.close());
    }

    /** Connects, reads the greeting and says LHLO/EHLO; fails with a ClientException unless all of it went well. */
    public static Future<ClientConnection> open(Vertx vertx, NetClient netClient, ClientProtocol protocol,
                                                ClientTimeouts timeouts, String heloName, String host, int port) {
        return open(vertx, netClient, protocol, timeouts, heloName, host, host, port, TlsRequirement.NONE);
    }

    /**
     * Connects to {@code address} (a name Vert.x resolves, or an IP address), calls the server {@code name} in logs
     * and DSN texts ({@code name[ip]}), reads the greeting, says LHLO/EHLO and, from {@link ClientTls#MAY} up,
     * starts TLS when the server offers it (SMTP only) and says EHLO again. With {@code MAY} a failed TLS handshake
     * is followed by one plaintext attempt on a new connection, as Postfix does at
     * {@code smtp_tls_security_level = may}; from {@code ENCRYPT} up nothing is ever sent in plaintext after EHLO,
     * and at {@code VERIFY}/{@code SECURE} the conversation ends (QUIT) unless the certificate is trusted and
     * matches. The NetClient must have been created with SSL options for STARTTLS: see {@link #netClientOptions}.
     */
    public static Future<ClientConnection> open(Vertx vertx, NetClient netClient, ClientProtocol protocol,
                                                ClientTimeouts timeouts, String heloName, String name,
                                                String address, int port, TlsRequirement tls) {
        TlsRequirement effective = protocol == ClientProtocol.LMTP ? TlsRequirement.NONE : tls;
        Supplier<Future<ClientConnection>> attempt = () -> {
            Future<ClientConnection> first = connect(vertx, netClient, protocol, timeouts, heloName, name, address,
                    port, effective);
            if (effective.level() != ClientTls.MAY) {
                return first;
            }
            return first.recover(e -> e instanceof ClientException c && c.state() == ClientState.STARTTLS
                    && c.kind() != ClientException.Kind.TIMEOUT
                    ? connect(vertx, netClient, protocol, timeouts, heloName, name, address, port,
                    TlsRequirement.NONE)
                    : Future.failedFuture(e));
        };
        // The conversation must start on the event loop that will own the socket: called from any other thread,
        // the connect could complete before the handlers are attached, and the greeting would be read by nobody.
        if (Vertx.currentContext() != null) {
            return attempt.get();
        }
        Promise<ClientConnection> p = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> attempt.get().onComplete(p));
        return p.future();
    }

    /**
     * Options for a NetClient whose connections may start TLS: the handshake itself accepts any certificate, which
     * is what opportunistic TLS means (Postfix's {@code may} level: encryption against passive eavesdropping only);
     * at {@code verify} and {@code secure} the chain and names are checked after the handshake
     * ({@link TlsRequirement#problem}), as Postfix's TLS engine completes the handshake and then decides.
     */
    public static io.vertx.core.net.NetClientOptions netClientOptions(ClientTimeouts timeouts) {
        return new io.vertx.core.net.NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
                .setTcpNoDelay(true)
                .setTrustAll(true)
                .setHostnameVerificationAlgorithm("");
    }

    private static Future<ClientConnection> connect(Vertx vertx, NetClient netClient, ClientProtocol protocol,
                                                    ClientTimeouts timeouts, String heloName, String name,
                                                    String address, int port, TlsRequirement tls) {
        String target = name + "[" + address + "]:" + port;
        return netClient.connect(port, address)
                .recover(e -> Future.failedFuture(new ClientException(ClientException.Kind.CONNECT_FAILED,
                        ClientState.CONNECT, "connect to " + target + ": " + describe(e))))
                .compose(socket -> {
                    String ip = InetProtocols.printable(socket.remoteAddress().hostAddress());
                    ClientConnection c = new ClientConnection(vertx, Vertx.currentContext(), socket, protocol,
                            timeouts, name + "[" + ip + "]", port);
                    return c.expect(ClientState.GREETING)
                            .compose(greeting -> greeting.code() == 220 ? c.hello(heloName)
                                    : c.refuse("host " + c.peer + " refused to talk to me: " + greeting.oneLine()))
                            .compose(v -> c.startTls(heloName, tls))
                            .map(c)
                            .onFailure(e -> c.close());
                });
    }

    /**
     * STARTTLS when offered (and wanted), then EHLO again: the extensions seen in plaintext are discarded, as RFC
     * 3207 requires. Not offered: fine at {@code may}, a failure from {@code encrypt} up (4.7.4). Refused with an
     * error reply: plaintext at {@code may} (Postfix continues the session), a failure from {@code encrypt} up. A
     * failed handshake: a failure in state STARTTLS (at {@code may} the caller retries in plaintext; above it, 4.7.5
     * "Cannot start TLS: handshake failure"). A certificate that is not trusted or does not match at {@code verify}
     * or {@code secure}: QUIT, and 4.7.5 "Server certificate not verified" (smtp_proto.c's words) in state HELLO,
     * so that the next server is tried and nothing is sent to this one.
     */
    private Future<Void> startTls(String heloName, TlsRequirement tls) {
        ClientTls level = tls.level();
        if (level == ClientTls.NONE) {
            return Future.succeededFuture();
        }
        if (!supports("STARTTLS")) {
            return level.requiresTls() ? refuse(EnhancedStatus.of(4, 7, 4),
                    "TLS is required, but was not offered by host " + peer) : Future.succeededFuture();
        }
        return command(ClientState.STARTTLS, "STARTTLS").compose(reply -> {
            if (reply.code() != 220) {
                return level.requiresTls()
                        ? refuse(null, "TLS is required, but host " + peer + " refused to start TLS: " + reply.oneLine())
                        : Future.succeededFuture();
            }
            return socket.upgradeToSsl()
                    .recover(e -> {
                        String detail = "TLS handshake with " + peer + " failed: " + describe(e);
                        return Future.failedFuture(level.requiresTls()
                                ? new ClientException(ClientException.Kind.PROTOCOL_ERROR, ClientState.STARTTLS,
                                EnhancedStatus.of(4, 7, 5), "Cannot start TLS: handshake failure", detail)
                                : new ClientException(ClientException.Kind.PROTOCOL_ERROR, ClientState.STARTTLS, detail));
                    })
                    .compose(v -> {
                        encrypted = true;
                        extensions = Map.of();
                        if (level.verifies()) {
                            String problem = certificateProblem(tls);
                            if (problem != null) {
                                quit();
                                return Future.failedFuture(new ClientException(ClientException.Kind.PROTOCOL_ERROR,
                                        ClientState.HELLO, EnhancedStatus.of(4, 7, 5),
                                        "Server certificate not verified",
                                        "certificate verification failed for " + relay + ": " + problem));
                            }
                        }
                        return hello(heloName);
                    });
        });
    }

    private String certificateProblem(TlsRequirement tls) {
        try {
            return tls.problem(socket.peerCertificates());
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "no certificate presented";
        }
    }

    /** The OS's words for a failed connect ("Connection refused"), without Netty's address suffix. */
    private static String describe(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int suffix = m.indexOf(": /");
        return suffix >= 0 ? m.substring(0, suffix) : m;
    }

    private Future<Void> hello(String heloName) {
        return command(ClientState.HELLO, protocol.helloVerb() + " " + heloName).compose(reply -> {
            if (reply.code() != 250) {
                return refuse("host " + peer + " refused to talk to me: " + reply.oneLine());
            }
            Map<String, String> ext = new java.util.HashMap<>();
            for (String l : reply.lines().subList(1, reply.lines().size())) {
                String[] words = l.strip().split("[ =]", 2);
                if (!words[0].isEmpty()) {
                    ext.put(words[0].toUpperCase(Locale.ROOT), words.length > 1 ? words[1].strip() : "");
                }
            }
            extensions = Map.copyOf(ext);
            return Future.succeededFuture();
        });
    }

    private <T> Future<T> refuse(String message) {
        return refuse(null, message);
    }

    private <T> Future<T> refuse(EnhancedStatus dsn, String message) {
        return Future.failedFuture(new ClientException(ClientException.Kind.PROTOCOL_ERROR, ClientState.HELLO, dsn,
                message));
    }

    /** {@code host[address]}, as Postfix names the server in DSN texts ({@code host h[a] said: ...}). */
    public String peer() {
        return peer;
    }

    /** {@code host[address]:port}, Postfix's {@code relay=} field. */
    public String relay() {
        return relay;
    }

    public boolean supports(String extension) {
        return extensions.containsKey(extension);
    }

    /** The parameters an EHLO keyword came with ({@code SIZE 10240000} gives "10240000"), or null if not offered. */
    public String extension(String keyword) {
        return extensions.get(keyword);
    }

    /** True once STARTTLS succeeded on this connection. */
    public boolean isEncrypted() {
        return encrypted;
    }

    /** True while the conversation is in a clean state where another transaction may start. */
    public boolean isReusable() {
        return !broken;
    }

    /**
     * One mail transaction: MAIL, RCPT for each recipient, DATA, the dot-stuffed content, and the final reply (one
     * per accepted recipient in LMTP). Every recipient gets exactly one outcome. A rejected MAIL or DATA becomes
     * every concerned recipient's outcome; a transport failure fails the future, and the caller must treat every
     * recipient without an outcome as not delivered.
     */
    public Future<List<RecipientOutcome>> deliver(MailAddress sender, List<MailAddress> recipients, long size,
                                                  byte[] content, int length) {
        boolean eightBit = supports("8BITMIME") && hasEightBit(content, length);
        return onContext(() -> {
            Sent sent = envelope(sender, recipients, size, eightBit, true);
            return sent.envelope().compose(envelope -> {
                if (envelope.accepted().isEmpty()) {
                    return sent.data() == null ? resetAfter(envelope.outcomes()) : afterRefusedData(sent.data(), envelope);
                }
                Future<Reply> data = sent.data() != null ? sent.data() : command(ClientState.DATA, "DATA");
                return data.compose(dataReply -> {
                    if (dataReply.code() != 354) {
                        return resetAfter(replaceAccepted(envelope, dataReply, ClientState.DATA));
                    }
                    socket.write(dotStuffed(content, length));
                    return finalReplies(envelope);
                });
            });
        });
    }

    /**
     * Every recipient was refused but DATA was already pipelined. A server that still says 354 waits for content
     * that cannot be taken back in step, so the connection is dropped rather than reused.
     */
    private Future<List<RecipientOutcome>> afterRefusedData(Future<Reply> data, EnvelopeResult envelope) {
        return data.compose(reply -> {
            if (reply.code() == 354) {
                broken = true;
                socket.close();
                return Future.succeededFuture(envelope.outcomes());
            }
            return resetAfter(envelope.outcomes());
        });
    }

    /**
     * An address probe as Postfix's verify(8) makes it: MAIL, RCPT, then RSET, never DATA. The outcome is what the
     * server said to RCPT (or to MAIL when that failed).
     */
    public Future<List<RecipientOutcome>> probe(MailAddress sender, List<MailAddress> recipients) {
        return onContext(() -> envelope(sender, recipients, -1, false, false).envelope()
                .compose(e -> resetAfter(e.outcomes())));
    }

    public Future<Void> quit() {
        return onContext(() -> {
            broken = true;
            return command(ClientState.QUIT, "QUIT").<Void>mapEmpty().eventually(() -> {
                socket.close();
                return Future.succeededFuture();
            });
        });
    }

    public void close() {
        broken = true;
        context.runOnContext(v -> socket.close());
    }

    private record EnvelopeResult(List<RecipientOutcome> outcomes, List<MailAddress> accepted) {
    }

    /** True when the content has a byte above 127: MAIL FROM then declares BODY=8BITMIME (RFC 6152). */
    static boolean hasEightBit(byte[] content, int length) {
        for (int i = 0; i < length; i++) {
            if (content[i] < 0) {
                return true;
            }
        }
        return false;
    }

    /** The replies to a sent envelope; {@code data} is DATA's when it went in the same pipelined group, else null. */
    private record Sent(Future<EnvelopeResult> envelope, Future<Reply> data) {
    }

    /**
     * MAIL and the RCPTs. With PIPELINING they go in one write, and {@code withData} ends the group with DATA
     * (RFC 2920), so a transaction costs the server one read and one round trip less.
     */
    private Sent envelope(MailAddress sender, List<MailAddress> recipients, long size, boolean eightBit,
                          boolean withData) {
        if (broken) {
            return new Sent(Future.failedFuture(failure != null ? failure : new ClientException(
                    ClientException.Kind.CONNECTION_LOST, ClientState.MAIL, "connection to " + peer + " is closed")),
                    null);
        }
        String mail = "MAIL FROM:" + sender.bracketed() + (size >= 0 && supports("SIZE") ? " SIZE=" + size : "")
                + (eightBit ? " BODY=8BITMIME" : "");
        List<Future<Reply>> rcptReplies = new ArrayList<>(recipients.size());
        Future<Reply> mailReply;
        Future<Reply> dataReply = null;
        if (supports("PIPELINING")) {
            StringBuilder group = new StringBuilder(mail).append("\r\n");
            mailReply = expect(ClientState.MAIL);
            for (MailAddress r : recipients) {
                group.append("RCPT TO:").append(r.bracketed()).append("\r\n");
                rcptReplies.add(expect(ClientState.RCPT));
            }
            if (withData) {
                group.append("DATA\r\n");
                dataReply = expect(ClientState.DATA);
            }
            socket.write(group.toString());
        } else {
            mailReply = command(ClientState.MAIL, mail);
            Future<Reply> previous = mailReply;
            for (MailAddress r : recipients) {
                previous = previous.compose(x -> command(ClientState.RCPT, "RCPT TO:" + r.bracketed()));
                rcptReplies.add(previous);
            }
        }
        return new Sent(outcomes(recipients, mailReply, rcptReplies), dataReply);
    }

    private static Future<EnvelopeResult> outcomes(List<MailAddress> recipients, Future<Reply> mailReply,
                                                   List<Future<Reply>> rcptReplies) {
        return Future.join(new ArrayList<Future<?>>(rcptReplies)).transform(ar -> mailReply.transform(mr -> {
            if (mr.failed()) {
                return Future.failedFuture(mr.cause());
            }
            List<RecipientOutcome> outcomes = new ArrayList<>(recipients.size());
            List<MailAddress> accepted = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) {
                MailAddress r = recipients.get(i);
                if (!mr.result().isPositive()) {
                    outcomes.add(new RecipientOutcome(r, mr.result(), ClientState.MAIL));
                    continue;
                }
                Future<Reply> f = rcptReplies.get(i);
                if (f.failed()) {
                    return Future.failedFuture(f.cause());
                }
                outcomes.add(new RecipientOutcome(r, f.result(), ClientState.RCPT));
                if (f.result().isPositive()) {
                    accepted.add(r);
                }
            }
            return Future.succeededFuture(new EnvelopeResult(outcomes, accepted));
        }));
    }

    private static List<RecipientOutcome> replaceAccepted(EnvelopeResult e, Reply reply, ClientState state) {
        List<RecipientOutcome> out = new ArrayList<>(e.outcomes().size());
        for (RecipientOutcome o : e.outcomes()) {
            out.add(o.reply().isPositive() ? new RecipientOutcome(o.recipient(), reply, state) : o);
        }
        return out;
    }

    private Future<List<RecipientOutcome>> finalReplies(EnvelopeResult e) {
        if (protocol == ClientProtocol.SMTP) {
            return expect(ClientState.DOT).map(reply -> replaceAccepted(e, reply, ClientState.DOT));
        }
        List<Future<Reply>> replies = new ArrayList<>(e.accepted().size());
        for (int i = 0; i < e.accepted().size(); i++) {
            replies.add(expect(ClientState.DOT));
        }
        return Future.all(new ArrayList<Future<?>>(replies)).map(x -> {
            List<RecipientOutcome> out = new ArrayList<>(e.outcomes().size());
            int next = 0;
            for (RecipientOutcome o : e.outcomes()) {
                out.add(o.reply().isPositive()
                        ? new RecipientOutcome(o.recipient(), replies.get(next++).result(), ClientState.DOT) : o);
            }
            return out;
        });
    }

    /** RSET after a transaction that did not reach DATA's end, so the connection can be reused. */
    private Future<List<RecipientOutcome>> resetAfter(List<RecipientOutcome> outcomes) {
        return command(ClientState.RSET, "RSET").transform(ar -> {
            if (ar.failed() || ar.result().code() != 250) {
                broken = true;
                socket.close();
            }
            return Future.succeededFuture(outcomes);
        });
    }

    /**
     * Dot-stuffs CRLF-terminated content and appends the end-of-data line. Copies runs between leading dots, not
     * line by line: most messages have no line starting with a dot and are copied in one piece.
     */
    static Buffer dotStuffed(byte[] content, int length) {
        Buffer out = Buffer.buffer(length + 16);
        int runStart = 0;
        for (int i = 0; i < length; i++) {
            if (content[i] == '.' && (i == 0 || content[i - 1] == '\n')) {
                out.appendBytes(content, runStart, i - runStart).appendByte((byte) '.');
                runStart = i;
            }
        }
        out.appendBytes(content, runStart, length - runStart);
        if (length > 0 && content[length - 1] != '\n') {
            out.appendString("\r\n");
        }
        return out.appendString(".\r\n");
    }

    private Future<Reply> command(ClientState state, String text) {
        Future<Reply> reply = expect(state);
        socket.write(text + "\r\n");
        return reply;
    }

    private Future<Reply> expect(ClientState state) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        Promise<Reply> p = Promise.promise();
        pending.add(new Pending(p, state));
        if (pending.size() == 1) {
            armTimer();
        }
        return p.future();
    }

    private void armTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        Pending head = pending.peek();
        if (head != null) {
            timer = vertx.setTimer(timeouts.forState(head.state()).toMillis(), id -> {
                timer = -1;
                fail(new ClientException(ClientException.Kind.TIMEOUT, head.state(),
                        "conversation with " + peer + " timed out while " + head.state().during()));
                socket.close();
            });
        }
    }

    private ClientState headState() {
        Pending head = pending.peek();
        return head == null ? ClientState.QUIT : head.state();
    }

    private void onData(Buffer data) {
        byte[] bytes = data.getBytes();
        for (byte b : bytes) {
            if (failure != null) {
                return;
            }
            if (b == '\n') {
                int len = line.length();
                String text = len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
                line.setLength(0);
                onLine(text);
            } else if (line.length() >= MAX_LINE) {
                protocolError("reply line longer than " + MAX_LINE + " bytes");
            } else {
                line.append((char) (b & 0xff));
            }
        }
    }

    private void onLine(String text) {
        Reply reply;
        try {
            reply = replyParser.accept(text);
        } catch (ReplyParser.MalformedReplyException e) {
            protocolError(e.getMessage());
            return;
        }
        if (reply == null) {
            return;
        }
        Pending head = pending.poll();
        if (head == null) {
            protocolError("unexpected reply " + reply.oneLine());
            return;
        }
        armTimer();
        head.promise().complete(reply);
    }

    private void protocolError(String detail) {
        fail(new ClientException(ClientException.Kind.PROTOCOL_ERROR, headState(),
                "conversation with " + peer + " failed while " + headState().during() + ": " + detail));
        socket.close();
    }

    private void fail(ClientException e) {
        broken = true;
        if (failure == null) {
            failure = e;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        Pending p;
        while ((p = pending.poll()) != null) {
            p.promise().tryFail(failure);
        }
    }

    private <T> Future<T> onContext(Supplier<Future<T>> work) {
        if (Vertx.currentContext() == context) {
            return work.get();
        }
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> work.get().onComplete(p));
        return p.future();
    }
}
