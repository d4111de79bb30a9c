package io.mxgate.core.smtp;

import io.mxgate.core.address.MailAddress;

/**
 * A parsed SMTP command line. Every line parses into exactly one of these; a line that names a known verb but
 * is malformed becomes {@link Invalid} carrying the precise reply, so the session never guesses.
 */
public sealed interface Command {

    Verb verb();

    record Helo(String domain) implements Command {
        public Verb verb() {
            return Verb.HELO;
        }
    }

    record Ehlo(String domain) implements Command {
        public Verb verb() {
            return Verb.EHLO;
        }
    }

    /** {@code MAIL FROM}; {@code declaredSize} is the SIZE parameter or -1. */
    record Mail(MailAddress sender, long declaredSize, BodyType body) implements Command {
        public Verb verb() {
            return Verb.MAIL;
        }
    }

    record Rcpt(MailAddress recipient) implements Command {
        public Verb verb() {
            return Verb.RCPT;
        }
    }

    record Data() implements Command {
        public Verb verb() {
            return Verb.DATA;
        }
    }

    record Rset() implements Command {
        public Verb verb() {
            return Verb.RSET;
        }
    }

    record Noop() implements Command {
        public Verb verb() {
            return Verb.NOOP;
        }
    }

    record Quit() implements Command {
        public Verb verb() {
            return Verb.QUIT;
        }
    }

    record Vrfy(String argument) implements Command {
        public Verb verb() {
            return Verb.VRFY;
        }
    }

    record StartTls() implements Command {
        public Verb verb() {
            return Verb.STARTTLS;
        }
    }

    /** {@code AUTH mechanism [initial-response]}; the response is base64 as sent, or null. */
    record Auth(String mechanism, String initialResponse) implements Command {
        public Verb verb() {
            return Verb.AUTH;
        }
    }

    /** A known verb with bad syntax; {@code reply} says what is wrong. */
    record Invalid(Verb verb, Reply reply) implements Command {
    }

    /** A word that is no verb we know. */
    record Unknown(String word) implements Command {
        public Verb verb() {
            return null;
        }
    }

    /** The BODY parameter of MAIL (RFC 6152). */
    enum BodyType {
        SEVEN_BIT, EIGHT_BIT_MIME;

        static BodyType parse(String value) {
            return switch (value.toUpperCase(java.util.Locale.ROOT)) {
                case "7BIT" -> SEVEN_BIT;
                case "8BITMIME" -> EIGHT_BIT_MIME;
                default -> null;
            };
        }
    }
}
