package io.mxgate.core.verify;

/**
 * An address's verification status, as Postfix's verify(8) keeps it: deliverable, deferred, bounced, or not known
 * yet (a probe is under way). The wire contract between smtp-ingress and the verifier.
 */
public enum VerifyStatus {
    /** The next hop accepted RCPT TO. */
    OK,
    /** The next hop answered 4xx or could not be reached. */
    DEFER,
    /** The next hop answered 5xx. */
    BOUNCE,
    /** No usable answer yet: "Address verification in progress". */
    TODO
}
