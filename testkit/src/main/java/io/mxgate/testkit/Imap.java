package io.mxgate.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Just enough IMAP to check what a user sees: LOGIN, SELECT INBOX, the EXISTS count. */
public final class Imap {

    private Imap() {
    }

    /** The number of messages in the user's INBOX as Dovecot's IMAP server reports it. */
    public static int inboxCount(int port, String user, String password) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            in.readLine();
            out.write(("a LOGIN \"" + user + "\" \"" + password + "\"\r\nb SELECT INBOX\r\nc LOGOUT\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            int exists = -1;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("a NO") || line.startsWith("a BAD")) {
                    throw new AssertionError("IMAP login failed: " + line);
                }
                if (line.startsWith("* ") && line.endsWith(" EXISTS")) {
                    exists = Integer.parseInt(line.substring(2, line.length() - " EXISTS".length()));
                }
                if (line.startsWith("c ")) {
                    break;
                }
            }
            return exists;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
