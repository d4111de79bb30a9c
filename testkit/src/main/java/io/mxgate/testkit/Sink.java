package io.mxgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink as a real SMTP peer (dev/sink.sh): it accepts everything and keeps each message in a file
 * with {@code X-Mail-Args:} and {@code X-Rcpt-Args:} lines in front, so a test can count what arrived, per
 * recipient, exactly. Can be stopped and started again on the same address to play a server that is down. An IPv6
 * address ({@code ::1}) listens there only. {@link #startTls} is a peer that offers STARTTLS with a given
 * certificate instead (aiosmtpd, dev/tls-sink.sh), whose files also say {@code X-TLS: yes} or {@code no}.
 */
public final class Sink implements AutoCloseable {

    private static final Pattern RCPT = Pattern.compile("^X-Rcpt-Args: <([^>]*)>", Pattern.MULTILINE);

    private final String script;
    private final Path dir;
    private final String address;
    private final int port;
    private final List<String> options;
    private boolean running;

    private Sink(String script, Path dir, String address, int port, List<String> options) {
        this.script = script;
        this.dir = dir;
        this.address = address;
        this.port = port;
        this.options = options;
    }

    /** A sink on {@code address:port} (any 127.0.0.0/8 address, or ::1), files under {@code dir/mail}. */
    public static Sink start(Path dir, String address, int port, String... options) {
        Sink s = new Sink("sink.sh", dir, address, port, List.of(options));
        s.start();
        return s;
    }

    /**
     * A sink that offers STARTTLS with {@code certDir}'s cert.pem and key.pem (dev/tls.sh) and takes plaintext too,
     * files under {@code dir/mail}.
     */
    public static Sink startTls(Path dir, String address, int port, Path certDir) {
        Sink s = new Sink("tls-sink.sh", dir, address, port, List.of(certDir.toString()));
        s.start();
        return s;
    }

    /** A sink that is not started yet (a server that is down until {@link #start()}). */
    public static Sink stopped(Path dir, String address, int port, String... options) {
        return new Sink("sink.sh", dir, address, port, List.of(options));
    }

    public void start() {
        String listen = address.contains(":") ? "[" + address + "]:" + port : address + ":" + port;
        List<Object> args = new ArrayList<>(List.of("start", dir, listen, dir.resolve("mail")));
        args.addAll(options);
        Script.run(script, args.toArray());
        running = true;
    }

    public void stop() {
        Script.run(script, "stop", dir);
        running = false;
    }

    public String address() {
        return address;
    }

    public int port() {
        return port;
    }

    /** The transport(5) next hop of this sink without MX lookup: {@code [address]:port}. */
    public String nextHop() {
        return "[" + address + "]:" + port;
    }

    /** Every message file written so far. */
    public List<Path> files() {
        Path mail = dir.resolve("mail");
        if (!Files.isDirectory(mail)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(mail)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The contents of every message file. */
    public List<String> messages() {
        List<String> out = new ArrayList<>();
        for (Path p : files()) {
            try {
                out.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // being written: read it next time
            }
        }
        return out;
    }

    /** The messages that contain {@code text}. */
    public List<String> messagesContaining(String text) {
        return messages().stream().filter(m -> m.contains(text)).toList();
    }

    /** How many times {@code recipient} was given in RCPT TO in the messages containing {@code text}. */
    public long deliveries(String recipient, String text) {
        long n = 0;
        for (String m : messagesContaining(text)) {
            Matcher r = RCPT.matcher(m);
            while (r.find()) {
                if (r.group(1).equalsIgnoreCase(recipient)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The RCPT TO addresses of one message file's contents. */
    public static List<String> recipients(String message) {
        return RCPT.matcher(message).results().map(m -> m.group(1)).toList();
    }

    /** The header lines smtp-sink put in front, then the message as received. */
    public static String body(String message) {
        int received = message.indexOf("\nReceived: from ");
        if (received < 0) {
            return message;
        }
        // smtp-sink's own Received header has three lines
        String[] lines = message.substring(received + 1).split("\n", -1);
        return String.join("\n", Arrays.copyOfRange(lines, 3, lines.length));
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
    }
}
