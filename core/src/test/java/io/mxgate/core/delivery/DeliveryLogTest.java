package io.mxgate.core.delivery;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.EnhancedStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DeliveryLogTest {

    private static final Instant ARRIVAL = Instant.parse("2026-12-07T19:00:00Z");
    private static final RecipientResult SENT = new RecipientResult(new MailAddress("alice", "example.test"),
            RecipientResult.Status.SENT, EnhancedStatus.of(2, 0, 0), "250 2.0.0 Saved");

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("each stage in its own field: before active, in the queue manager, connect, transmit",
                        DeliveryLog.Delays.of(ARRIVAL, ARRIVAL.plusMillis(1500), ARRIVAL.plusMillis(1750),
                                Duration.ofMillis(20), Duration.ofMillis(90)),
                        Duration.ofMillis(1860), "delay=1.86, delays=1.5/0.25/0.02/0.09"),
                arguments("taken at once: the queue manager's share is 0",
                        DeliveryLog.Delays.of(ARRIVAL, ARRIVAL, ARRIVAL, Duration.ZERO, Duration.ofMillis(6)),
                        Duration.ofMillis(6), "delay=0.01, delays=0/0/0/0.01"),
                arguments("whole seconds from 10 s on",
                        DeliveryLog.Delays.of(ARRIVAL, ARRIVAL.plusSeconds(3), ARRIVAL.plusSeconds(15),
                                Duration.ofMillis(300), Duration.ZERO),
                        Duration.ofMillis(15_300), "delay=15, delays=3/12/0.3/0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void delaysAreWhereTheTimeWent(String name, DeliveryLog.Delays delays, Duration total, String expected) {
        assertEquals("4F2A: to=<alice@example.test>, relay=127.0.0.1[127.0.0.1]:24, " + expected
                        + ", dsn=2.0.0, status=sent (250 2.0.0 Saved)",
                DeliveryLog.line("4F2A", SENT, null, "127.0.0.1[127.0.0.1]:24", total, delays));
    }

    /** Postfix's orig_to= for an address virtual_alias_maps rewrote, and none when it is the recipient itself. */
    @org.junit.jupiter.api.Test
    void theAddressTheClientGaveIsLoggedWhenAnAliasRewroteIt() {
        DeliveryLog.Delays none = new DeliveryLog.Delays(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        assertEquals("4F2A: to=<alice@example.test>, orig_to=<info@alias.test>, relay=none, delay=0, delays=0/0/0/0, "
                        + "dsn=2.0.0, status=sent (250 2.0.0 Saved)",
                DeliveryLog.line("4F2A", SENT, new io.mxgate.core.address.MailAddress("info", "alias.test"), "none",
                        Duration.ZERO, none));
        assertEquals("4F2A: to=<alice@example.test>, relay=none, delay=0, delays=0/0/0/0, dsn=2.0.0, status=deliverable "
                        + "(250 2.0.0 Saved)",
                DeliveryLog.probeLine("4F2A", SENT, SENT.recipient(), "none", Duration.ZERO));
    }
}
