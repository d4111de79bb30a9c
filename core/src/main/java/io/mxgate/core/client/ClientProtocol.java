package io.mxgate.core.client;

/** Postfix's smtp(8) speaks both; the differences are the greeting verb and one reply per recipient after DATA. */
public enum ClientProtocol {
    SMTP("EHLO"), LMTP("LHLO");

    private final String helloVerb;

    ClientProtocol(String helloVerb) {
        this.helloVerb = helloVerb;
    }

    public String helloVerb() {
        return helloVerb;
    }
}
