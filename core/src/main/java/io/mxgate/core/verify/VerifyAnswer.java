package io.mxgate.core.verify;

/**
 * The verifier's answer about one address: the status and Postfix's text for it (the next hop's reply for a
 * bounce, the reason for a deferral). {@code cached} tells whether it came from the cache without waiting.
 */
public record VerifyAnswer(VerifyStatus status, String text, boolean cached) {

    public static final String IN_PROGRESS = "Address verification in progress";

    public static VerifyAnswer inProgress() {
        return new VerifyAnswer(VerifyStatus.TODO, IN_PROGRESS, false);
    }
}
