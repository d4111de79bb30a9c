package io.mxgate.core.milter;

/** A filter sent bytes that are no packet of the milter protocol, or a packet whose data does not fit its command. */
public final class MalformedMilterPacketException extends RuntimeException {

    public MalformedMilterPacketException(String message) {
        super(message);
    }
}
