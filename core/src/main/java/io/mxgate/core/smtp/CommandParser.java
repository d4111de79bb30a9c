package io.mxgate.core.smtp;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;

import java.util.Locale;

/**
 * Parses one SMTP command line (without its line ending) into a {@link Command}. Pure and total: every input,
 * however hostile, yields a command; none throws.
 */
public final class CommandParser {

    private CommandParser() {
    }

    public static Command parse(String line) {
        String trimmed = line.strip();
        int space = indexOfWhitespace(trimmed);
        String word = space < 0 ? trimmed : trimmed.substring(0, space);
        String rest = space < 0 ? "" : trimmed.substring(space + 1).strip();
        Verb verb = Verb.lookup(word);
        if (verb == null) {
            return new Command.Unknown(word);
        }
        return switch (verb) {
            case HELO -> isHeloArgument(rest) ? new Command.Helo(rest) : new Command.Invalid(verb, Replies.HELO_SYNTAX);
            case EHLO -> isHeloArgument(rest) ? new Command.Ehlo(rest) : new Command.Invalid(verb, Replies.EHLO_SYNTAX);
            case MAIL -> parseMail(rest);
            case RCPT -> parseRcpt(rest);
            case DATA -> rest.isEmpty() ? new Command.Data() : new Command.Invalid(verb, Replies.NO_ARGUMENTS);
            case RSET -> rest.isEmpty() ? new Command.Rset() : new Command.Invalid(verb, Replies.NO_ARGUMENTS);
            case QUIT -> rest.isEmpty() ? new Command.Quit() : new Command.Invalid(verb, Replies.NO_ARGUMENTS);
            case NOOP -> new Command.Noop();
            case VRFY -> rest.isEmpty() ? new Command.Invalid(verb, Replies.VRFY_SYNTAX) : new Command.Vrfy(rest);
            case STARTTLS -> rest.isEmpty() ? new Command.StartTls() : new Command.Invalid(verb, Replies.NO_ARGUMENTS);
            case AUTH -> parseAuth(rest);
        };
    }

    private static Command parseAuth(String rest) {
        String[] words = rest.split(" +");
        if (rest.isEmpty() || words.length > 2) {
            return new Command.Invalid(Verb.AUTH, Replies.AUTH_SYNTAX);
        }
        return new Command.Auth(words[0].toUpperCase(Locale.ROOT), words.length == 2 ? words[1] : null);
    }

    private static boolean isHeloArgument(String arg) {
        return !arg.isEmpty() && arg.chars().allMatch(c -> c > 32 && c < 127);
    }

    private static Command parseMail(String rest) {
        String path = pathAfter(rest, "FROM:");
        if (path == null) {
            return new Command.Invalid(Verb.MAIL, Replies.MAIL_SYNTAX);
        }
        String[] pathAndParams = splitPath(path);
        MailAddress sender = AddressParser.parseReversePath(pathAndParams[0]);
        if (sender == null) {
            return new Command.Invalid(Verb.MAIL, Replies.BAD_SENDER_SYNTAX);
        }
        long size = -1;
        Command.BodyType body = Command.BodyType.SEVEN_BIT;
        for (String param : pathAndParams[1].split(" +")) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            String key = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : param.substring(eq + 1);
            switch (key) {
                case "SIZE" -> {
                    size = parseSize(value);
                    if (size < 0) {
                        return new Command.Invalid(Verb.MAIL, Replies.badParameterValue("SIZE"));
                    }
                }
                case "BODY" -> {
                    body = value == null ? null : Command.BodyType.parse(value);
                    if (body == null) {
                        return new Command.Invalid(Verb.MAIL, Replies.badParameterValue("BODY"));
                    }
                }
                default -> {
                    return new Command.Invalid(Verb.MAIL, Replies.unsupportedParameter(param));
                }
            }
        }
        return new Command.Mail(sender, size, body);
    }

    private static Command parseRcpt(String rest) {
        String path = pathAfter(rest, "TO:");
        if (path == null) {
            return new Command.Invalid(Verb.RCPT, Replies.RCPT_SYNTAX);
        }
        String[] pathAndParams = splitPath(path);
        MailAddress recipient = AddressParser.parseForwardPath(pathAndParams[0]);
        if (recipient == null) {
            return new Command.Invalid(Verb.RCPT, Replies.BAD_RECIPIENT_SYNTAX);
        }
        String params = pathAndParams[1].strip();
        if (!params.isEmpty()) {
            return new Command.Invalid(Verb.RCPT, Replies.unsupportedParameter(params.split(" +")[0]));
        }
        return new Command.Rcpt(recipient);
    }

    /** The text after {@code FROM:} / {@code TO:} (case-insensitive, spaces allowed after the colon). */
    private static String pathAfter(String rest, String keyword) {
        if (rest.length() < keyword.length() || !rest.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return null;
        }
        String path = rest.substring(keyword.length()).strip();
        return path.isEmpty() ? null : path;
    }

    /** Splits {@code <path> PARAMS} at the closing bracket (a quoted '>' does not count), or at the first space. */
    private static String[] splitPath(String s) {
        if (s.startsWith("<")) {
            boolean quoted = false;
            for (int i = 1; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == '>' && !quoted) {
                    return new String[] {s.substring(0, i + 1), s.substring(i + 1)};
                }
            }
            return new String[] {s, ""};
        }
        int space = indexOfWhitespace(s);
        return space < 0 ? new String[] {s, ""} : new String[] {s.substring(0, space), s.substring(space + 1)};
    }

    private static long parseSize(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }
}
