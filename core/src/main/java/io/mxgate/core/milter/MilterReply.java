package io.mxgate.core.milter;

import io.mxgate.core.smtp.Reply;

import java.util.Map;

/**
 * A packet a filter sends to the MTA (libmilter's SMFIR_*, and its OPTNEG answer). Decisions end the filter's answer
 * to one event; {@link Progress}, {@link Quarantine} and the edits (only after end-of-message) come before one.
 */
public sealed interface MilterReply {

    /** The command byte on the wire. */
    char code();

    /** Ends the filter's answer to an event. */
    sealed interface Decision extends MilterReply {
    }

    /** A header or envelope change, or a piece of a new body: allowed only in the answer to end-of-message. */
    sealed interface Edit extends MilterReply {
    }

    /**
     * The filter's OPTNEG answer: its version, the actions it wants (SMFIF_*), the protocol steps it wants skipped or
     * left unanswered (SMFIP_*), and macro lists it asks for per stage (SMFIR_SETSYMLIST data, {@code SMFIM_*} ->
     * space-separated names), in order.
     */
    record OptNeg(int version, int actions, int protocol, Map<Integer, String> macros) implements MilterReply {
        public OptNeg {
            macros = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(macros));
        }

        public char code() {
            return 'O';
        }
    }

    /** SMFIR_CONTINUE: go on. */
    record Continue() implements Decision {
        public char code() {
            return 'c';
        }
    }

    /** SMFIR_ACCEPT: accept this message (or, at connect/HELO, the whole session) without further events. */
    record Accept() implements Decision {
        public char code() {
            return 'a';
        }
    }

    /** SMFIR_REJECT: Postfix answers {@code 550 5.7.1 Command rejected}. */
    record Reject() implements Decision {
        public char code() {
            return 'r';
        }
    }

    /** SMFIR_TEMPFAIL: Postfix answers {@code 451 4.7.1 Service unavailable - try again later}. */
    record Tempfail() implements Decision {
        public char code() {
            return 't';
        }
    }

    /** SMFIR_DISCARD: accept the message and throw it away. */
    record Discard() implements Decision {
        public char code() {
            return 'd';
        }
    }

    /** SMFIR_SKIP: send no more events of this kind (body chunks) for this message. */
    record Skip() implements Decision {
        public char code() {
            return 's';
        }
    }

    /** SMFIR_SHUTDOWN: Postfix answers {@code 421 4.7.0 Server closing connection}. */
    record Shutdown() implements Decision {
        public char code() {
            return '4';
        }
    }

    /** SMFIR_REPLYCODE: the filter's own 4xx/5xx reply, already checked and with '%%' undone. */
    record ReplyCode(Reply reply) implements Decision {
        public char code() {
            return 'y';
        }
    }

    /** SMFIR_PROGRESS: still working; the wait starts again. */
    record Progress() implements MilterReply {
        public char code() {
            return 'p';
        }
    }

    /** SMFIR_QUARANTINE: hold the message (Postfix's hold queue), with a reason; not a decision. */
    record Quarantine(String reason) implements MilterReply {
        public char code() {
            return 'q';
        }
    }

    /** SMFIR_ADDHEADER: append a header. */
    record AddHeader(String name, String value) implements Edit {
        public char code() {
            return 'h';
        }
    }

    /** SMFIR_INSHEADER: insert a header at {@code index} (0: the very top, before our Received header). */
    record InsertHeader(int index, String name, String value) implements Edit {
        public char code() {
            return 'i';
        }
    }

    /**
     * SMFIR_CHGHEADER: replace the {@code index}-th header of that name (1: the first as received; 0 is taken as 1),
     * or delete it when the value is empty.
     */
    record ChangeHeader(int index, String name, String value) implements Edit {
        public char code() {
            return 'm';
        }
    }

    /** SMFIR_CHGFROM: a new envelope sender, with ESMTP parameters (null: none). */
    record ChangeSender(String address, String parameters) implements Edit {
        public char code() {
            return 'e';
        }
    }

    /** SMFIR_ADDRCPT ({@code parameters} null) or SMFIR_ADDRCPT_PAR: a new envelope recipient. */
    record AddRecipient(String address, String parameters) implements Edit {
        public char code() {
            return parameters == null ? '+' : '2';
        }
    }

    /** SMFIR_DELRCPT: remove a recipient (as the client gave it, before alias expansion). */
    record DeleteRecipient(String address) implements Edit {
        public char code() {
            return '-';
        }
    }

    /** SMFIR_REPLBODY: a piece of the new body; the pieces of one answer are the whole new body. */
    record ReplaceBody(byte[] chunk) implements Edit {
        public char code() {
            return 'b';
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ReplaceBody b && java.util.Arrays.equals(chunk, b.chunk);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(chunk);
        }

        @Override
        public String toString() {
            return "ReplaceBody[" + chunk.length + " bytes]";
        }
    }
}
