package io.mxgate.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LMTP server that misbehaves on purpose, chosen by the first recipient's local part: {@code garbage@} answers
 * the final dot with bytes that are no reply, {@code hang@} never answers it, {@code close@} closes the connection
 * in the middle of its reply, {@code slow@} gets its 250s only after {@link #slowReply} (so that a test can stop the
 * client while the final dot waits for its reply); anyone else gets 250 at once. A message answered 250 counts as
 * delivered, per its {@code Subject:} line ({@link #deliveries}). RCPT is always accepted, so address probes pass.
 * {@link #refuse} makes the next connections get a 421 greeting, as a backend at its process limit does.
 * Listens on 127.0.0.1 only, one thread per connection, until closed.
 */
public final class FaultyLmtpServer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    private final Duration slowReply;
    private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private final AtomicInteger slowPending = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    public FaultyLmtpServer() {
        this(Duration.ofSeconds(3));
    }

    /** @param slowReply how long {@code slow@} waits after the final dot before its replies */
    public FaultyLmtpServer(Duration slowReply) {
        this.slowReply = slowReply;
        try {
            server = new ServerSocket(Ports.free(), 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::accept, "faulty-lmtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** How many times a message with this {@code Subject:} was answered 250 (its recipients' replies all written). */
    public int deliveries(String subject) {
        AtomicInteger n = delivered.get(subject);
        return n == null ? 0 : n.get();
    }

    /** The next {@code connections} connections are greeted with 421 and closed; a new call replaces the count. */
    public void refuse(int connections) {
        refusals.set(connections);
    }

    /** Final dots of {@code slow@} messages still waiting for their replies. */
    public int slowPending() {
        return slowPending.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (sockets) {
                    sockets.add(s);
                }
                Thread t = new Thread(() -> serve(s), "faulty-lmtp-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
             OutputStream out = s.getOutputStream()) {
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                write(out, "421 4.3.2 Service not available, closing transmission channel\r\n");
                return;
            }
            write(out, "220 faulty LMTP\r\n");
            List<String> rcpts = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
                switch (verb) {
                    case "LHLO" -> write(out, "250-faulty\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
                    case "MAIL" -> {
                        rcpts.clear();
                        write(out, "250 2.1.0 OK\r\n");
                    }
                    case "RCPT" -> {
                        rcpts.add(line.substring(line.indexOf('<') + 1, line.indexOf('@')).toLowerCase(Locale.ROOT));
                        write(out, "250 2.1.5 OK\r\n");
                    }
                    case "DATA" -> {
                        write(out, "354 go ahead\r\n");
                        String subject = "";
                        for (String body; (body = in.readLine()) != null && !body.equals("."); ) {
                            if (subject.isEmpty() && body.startsWith("Subject: ")) {
                                subject = body.substring("Subject: ".length());
                            }
                        }
                        String mode = rcpts.isEmpty() ? "" : rcpts.get(0);
                        switch (mode) {
                            case "garbage" -> write(out, "\u0000\u0001 this is no reply\r\n");
                            case "hang" -> Thread.sleep(Long.MAX_VALUE);
                            case "close" -> {
                                write(out, "250 2.0.0 sav");
                                return;
                            }
                            case "slow" -> {
                                slowPending.incrementAndGet();
                                try {
                                    Thread.sleep(slowReply.toMillis());
                                } finally {
                                    slowPending.decrementAndGet();
                                }
                                saved(out, rcpts.size(), subject);
                            }
                            default -> saved(out, rcpts.size(), subject);
                        }
                    }
                    case "RSET" -> write(out, "250 2.0.0 OK\r\n");
                    case "QUIT" -> {
                        write(out, "221 2.0.0 bye\r\n");
                        return;
                    }
                    default -> write(out, "500 5.5.2 what\r\n");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away, or we were closed
        }
    }

    private void saved(OutputStream out, int recipients, String subject) throws IOException {
        for (int i = 0; i < recipients; i++) {
            write(out, "250 2.0.0 saved\r\n");
        }
        delivered.computeIfAbsent(subject, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
