package io.mxgate.core.envelope;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Queue ids in the shape of Postfix's long queue ids ({@code enable_long_queue_ids = yes}): the arrival time in
 * base 52 followed by random characters, so ids sort roughly by arrival and never collide across replicas.
 */
public final class QueueId {

    private static final char[] BASE52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz".toCharArray();
    private static final char[] RANDOM_ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int RANDOM_CHARS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;

    public QueueId(Clock clock) {
        this.clock = clock;
    }

    public String next() {
        long micros = clock.millis() * 1000;
        StringBuilder sb = new StringBuilder(20);
        char[] time = new char[12];
        int i = time.length;
        do {
            time[--i] = BASE52[(int) (micros % BASE52.length)];
            micros /= BASE52.length;
        } while (micros > 0);
        sb.append(time, i, time.length - i);
        for (int k = 0; k < RANDOM_CHARS; k++) {
            sb.append(RANDOM_ALPHABET[RANDOM.nextInt(RANDOM_ALPHABET.length)]);
        }
        return sb.toString();
    }
}
