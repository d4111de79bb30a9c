package io.mxgate.core.milter;

import java.util.List;
import java.util.Map;

/**
 * A packet the MTA sends to a filter (libmilter's SMFIC_*). Each record names its command byte; the data layout is
 * {@link MilterCodec}'s.
 */
public sealed interface MilterCommand {

    /** The command byte on the wire. */
    char code();

    /** SMFIC_OPTNEG: our protocol version, the actions we allow (SMFIF_*) and the protocol steps we offer (SMFIP_*). */
    record OptNeg(int version, int actions, int protocol) implements MilterCommand {
        public char code() {
            return 'O';
        }
    }

    /** SMFIC_MACRO: macro values for the command {@code stage} that follows (its command byte). */
    record Macros(char stage, Map<String, String> values) implements MilterCommand {
        public Macros {
            values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        }

        public char code() {
            return 'D';
        }
    }

    /**
     * SMFIC_CONNECT: the client's name ({@code [address]} when it has none), its address family ('4', '6', 'U' for
     * unknown), port and address.
     */
    record Connect(String hostname, char family, int port, String address) implements MilterCommand {
        public char code() {
            return 'C';
        }
    }

    /** SMFIC_HELO: the HELO/EHLO argument. */
    record Helo(String name) implements MilterCommand {
        public char code() {
            return 'H';
        }
    }

    /** SMFIC_MAIL: {@code <sender>} and the ESMTP parameters, one string each. */
    record Mail(List<String> args) implements MilterCommand {
        public Mail {
            args = List.copyOf(args);
        }

        public char code() {
            return 'M';
        }
    }

    /** SMFIC_RCPT: {@code <recipient>} and the ESMTP parameters. */
    record Rcpt(List<String> args) implements MilterCommand {
        public Rcpt {
            args = List.copyOf(args);
        }

        public char code() {
            return 'R';
        }
    }

    /** SMFIC_DATA: the client sent DATA. */
    record Data() implements MilterCommand {
        public char code() {
            return 'T';
        }
    }

    /** SMFIC_HEADER: one header, name and value (continuation lines separated by LF, as Sendmail sends them). */
    record Header(String name, String value) implements MilterCommand {
        public char code() {
            return 'L';
        }
    }

    /** SMFIC_EOH: end of the header section. */
    record EndOfHeaders() implements MilterCommand {
        public char code() {
            return 'N';
        }
    }

    /** SMFIC_BODY: a chunk of the body, CRLF line ends, at most {@link MilterProtocol#CHUNK_SIZE} bytes. */
    record Body(byte[] chunk) implements MilterCommand {
        public char code() {
            return 'B';
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Body b && java.util.Arrays.equals(chunk, b.chunk);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(chunk);
        }

        @Override
        public String toString() {
            return "Body[" + chunk.length + " bytes]";
        }
    }

    /** SMFIC_BODYEOB: end of the message; the filter answers with its edits and its decision. */
    record EndOfMessage() implements MilterCommand {
        public char code() {
            return 'E';
        }
    }

    /** SMFIC_ABORT: forget the current message (RSET, or a transaction that ends without end-of-message). */
    record Abort() implements MilterCommand {
        public char code() {
            return 'A';
        }
    }

    /** SMFIC_QUIT: the SMTP session ended. */
    record Quit() implements MilterCommand {
        public char code() {
            return 'Q';
        }
    }
}
