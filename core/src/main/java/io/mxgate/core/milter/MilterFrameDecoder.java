package io.mxgate.core.milter;

import java.util.Arrays;

/**
 * Cuts the bytes a peer sends into packets ({@code uint32 length}, command byte, data) as they arrive, in any
 * pieces. The length is checked before anything is buffered: below 1 or above {@code maxPacket} is malformed (a
 * garbage length must not make us wait for gigabytes), and the decoder is then unusable, as the stream is.
 */
public final class MilterFrameDecoder {

    /** One packet: its command byte and data. */
    public record Packet(char code, byte[] data) {
    }

    private final int maxPacket;
    private byte[] buffer = new byte[256];
    private int start;
    private int end;
    private boolean broken;

    public MilterFrameDecoder(int maxPacket) {
        this.maxPacket = maxPacket;
    }

    public void feed(byte[] bytes) {
        if (end + bytes.length > buffer.length) {
            int live = end - start;
            byte[] grown = live + bytes.length > buffer.length
                    ? new byte[Math.max(buffer.length * 2, live + bytes.length)] : buffer;
            System.arraycopy(buffer, start, grown, 0, live);
            buffer = grown;
            start = 0;
            end = live;
        }
        System.arraycopy(bytes, 0, buffer, end, bytes.length);
        end += bytes.length;
    }

    /**
     * The next complete packet, or null while it is still incomplete.
     *
     * @throws MalformedMilterPacketException when the length is out of bounds (then and ever after)
     */
    public Packet next() {
        if (broken) {
            throw new MalformedMilterPacketException("stream out of sync after a bad packet length");
        }
        if (end - start < 4) {
            return null;
        }
        long length = ((buffer[start] & 0xffL) << 24) | ((buffer[start + 1] & 0xff) << 16)
                | ((buffer[start + 2] & 0xff) << 8) | (buffer[start + 3] & 0xff);
        if (length < 1 || length > maxPacket) {
            broken = true;
            throw new MalformedMilterPacketException("bad packet length: " + length);
        }
        if (end - start - 4 < length) {
            return null;
        }
        char code = (char) (buffer[start + 4] & 0xff);
        byte[] data = Arrays.copyOfRange(buffer, start + 5, start + 4 + (int) length);
        start += 4 + (int) length;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return new Packet(code, data);
    }

    /** Bytes received and not yet taken as a packet. */
    public int buffered() {
        return end - start;
    }
}
