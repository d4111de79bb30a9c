package io.mxgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A milter (Sendmail 8 milter protocol version 6, written from libmilter's mfdef.h without mxgate's codec, so the
 * two cannot share a mistake) that misbehaves on purpose, chosen by the recipient's local part.
 *
 * <p>At CONNECT, the client 127.0.0.2 gets SMFIR_REJECT; at HELO, the name {@code helo-tempfail.test} gets
 * SMFIR_TEMPFAIL; everyone else continues.
 *
 * <p>At RCPT, by that recipient: {@code rcpt-reject} SMFIR_REJECT, {@code rcpt-tempfail} SMFIR_TEMPFAIL,
 * {@code rcpt-replycode} {@code 550 5.7.1 Recipient refused by the fake milter}, {@code rcpt-hang} no answer,
 * {@code rcpt-garbage} bytes that are no packet, {@code rcpt-close} a closed connection; anyone else continues.
 *
 * <p>At end of message, by the first recipient: {@code hang}, {@code garbage}, {@code close} as above;
 * {@code reject}, {@code tempfail}, {@code discard}; {@code replycode} {@code 554 5.7.1 Rejected by the fake
 * milter}; {@code quarantine} SMFIR_QUARANTINE then continue; {@code addrcpt} adds {@code <bob@example.test>} and
 * {@code <victim@outside.test>}; {@code delrcpt} adds {@code <bob@example.test>} and deletes the client's
 * recipient; {@code chgfrom} makes the sender {@code <changed@remote.test>}; {@code body} replaces the body by
 * {@code replaced body}. Everyone else gets, after a PROGRESS: {@code X-Fake-Milter: i=QUEUEID
 * client=NAME [ADDRESS] rcpt=<...> headers=N} appended (the {@code i} and {@code _} macros), {@code X-Fake-Top: top} inserted at index 0, the first
 * {@code X-Remove-Me} header deleted, and continue.
 *
 * <p>{@link #events()} records what arrived (command letter and text), macros as {@code D<stage> name=value}.
 * Listens on 127.0.0.1 only, one thread per connection, until closed.
 */
public final class FakeMilter implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    public FakeMilter() {
        try {
            server = new ServerSocket(Ports.free(), 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "fake-milter");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Everything received so far, in order, over all connections. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                synchronized (sockets) {
                    sockets.add(s);
                }
                Thread t = new Thread(() -> serve(s), "fake-milter-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            List<String> recipients = new ArrayList<>();
            Map<String, String> macros = new LinkedHashMap<>();
            int headers = 0;
            while (true) {
                int length = in.readInt();
                char command = (char) in.readUnsignedByte();
                byte[] data = new byte[length - 1];
                in.readFully(data);
                List<String> strings = strings(data);
                switch (command) {
                    case 'O' -> // version 6, every action, every event with a reply for each
                            write(out, 'O', new byte[]{0, 0, 0, 6, 0, 0, 1, (byte) 0xff, 0, 0, 0, 0});
                    case 'D' -> {
                        List<String> pairs = strings(java.util.Arrays.copyOfRange(data, 1, data.length));
                        for (int i = 0; i + 1 < pairs.size(); i += 2) {
                            macros.put(pairs.get(i), pairs.get(i + 1));
                            events.add("D" + (char) data[0] + " " + pairs.get(i) + "=" + pairs.get(i + 1));
                        }
                    }
                    case 'R' -> {
                        events.add("R " + String.join(" ", strings));
                        String rcpt = strings.get(0);
                        recipients.add(rcpt);
                        switch (local(rcpt)) {
                            case "rcpt-reject" -> write(out, 'r');
                            case "rcpt-tempfail" -> write(out, 't');
                            case "rcpt-replycode" -> write(out, 'y',
                                    "550 5.7.1 Recipient refused by the fake milter");
                            case "rcpt-hang" -> Thread.sleep(Long.MAX_VALUE);
                            case "rcpt-garbage" -> raw(out, "garbage, not a packet\r\n");
                            case "rcpt-close" -> {
                                return;
                            }
                            default -> write(out, 'c');
                        }
                    }
                    case 'L' -> {
                        events.add("L " + strings.get(0) + ": " + strings.get(1));
                        headers++;
                        write(out, 'c');
                    }
                    case 'E' -> {
                        events.add("E");
                        String mode = recipients.isEmpty() ? "" : local(recipients.get(0));
                        if (!endOfMessage(out, mode, macros, recipients, headers)) {
                            return;
                        }
                        recipients.clear();
                        headers = 0;
                    }
                    case 'A' -> {
                        events.add("A");
                        recipients.clear();
                        headers = 0;
                    }
                    case 'Q' -> {
                        events.add("Q");
                        return;
                    }
                    case 'B' -> {
                        events.add("B " + data.length);
                        write(out, 'c');
                    }
                    case 'C' -> {
                        events.add("C " + String.join(" ", strings));
                        // the client from 127.0.0.2 is refused at CONNECT (its address ends the packet)
                        write(out, strings.get(strings.size() - 1).endsWith("127.0.0.2") ? 'r' : 'c');
                    }
                    case 'H' -> {
                        events.add("H " + String.join(" ", strings));
                        write(out, strings.get(0).equals("helo-tempfail.test") ? 't' : 'c');
                    }
                    default -> { // M, T, N
                        events.add(command + (strings.isEmpty() ? "" : " " + String.join(" ", strings)));
                        write(out, 'c');
                    }
                }
            }
        } catch (EOFException e) {
            // the MTA closed the connection
        } catch (IOException | InterruptedException e) {
            // the peer went away, or we were closed
        }
    }

    /** The answer to end of message; false when the connection is to be closed. */
    private boolean endOfMessage(OutputStream out, String mode, Map<String, String> macros, List<String> recipients,
                                 int headers) throws IOException, InterruptedException {
        switch (mode) {
            case "hang" -> Thread.sleep(Long.MAX_VALUE);
            case "garbage" -> raw(out, "garbage, not a packet\r\n");
            case "close" -> {
                return false;
            }
            case "reject" -> write(out, 'r');
            case "tempfail" -> write(out, 't');
            case "discard" -> write(out, 'd');
            case "replycode" -> write(out, 'y', "554 5.7.1 Rejected by the fake milter");
            case "quarantine" -> {
                write(out, 'q', "fake quarantine");
                write(out, 'c');
            }
            case "addrcpt" -> {
                write(out, '+', "<bob@example.test>");
                write(out, '+', "<victim@outside.test>");
                write(out, 'c');
            }
            case "delrcpt" -> {
                write(out, '+', "<bob@example.test>");
                write(out, '-', recipients.get(0));
                write(out, 'c');
            }
            case "chgfrom" -> {
                write(out, 'e', "<changed@remote.test>");
                write(out, 'c');
            }
            case "body" -> {
                write(out, 'b', "replaced body\r\n");
                write(out, 'c');
            }
            default -> {
                write(out, 'p');
                write(out, 'h', "X-Fake-Milter", "i=" + macros.get("i") + " client=" + macros.get("_") + " rcpt="
                        + String.join(",", recipients) + " headers=" + headers);
                write(out, 'i', new byte[]{0, 0, 0, 0}, "X-Fake-Top", "top");
                write(out, 'm', new byte[]{0, 0, 0, 1}, "X-Remove-Me", "");
                write(out, 'c');
            }
        }
        return true;
    }

    private static String local(String bracketed) {
        String a = bracketed.replaceAll("[<>]", "");
        int at = a.indexOf('@');
        return (at < 0 ? a : a.substring(0, at)).toLowerCase(Locale.ROOT);
    }

    /** The NUL-terminated strings of a packet's data (a last one without NUL too). */
    private static List<String> strings(byte[] data) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length ? i > start : data[i] == 0) {
                out.add(new String(data, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    private static void write(OutputStream out, char command, String... strings) throws IOException {
        write(out, command, new byte[0], strings);
    }

    private static void write(OutputStream out, char command, byte[] prefix, String... strings) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(prefix);
        for (String s : strings) {
            data.write(s.getBytes(StandardCharsets.ISO_8859_1));
            data.write(0);
        }
        if (command == 'b') { // a body chunk is raw bytes, not a string
            byte[] d = data.toByteArray();
            data.reset();
            data.write(d, 0, d.length - 1);
        }
        int length = data.size() + 1;
        out.write(new byte[]{(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length,
                (byte) command});
        data.writeTo(out);
        out.flush();
    }

    private static void raw(OutputStream out, String s) throws IOException {
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
