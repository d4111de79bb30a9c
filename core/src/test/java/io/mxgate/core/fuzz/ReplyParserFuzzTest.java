package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.ReplyParser;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static io.mxgate.core.fuzz.FuzzSupport.check;
import static io.mxgate.core.fuzz.FuzzSupport.esc;

/**
 * {@link ReplyParser#accept} over arbitrary server output, split into lines the way {@code ClientConnection} splits
 * it (at LF, one CR before it dropped, 8-bit bytes as ISO-8859-1). Only {@link ReplyParser.MalformedReplyException}
 * may escape, and exactly when a small model of RFC 5321 section 4.2 says the line is malformed: not three digits
 * and an optional ' ' or '-', a code outside 200..599, a code that changes within a reply, or a reply running past
 * {@link ReplyParser#MAX_LINES} lines. A complete reply has the code and the texts of its lines (an enhanced status
 * of the reply's class taken off the front). As the client does, a parser that threw is not used again.
 */
class ReplyParserFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void accept(byte[] input) {
        ReplyParser parser = new ReplyParser();
        List<String> group = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < input.length; i++) {
            if (input[i] != '\n') {
                continue;
            }
            int end = i > start && input[i - 1] == '\r' ? i - 1 : i;
            String line = FuzzSupport.latin1(input, start, end);
            start = i + 1;
            boolean malformed = isMalformed(line, group);
            Reply reply;
            try {
                reply = parser.accept(line);
            } catch (ReplyParser.MalformedReplyException e) {
                check(malformed, () -> "well-formed line " + esc(line) + " rejected after " + group.size() + " lines: "
                        + e.getMessage(), input);
                parser = new ReplyParser();
                group.clear();
                continue;
            }
            check(!malformed, () -> "malformed line " + esc(line) + " accepted after " + group, input);
            group.add(line);
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            if (!last) {
                check(reply == null, () -> "reply " + reply + " before the last line", input);
                continue;
            }
            check(reply != null, () -> "no reply after the last line " + esc(line), input);
            checkReply(reply, group, input);
            group.clear();
        }
    }

    private static boolean isMalformed(String line, List<String> group) {
        if (line.length() < 3 || !digit(line.charAt(0)) || !digit(line.charAt(1)) || !digit(line.charAt(2))) {
            return true;
        }
        if (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
            return true;
        }
        int code = Integer.parseInt(line.substring(0, 3));
        if (code < 200 || code > 599 || (!group.isEmpty() && !group.get(0).startsWith(line.substring(0, 3)))) {
            return true;
        }
        boolean last = line.length() == 3 || line.charAt(3) == ' ';
        return !last && group.size() + 1 >= ReplyParser.MAX_LINES;
    }

    private static void checkReply(Reply reply, List<String> group, byte[] input) {
        int code = Integer.parseInt(group.get(0).substring(0, 3));
        check(reply.code() == code, () -> "reply code " + reply.code() + " for " + group, input);
        check(reply.lines().size() == group.size() && group.size() <= ReplyParser.MAX_LINES,
                () -> "reply of " + reply.lines().size() + " lines for " + group.size(), input);
        check(reply.status() == null || reply.status().klass() == code / 100,
                () -> "enhanced status " + reply.status() + " of another class than " + code, input);
        for (int i = 0; i < group.size(); i++) {
            String raw = group.get(i);
            String text = raw.length() > 4 ? raw.substring(4) : "";
            int space = text.indexOf(' ');
            String word = space < 0 ? text : text.substring(0, space);
            if (STATUS.matcher(word).matches() && word.charAt(0) - '0' == code / 100) {
                text = space < 0 ? "" : text.substring(space + 1);
            }
            String got = reply.lines().get(i);
            String expected = text;
            check(got.equals(expected), () -> "line " + esc(got) + " is not the text " + esc(expected) + " of " + esc(raw),
                    input);
        }
        check(reply.oneLine() != null, "oneLine", input);
    }

    /** RFC 3463: class, then one to three digits twice. */
    private static final Pattern STATUS = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
