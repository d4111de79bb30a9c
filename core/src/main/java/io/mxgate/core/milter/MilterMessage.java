package io.mxgate.core.milter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A message as filters see and change it, after Postfix's cleanup_milter.c: the header fields in order, one of them
 * ours (the Received header we put on top, which filters never see: Postfix hides its own, for Sendmail
 * compatibility), and the body. Header changes count as Sendmail 8.13 does: a change or delete of the n-th header of
 * a name counts only the headers as received, without ours; an insert at index i counts every header, so index 0
 * is above our Received header.
 *
 * <p>Works on the message as the SMTP server stores it (every line ends in CRLF); fields nobody changed are written
 * back byte for byte. Text is ISO-8859-1, so 8-bit bytes pass unchanged.
 */
public final class MilterMessage {

    /** One header field: its name and its whole text, name, colon, continuation lines and the final CRLF. */
    private record Field(String name, String raw, boolean ours) {

        /** The text after the colon, without the final CRLF. */
        String value() {
            return raw.substring(raw.indexOf(':') + 1, raw.length() - 2);
        }
    }

    private final List<Field> fields;
    /** Whether an empty line separated header and body (a message of headers only may have none). */
    private boolean separator;
    private byte[] body;

    private MilterMessage(List<Field> fields, boolean separator, byte[] body) {
        this.fields = fields;
        this.separator = separator;
        this.body = body;
    }

    /**
     * Splits a message into header fields and body. The field starting at byte {@code oursAt} is our own Received
     * header (-1: none). The header section ends at the first empty line, or at the first line that is neither a
     * header nor a continuation (which then starts the body).
     */
    public static MilterMessage parse(byte[] bytes, int length, int oursAt) {
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        List<Field> fields = new ArrayList<>();
        int pos = 0;
        int fieldStart = -1;
        String fieldName = null;
        boolean separator = false;
        while (pos < length) {
            int eol = text.indexOf("\r\n", pos);
            int next = eol < 0 ? length : eol + 2;
            boolean continuation = fieldStart >= 0 && eol >= 0 && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t');
            if (!continuation) {
                if (fieldStart >= 0) {
                    fields.add(new Field(fieldName, text.substring(fieldStart, pos), fieldStart == oursAt));
                    fieldStart = -1;
                }
                if (eol == pos) {
                    separator = true;
                    pos = next;
                    break;
                }
                fieldName = headerName(text, pos, eol < 0 ? length : eol);
                if (fieldName == null || eol < 0) {
                    break;
                }
                fieldStart = pos;
            }
            pos = next;
        }
        if (fieldStart >= 0) {
            fields.add(new Field(fieldName, text.substring(fieldStart, pos), fieldStart == oursAt));
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, pos, length);
        return new MilterMessage(fields, separator, body);
    }

    /** The name of the header starting at {@code from} (RFC 5322 field-name, blanks allowed before the colon), or null. */
    private static String headerName(String text, int from, int to) {
        int i = from;
        while (i < to && text.charAt(i) > ' ' && text.charAt(i) < 0x7f && text.charAt(i) != ':') {
            i++;
        }
        int nameEnd = i;
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return nameEnd > from && i < to && text.charAt(i) == ':' ? text.substring(from, nameEnd) : null;
    }

    /**
     * The SMFIC_HEADER events for the headers as received (ours left out): the value after the colon with one
     * leading space taken off unless the filter asked for it ({@code leadingSpace}, SMFIP_HDR_LEADSPC), continuation
     * lines joined by LF, as Sendmail sends them.
     */
    public List<MilterCommand.Header> headers(boolean leadingSpace) {
        List<MilterCommand.Header> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (!f.ours()) {
                String value = f.value().replace("\r\n", "\n");
                out.add(new MilterCommand.Header(f.name(), !leadingSpace && value.startsWith(" ")
                        ? value.substring(1) : value));
            }
        }
        return out;
    }

    /** The body in SMFIC_BODY chunks of at most {@link MilterProtocol#CHUNK_SIZE} bytes (none for an empty body). */
    public List<MilterCommand.Body> bodyChunks() {
        List<MilterCommand.Body> out = new ArrayList<>();
        for (int i = 0; i < body.length; i += MilterProtocol.CHUNK_SIZE) {
            out.add(new MilterCommand.Body(java.util.Arrays.copyOfRange(body, i,
                    Math.min(body.length, i + MilterProtocol.CHUNK_SIZE))));
        }
        return out;
    }

    /** SMFIR_ADDHEADER: after the last header. */
    public void addHeader(String name, String value, boolean leadingSpace) {
        fields.add(field(name, value, leadingSpace));
    }

    /** SMFIR_INSHEADER: at position {@code index} of all headers (ours included), at the end past the last. */
    public void insertHeader(int index, String name, String value, boolean leadingSpace) {
        fields.add(Math.max(0, Math.min(index, fields.size())), field(name, value, leadingSpace));
    }

    /**
     * SMFIR_CHGHEADER: the {@code index}-th header named {@code name} as received (ours not counted; 0 counts as 1)
     * gets the new value, or goes when the value is empty; a header that is not there is added, as libmilter's
     * smfi_chgheader documents, unless the request was a delete.
     */
    public void changeHeader(int index, String name, String value, boolean leadingSpace) {
        int wanted = Math.max(1, index);
        int seen = 0;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (!f.ours() && f.name().equalsIgnoreCase(name) && ++seen == wanted) {
                if (value.isEmpty()) {
                    fields.remove(i);
                } else {
                    fields.set(i, field(f.name(), value, leadingSpace));
                }
                return;
            }
        }
        if (!value.isEmpty()) {
            addHeader(name, value, leadingSpace);
        }
    }

    /** SMFIR_REPLBODY, all chunks together: lines end in CRLF, a bare LF becomes CRLF, the last line is ended. */
    public void replaceBody(byte[] newBody) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(newBody.length + 64);
        for (int i = 0; i < newBody.length; i++) {
            byte b = newBody[i];
            if (b == '\n' && (i == 0 || newBody[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b);
        }
        if (newBody.length > 0 && newBody[newBody.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        body = out.toByteArray();
        separator = true;
    }

    /** The message as it now stands. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64 * fields.size() + 2);
        for (Field f : fields) {
            byte[] b = f.raw().getBytes(StandardCharsets.ISO_8859_1);
            out.write(b, 0, b.length);
        }
        if (separator) {
            out.write('\r');
            out.write('\n');
        }
        out.write(body, 0, body.length);
        return out.toByteArray();
    }

    /** A new field: {@code Name: value}, the value's line breaks (LF or CRLF, as filters send them) as CRLF. */
    private static Field field(String name, String value, boolean leadingSpace) {
        String lines = value.replace("\r\n", "\n").replace("\n", "\r\n");
        return new Field(name, name + ":" + (leadingSpace ? "" : " ") + lines + "\r\n", false);
    }
}
