package io.mxgate.core.milter;

import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.ReplyParser;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packets of the milter protocol to bytes and back, both ways: the MTA encodes {@link MilterCommand}s and decodes
 * {@link MilterReply}s; a filter (the test kit's) does the opposite. A packet is {@code uint32 length} (command byte
 * plus data, big-endian), the command byte, the data; strings end in NUL, numbers are big-endian. Decoding checks
 * what Postfix's milter8.c checks: no data after a reply that takes none, every string terminated, no data left
 * over, a REPLYCODE that is a well-formed 4xx/5xx reply.
 */
public final class MilterCodec {

    private MilterCodec() {
    }

    // ---- MTA to filter

    /** The packet for {@code command}, length prefix included. */
    public static byte[] encode(MilterCommand command) {
        Writer w = new Writer(command.code());
        // records without data (DATA, EOH, EOM, ABORT, QUIT) are the command byte alone
        if (command instanceof MilterCommand.OptNeg o) {
            w.int32(o.version()).int32(o.actions()).int32(o.protocol());
        } else if (command instanceof MilterCommand.Macros m) {
            w.octet(m.stage());
            m.values().forEach((k, v) -> w.string(k).string(v));
        } else if (command instanceof MilterCommand.Connect c) {
            w.string(c.hostname()).octet(c.family());
            if (c.family() != 'U') {
                w.int16(c.port()).string(c.address());
            }
        } else if (command instanceof MilterCommand.Helo h) {
            w.string(h.name());
        } else if (command instanceof MilterCommand.Mail m) {
            m.args().forEach(w::string);
        } else if (command instanceof MilterCommand.Rcpt r) {
            r.args().forEach(w::string);
        } else if (command instanceof MilterCommand.Header h) {
            w.string(h.name()).string(h.value());
        } else if (command instanceof MilterCommand.Body b) {
            w.bytes(b.chunk());
        }
        return w.packet();
    }

    /** The command a filter received: {@code code} and {@code data} as {@link MilterFrameDecoder} cut them. */
    public static MilterCommand decodeCommand(char code, byte[] data) {
        Reader r = new Reader(code, data);
        MilterCommand command = switch (code) {
            case 'O' -> new MilterCommand.OptNeg(r.int32(), r.int32(), r.int32());
            case 'D' -> {
                char stage = (char) r.octet();
                Map<String, String> values = new LinkedHashMap<>();
                while (r.more()) {
                    values.put(r.string(), r.string());
                }
                yield new MilterCommand.Macros(stage, values);
            }
            case 'C' -> {
                String host = r.string();
                char family = (char) r.octet();
                yield family == 'U' ? new MilterCommand.Connect(host, family, 0, "")
                        : new MilterCommand.Connect(host, family, r.int16(), r.string());
            }
            case 'H' -> new MilterCommand.Helo(r.string());
            case 'M' -> new MilterCommand.Mail(r.strings());
            case 'R' -> new MilterCommand.Rcpt(r.strings());
            case 'L' -> new MilterCommand.Header(r.string(), r.string());
            case 'B' -> new MilterCommand.Body(r.rest());
            case 'T' -> new MilterCommand.Data();
            case 'N' -> new MilterCommand.EndOfHeaders();
            case 'E' -> new MilterCommand.EndOfMessage();
            case 'A' -> new MilterCommand.Abort();
            case 'Q' -> new MilterCommand.Quit();
            default -> throw new MalformedMilterPacketException("unknown command " + printable(code));
        };
        r.end();
        return command;
    }

    // ---- filter to MTA

    /** The packet for {@code reply}, length prefix included. */
    public static byte[] encode(MilterReply reply) {
        Writer w = new Writer(reply.code());
        // decisions and PROGRESS are the command byte alone
        if (reply instanceof MilterReply.OptNeg o) {
            w.int32(o.version()).int32(o.actions()).int32(o.protocol());
            o.macros().forEach((stage, names) -> w.int32(stage).string(names));
        } else if (reply instanceof MilterReply.ReplyCode c) {
            w.string(replyText(c.reply()));
        } else if (reply instanceof MilterReply.Quarantine q) {
            w.string(q.reason());
        } else if (reply instanceof MilterReply.AddHeader h) {
            w.string(h.name()).string(h.value());
        } else if (reply instanceof MilterReply.InsertHeader h) {
            w.int32(h.index()).string(h.name()).string(h.value());
        } else if (reply instanceof MilterReply.ChangeHeader h) {
            w.int32(h.index()).string(h.name()).string(h.value());
        } else if (reply instanceof MilterReply.ChangeSender c) {
            w.string(c.address());
            if (c.parameters() != null) {
                w.string(c.parameters());
            }
        } else if (reply instanceof MilterReply.AddRecipient a) {
            w.string(a.address());
            if (a.parameters() != null) {
                w.string(a.parameters());
            }
        } else if (reply instanceof MilterReply.DeleteRecipient d) {
            w.string(d.address());
        } else if (reply instanceof MilterReply.ReplaceBody b) {
            w.bytes(b.chunk());
        }
        return w.packet();
    }

    /**
     * The reply a filter sent: {@code code} and {@code data} as {@link MilterFrameDecoder} cut them.
     *
     * @throws MalformedMilterPacketException for an unknown command, data that does not fit it, or a REPLYCODE
     *                                        that is not a 4xx/5xx SMTP reply
     */
    public static MilterReply decodeReply(char code, byte[] data) {
        Reader r = new Reader(code, data);
        MilterReply reply = switch (code) {
            case 'O' -> {
                int version = r.int32();
                int actions = r.int32();
                int protocol = r.int32();
                Map<Integer, String> macros = new LinkedHashMap<>();
                while (r.more()) {
                    macros.put(r.int32(), r.string());
                }
                yield new MilterReply.OptNeg(version, actions, protocol, macros);
            }
            case 'c' -> new MilterReply.Continue();
            case 'a' -> new MilterReply.Accept();
            case 'r' -> new MilterReply.Reject();
            case 't' -> new MilterReply.Tempfail();
            case 'd' -> new MilterReply.Discard();
            case 's' -> new MilterReply.Skip();
            case '4' -> new MilterReply.Shutdown();
            case 'p' -> new MilterReply.Progress();
            case 'y' -> new MilterReply.ReplyCode(parseReplyText(r.text()));
            case 'q' -> new MilterReply.Quarantine(r.text());
            case 'h' -> new MilterReply.AddHeader(r.string(), r.string());
            case 'i' -> new MilterReply.InsertHeader(r.int32(), r.string(), r.string());
            case 'm' -> new MilterReply.ChangeHeader(r.int32(), r.string(), r.string());
            case 'e' -> new MilterReply.ChangeSender(r.string(), r.more() ? r.string() : null);
            case '+' -> new MilterReply.AddRecipient(r.string(), null);
            case '2' -> new MilterReply.AddRecipient(r.string(), r.more() ? r.string() : "");
            case '-' -> new MilterReply.DeleteRecipient(r.string());
            case 'b' -> new MilterReply.ReplaceBody(r.rest());
            default -> throw new MalformedMilterPacketException("unknown reply " + printable(code));
        };
        r.end();
        return reply;
    }

    /**
     * A REPLYCODE's text as Postfix's milter8_valid_smtp_reply takes it: lines separated by CRLF, each {@code ddd-}
     * or, the last, {@code ddd }, a 4xx or 5xx code, an enhanced status (if any) of the code's class; then, as
     * Sendmail used the text as a format string, {@code %%} becomes {@code %} and a single {@code %} goes. Unlike
     * Postfix, every line must have the same code, since a reply has one.
     */
    static Reply parseReplyText(String text) {
        String[] lines = text.split("\r\n", -1);
        ReplyParser parser = new ReplyParser();
        Reply reply = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean last = i == lines.length - 1;
            if (line.length() < 4 || (line.charAt(0) != '4' && line.charAt(0) != '5')
                    || line.charAt(3) != (last ? ' ' : '-') || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0
                    || (line.length() > 4 && Character.isDigit(line.charAt(4)) && line.charAt(4) != line.charAt(0))) {
                throw new MalformedMilterPacketException("malformed reply: " + printable(text));
            }
            try {
                reply = parser.accept(unpercent(line));
            } catch (ReplyParser.MalformedReplyException e) {
                throw new MalformedMilterPacketException("malformed reply: " + printable(text));
            }
        }
        return reply;
    }

    /** Sendmail's format-string escapes undone: {@code %%} is {@code %}, a lone {@code %} is dropped. */
    private static String unpercent(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                sb.append(c);
            } else if (i + 1 < s.length() && s.charAt(i + 1) == '%') {
                sb.append('%');
                i++;
            }
        }
        return sb.toString();
    }

    /** The text a filter sends for {@code reply}: its wire form without the last CRLF, '%' doubled. */
    private static String replyText(Reply reply) {
        String wire = reply.wire();
        return wire.substring(0, wire.length() - 2).replace("%", "%%");
    }

    /** Control and 8-bit characters as '?', cut at 100: a filter's bytes go into our log. */
    static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("0x%02x", (int) c);
    }

    /** Builds one packet: the length is filled in at the end. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        Writer(char code) {
            out.write(0);
            out.write(0);
            out.write(0);
            out.write(0);
            out.write(code);
        }

        Writer octet(char c) {
            out.write(c);
            return this;
        }

        Writer int16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer int32(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            out.write(b, 0, b.length);
            out.write(0);
            return this;
        }

        Writer bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        byte[] packet() {
            byte[] p = out.toByteArray();
            int length = p.length - 4;
            p[0] = (byte) (length >>> 24);
            p[1] = (byte) (length >>> 16);
            p[2] = (byte) (length >>> 8);
            p[3] = (byte) length;
            return p;
        }
    }

    /** Reads one packet's data; every overrun or leftover is a malformed packet. */
    private static final class Reader {
        private final char code;
        private final byte[] data;
        private int pos;

        Reader(char code, byte[] data) {
            this.code = code;
            this.data = data;
        }

        boolean more() {
            return pos < data.length;
        }

        int octet() {
            need(1);
            return data[pos++] & 0xff;
        }

        int int16() {
            need(2);
            int v = (data[pos] & 0xff) << 8 | (data[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int int32() {
            need(4);
            int v = (data[pos] & 0xff) << 24 | (data[pos + 1] & 0xff) << 16 | (data[pos + 2] & 0xff) << 8
                    | (data[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        /** A NUL-terminated string. */
        String string() {
            int start = pos;
            while (pos < data.length && data[pos] != 0) {
                pos++;
            }
            if (pos == data.length) {
                throw new MalformedMilterPacketException("reply " + printable(code) + ": string without NUL");
            }
            return new String(data, start, pos++ - start, StandardCharsets.ISO_8859_1);
        }

        /** Strings up to the end of the data. */
        List<String> strings() {
            List<String> out = new ArrayList<>();
            while (more()) {
                out.add(string());
            }
            return out;
        }

        /** The rest of the data as text: one NUL at its end is dropped, none may be inside (milter8.c). */
        String text() {
            int end = data.length > pos && data[data.length - 1] == 0 ? data.length - 1 : data.length;
            for (int i = pos; i < end; i++) {
                if (data[i] == 0) {
                    throw new MalformedMilterPacketException("reply " + printable(code) + ": NUL inside the text");
                }
            }
            String s = new String(data, pos, end - pos, StandardCharsets.ISO_8859_1);
            pos = data.length;
            return s;
        }

        byte[] rest() {
            byte[] b = java.util.Arrays.copyOfRange(data, pos, data.length);
            pos = data.length;
            return b;
        }

        void end() {
            if (pos != data.length) {
                throw new MalformedMilterPacketException("packet " + printable(code) + " followed by "
                        + (data.length - pos) + " data bytes");
            }
        }

        private void need(int n) {
            if (data.length - pos < n) {
                throw new MalformedMilterPacketException("packet " + printable(code) + " too short");
            }
        }
    }
}
