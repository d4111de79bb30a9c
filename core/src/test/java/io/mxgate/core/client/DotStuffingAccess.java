package io.mxgate.core.client;

/**
 * Test-only bridge: lets the fuzz targets in {@code io.mxgate.core.fuzz} re-stuff a decoded message with the very
 * code the LMTP/SMTP client sends it with ({@link ClientConnection#dotStuffed}, package-private).
 */
public final class DotStuffingAccess {

    private DotStuffingAccess() {
    }

    /** {@code content[0, length)} dot-stuffed and terminated with {@code .CRLF}, as the client writes it. */
    public static byte[] dotStuffed(byte[] content, int length) {
        return ClientConnection.dotStuffed(content, length).getBytes();
    }
}
