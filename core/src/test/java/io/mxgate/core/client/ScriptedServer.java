package io.mxgate.core.client;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.parsetools.RecordParser;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small hand-written SMTP server for client tests: it answers each command line with what {@code responder}
 * returns for it (null: the default reply), takes DATA, and does STARTTLS for real when given a certificate.
 * Every line it received is recorded.
 */
final class ScriptedServer implements AutoCloseable {

    final List<String> received = new CopyOnWriteArrayList<>();
    /** Keeps the replies to MAIL and RCPT back until DATA arrives: only a client that pipelines DATA gets them. */
    volatile boolean holdRepliesUntilData;
    private final NetServer server;

    ScriptedServer(Vertx vertx, String ehlo, Function<String, String> responder, String certFile, String keyFile)
            throws Exception {
        NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(0);
        if (certFile != null) {
            options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
        }
        server = vertx.createNetServer(options).connectHandler(socket -> session(socket, ehlo, responder));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    private void session(NetSocket socket, String ehlo, Function<String, String> responder) {
        boolean[] data = {false};
        StringBuilder[] held = {holdRepliesUntilData ? new StringBuilder() : null};
        java.util.function.Consumer<String> out = text -> {
            if (held[0] != null) {
                held[0].append(text);
            } else {
                socket.write(text);
            }
        };
        RecordParser parser = RecordParser.newDelimited("\r\n");
        parser.handler(buffer -> {
            String line = buffer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            received.add(line);
            if (data[0]) {
                if (line.equals(".")) {
                    data[0] = false;
                    reply(socket, responder, ".", "250 2.0.0 Ok: queued");
                }
                return;
            }
            String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
            switch (verb) {
                case "EHLO", "LHLO" -> reply(socket, responder, line, ehlo);
                case "MAIL" -> reply(out, responder, line, "250 2.1.0 Ok");
                case "RCPT" -> reply(out, responder, line, "250 2.1.5 Ok");
                case "DATA" -> {
                    if (held[0] != null) {
                        socket.write(held[0].toString());
                        held[0] = null;
                    }
                    String r = answer(responder, line, "354 End data with <CR><LF>.<CR><LF>");
                    data[0] = r.startsWith("354");
                    socket.write(r + "\r\n");
                }
                case "STARTTLS" -> {
                    String r = answer(responder, line, "220 2.0.0 Ready to start TLS");
                    socket.write(r + "\r\n");
                    if (r.startsWith("220")) {
                        socket.upgradeToSsl();
                    }
                }
                case "RSET" -> reply(socket, responder, line, "250 2.0.0 Ok");
                case "QUIT" -> {
                    socket.write("221 2.0.0 Bye\r\n");
                    socket.close();
                }
                default -> reply(socket, responder, line, "502 5.5.2 Error: command not recognized");
            }
        });
        socket.handler(parser);
        socket.write("220 scripted ESMTP\r\n");
    }

    private static String answer(Function<String, String> responder, String line, String fallback) {
        String r = responder.apply(line);
        return r != null ? r : fallback;
    }

    private static void reply(NetSocket socket, Function<String, String> responder, String line, String fallback) {
        reply(text -> socket.write(text), responder, line, fallback);
    }

    private static void reply(java.util.function.Consumer<String> out, Function<String, String> responder, String line,
                              String fallback) {
        out.accept(answer(responder, line, fallback) + "\r\n");
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
