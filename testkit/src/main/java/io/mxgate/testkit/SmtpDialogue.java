package io.mxgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A scripted SMTP conversation on a raw socket, byte-exact, as in maddy's tests:
 * {@code d.send("RCPT TO:<x@outside.test>"); d.expect("554 5.7.1 <x@outside.test>: Relay access denied");}.
 * Patterns are globs where {@code *} matches anything; a mismatch fails with the whole reply.
 */
public final class SmtpDialogue implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpDialogue(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and checks the 220 greeting. */
    public static SmtpDialogue open(int port) {
        SmtpDialogue d = connect(port);
        d.expect("220 *");
        return d;
    }

    /** Connects from another loopback address (127.0.0.2, ...), so a test can be a different client, and greets. */
    public static SmtpDialogue open(int port, String sourceAddress) {
        SmtpDialogue d = connect(port, sourceAddress);
        d.expect("220 *");
        return d;
    }

    /** Connects without reading anything. */
    public static SmtpDialogue connect(int port) {
        return connect(port, null);
    }

    /** Connects from another loopback address without reading anything. */
    public static SmtpDialogue connect(int port, String sourceAddress) {
        try {
            Socket s = new Socket();
            if (sourceAddress != null) {
                s.bind(new InetSocketAddress(sourceAddress, 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            return new SmtpDialogue(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public SmtpDialogue timeout(Duration d) {
        try {
            socket.setSoTimeout((int) d.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Sends STARTTLS, expects 220 and does the TLS handshake (trusting any certificate: the local stack's is
     * self-signed).
     */
    public SmtpDialogue startTls() {
        send("STARTTLS").expect("220 2.0.0 Ready to start TLS");
        try {
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ssl.getSocketFactory()
                    .createSocket(socket, "127.0.0.1", socket.getPort(), true);
            tls.startHandshake();
            socket = tls;
            in = tls.getInputStream();
            out = tls.getOutputStream();
            return this;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new AssertionError("TLS handshake failed", e);
        }
    }

    /** Sends a command line; CRLF is appended. */
    public SmtpDialogue send(String line) {
        return raw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    public SmtpDialogue raw(String bytes) {
        return raw(bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    public SmtpDialogue raw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one whole reply; its lines joined by "\n". Null when the server closed the connection. */
    public String reply() {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line == null) {
                return lines.isEmpty() ? null : String.join("\n", lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) == ' ') {
                return String.join("\n", lines);
            }
        }
    }

    /** A reply if one arrives within 100 ms, else null (the connection stays usable). */
    public String replyIfAny() {
        try {
            int old = socket.getSoTimeout();
            socket.setSoTimeout(100);
            try {
                return reply();
            } catch (AssertionError e) {
                return null;
            } finally {
                socket.setSoTimeout(old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a reply and asserts that its last line matches the glob. Returns the reply. */
    public String expect(String glob) {
        String reply = reply();
        String last = reply == null ? null : reply.substring(reply.lastIndexOf('\n') + 1);
        if (last == null || !matches(glob, last)) {
            throw new AssertionError("expected \"" + glob + "\", got " + (reply == null ? "connection closed" : "\"" + reply + "\""));
        }
        return reply;
    }

    /** Asserts the server closes the connection (reads until EOF, within the socket timeout). */
    public void expectClosed() {
        try {
            while (in.read() >= 0) {
                // drain whatever comes before the close
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        } catch (IOException e) {
            // reset by peer counts as closed
        }
    }

    /** A whole transaction in one go (EHLO, MAIL, RCPTs, DATA); returns the reply to the final dot. */
    /**
     * A RCPT's reply from {@code source} (null: 127.0.0.1), asked again for up to 20 s while the verifier answers
     * "in progress", as a sending MTA retries a first contact.
     */
    public static String rcptPastInProgress(int port, String source, String recipient) {
        String[] reply = {""};
        Stack.await(Duration.ofSeconds(20), () -> {
            try (SmtpDialogue d = open(port, source)) {
                d.send("EHLO client.test").expect("250 *");
                d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
                return !(reply[0] = d.send("RCPT TO:<" + recipient + ">").reply()).contains("in progress");
            }
        });
        return reply[0];
    }

    public static String sendMail(int port, String from, List<String> to, String body) {
        try (SmtpDialogue d = open(port)) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<" + from + ">").expect("250 2.1.0 *");
            for (String r : to) {
                d.send("RCPT TO:<" + r + ">").expect("250 2.1.5 *");
            }
            d.send("DATA").expect("354 *");
            d.raw(body.endsWith("\r\n") ? body : body + "\r\n").send(".");
            String reply = d.reply();
            d.send("QUIT");
            return reply;
        }
    }

    static boolean matches(String glob, String text) {
        String regex = java.util.Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
        return Pattern.compile(regex, Pattern.DOTALL).matcher(text).matches();
    }

    private String line() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String s = buf.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buf.write(b);
            }
            return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply within the socket timeout", e);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
