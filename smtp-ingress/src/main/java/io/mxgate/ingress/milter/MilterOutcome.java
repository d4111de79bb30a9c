package io.mxgate.ingress.milter;

import io.mxgate.core.smtp.Reply;

/**
 * What the filters together say about one SMTP event, Postfix's milter reply strings as types: nothing to say
 * (null there), a 4xx/5xx reply, DISCARD ("D"), HOLD/quarantine ("H...") or shut the session down ("S").
 */
public sealed interface MilterOutcome {

    MilterOutcome CONTINUE = new Continue();

    /** Go on as without filters. */
    record Continue() implements MilterOutcome {
    }

    /** Answer the SMTP command with this 4xx/5xx reply. */
    record Reject(Reply reply) implements MilterOutcome {
    }

    /** Accept the message and throw it away. */
    record Discard() implements MilterOutcome {
    }

    /** Accept the message into the hold queue (quarantine), with the filter's reason. */
    record Hold(String reason) implements MilterOutcome {
    }

    /** 421 and end the session (SMFIR_SHUTDOWN). */
    record Shutdown() implements MilterOutcome {
    }
}
