package io.mxgate.verify.cache;

import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.core.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.stream.Stream;

import static io.mxgate.core.verify.VerifyStatus.BOUNCE;
import static io.mxgate.core.verify.VerifyStatus.DEFER;
import static io.mxgate.core.verify.VerifyStatus.OK;
import static io.mxgate.core.verify.VerifyStatus.TODO;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Postfix's verify(8) cache rules with a controlled clock: every row is one stored entry (or none) seen at
 * {@link #NOW}, with Postfix's defaults (address_verify_positive_refresh_time 7d, positive_expire_time 31d,
 * negative_refresh_time 3h, negative_expire_time 3d, a 35 s probe lease, negative cache on unless a table says
 * otherwise).
 */
class VerifyPolicyTest {

    static final long NOW = 1_700_000_000_000L;

    static final Duration POS_REFRESH = Duration.ofDays(7);
    static final Duration POS_EXPIRE = Duration.ofDays(31);
    static final Duration NEG_REFRESH = Duration.ofHours(3);
    static final Duration NEG_EXPIRE = Duration.ofDays(3);
    static final Duration LEASE = Duration.ofSeconds(35);

    static final VerifyPolicy NEG_CACHE_ON = new VerifyPolicy(POS_REFRESH, POS_EXPIRE, NEG_REFRESH, NEG_EXPIRE, LEASE, true);
    static final VerifyPolicy NEG_CACHE_OFF = new VerifyPolicy(POS_REFRESH, POS_EXPIRE, NEG_REFRESH, NEG_EXPIRE, LEASE, false);

    static final String OK_TEXT = "250 2.1.5 Ok";
    static final String DEFER_TEXT = "host 127.0.0.1[127.0.0.1] said: 451 4.3.0 Temporary lookup failure (in reply to RCPT TO command)";
    static final String BOUNCE_TEXT = "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't exist: ghost@example.test (in reply to RCPT TO command)";
    static final String IN_PROGRESS = "Address verification in progress";

    /** The instant {@code d} before {@link #NOW}. */
    static long ago(Duration d) {
        return NOW - d.toMillis();
    }

    static long ago(Duration d, long plusMillis) {
        return NOW - d.toMillis() - plusMillis;
    }

    static final long NEVER = 0;
    static final long SECONDS_10_AGO = ago(Duration.ofSeconds(10));
    static final long SECONDS_35_AGO = ago(LEASE);
    static final long SECONDS_40_AGO = ago(Duration.ofSeconds(40));

    static VerifyEntry entry(VerifyStatus status, long probed, long updated) {
        String text;
        if (status == OK) {
            text = OK_TEXT;
        } else if (status == DEFER) {
            text = DEFER_TEXT;
        } else if (status == BOUNCE) {
            text = BOUNCE_TEXT;
        } else {
            text = IN_PROGRESS;
        }
        return new VerifyEntry(status, probed, updated, text);
    }

    /** The entry Postfix writes before a probe when nothing usable was cached. */
    static final VerifyEntry TODO_MARK = new VerifyEntry(TODO, NOW, 0, IN_PROGRESS);

    // ---------------------------------------------------------------------------------------------------------
    // onQuery, negative cache on
    // ---------------------------------------------------------------------------------------------------------

    /** name, stored, answer status, answer text, probe, markProbed, purge. */
    static Stream<Arguments> queriesNegativeCacheOn() {
        VerifyEntry okFresh = entry(OK, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry okAt7d = entry(OK, NEVER, ago(POS_REFRESH));
        VerifyEntry okPast7d = entry(OK, NEVER, ago(POS_REFRESH, 1));
        VerifyEntry ok8d = entry(OK, NEVER, ago(Duration.ofDays(8)));
        VerifyEntry ok8dProbed10s = entry(OK, SECONDS_10_AGO, ago(Duration.ofDays(8)));
        VerifyEntry ok8dProbed40s = entry(OK, SECONDS_40_AGO, ago(Duration.ofDays(8)));
        VerifyEntry okAt31d = entry(OK, NEVER, ago(POS_EXPIRE));
        VerifyEntry okPast31d = entry(OK, NEVER, ago(POS_EXPIRE, 1));
        VerifyEntry ok32d = entry(OK, NEVER, ago(Duration.ofDays(32)));
        VerifyEntry ok32dProbed10s = entry(OK, SECONDS_10_AGO, ago(Duration.ofDays(32)));
        VerifyEntry ok32dProbed35s = entry(OK, SECONDS_35_AGO, ago(Duration.ofDays(32)));
        VerifyEntry ok32dProbed40s = entry(OK, SECONDS_40_AGO, ago(Duration.ofDays(32)));

        VerifyEntry deferFresh = entry(DEFER, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry deferAt3h = entry(DEFER, NEVER, ago(NEG_REFRESH));
        VerifyEntry defer4h = entry(DEFER, NEVER, ago(Duration.ofHours(4)));
        VerifyEntry defer4hProbed10s = entry(DEFER, SECONDS_10_AGO, ago(Duration.ofHours(4)));
        VerifyEntry deferAt3d = entry(DEFER, NEVER, ago(NEG_EXPIRE));
        VerifyEntry defer4d = entry(DEFER, NEVER, ago(Duration.ofDays(4)));
        VerifyEntry defer4dProbed10s = entry(DEFER, SECONDS_10_AGO, ago(Duration.ofDays(4)));

        VerifyEntry bounceFresh = entry(BOUNCE, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry bouncePast3h = entry(BOUNCE, NEVER, ago(NEG_REFRESH, 1));
        VerifyEntry bounce4h = entry(BOUNCE, NEVER, ago(Duration.ofHours(4)));
        VerifyEntry bounce4hProbed10s = entry(BOUNCE, SECONDS_10_AGO, ago(Duration.ofHours(4)));
        VerifyEntry bounce4hProbed40s = entry(BOUNCE, SECONDS_40_AGO, ago(Duration.ofHours(4)));
        VerifyEntry bouncePast3d = entry(BOUNCE, NEVER, ago(NEG_EXPIRE, 1));
        VerifyEntry bounce4d = entry(BOUNCE, NEVER, ago(Duration.ofDays(4)));
        VerifyEntry bounce4dProbed10s = entry(BOUNCE, SECONDS_10_AGO, ago(Duration.ofDays(4)));

        VerifyEntry todoProbed10s = entry(TODO, SECONDS_10_AGO, 0);
        VerifyEntry todoProbed35s = entry(TODO, SECONDS_35_AGO, 0);
        VerifyEntry todoProbed40s = entry(TODO, SECONDS_40_AGO, 0);

        return Stream.of(
                arguments("no entry", null, TODO, IN_PROGRESS, true, TODO_MARK, false),

                arguments("OK fresh", okFresh, OK, OK_TEXT, false, null, false),
                arguments("OK exactly 7d old: refresh not due yet", okAt7d, OK, OK_TEXT, false, null, false),
                arguments("OK 7d+1ms old: served, background refresh", okPast7d, OK, OK_TEXT, true,
                        okPast7d.withProbed(NOW), false),
                arguments("OK 8d old: served, background refresh", ok8d, OK, OK_TEXT, true,
                        new VerifyEntry(OK, NOW, ok8d.updated(), OK_TEXT), false),
                arguments("OK 8d old, probed 10s ago: no second probe", ok8dProbed10s, OK, OK_TEXT, false, null, false),
                arguments("OK 8d old, probed 40s ago (lease lost): probe again", ok8dProbed40s, OK, OK_TEXT, true,
                        ok8dProbed40s.withProbed(NOW), false),
                arguments("OK exactly 31d old: not expired, refresh", okAt31d, OK, OK_TEXT, true,
                        okAt31d.withProbed(NOW), false),
                arguments("OK 31d+1ms old, no probe outstanding: TODO", okPast31d, TODO, IN_PROGRESS, true, TODO_MARK, false),
                arguments("OK 32d old, no probe outstanding: TODO", ok32d, TODO, IN_PROGRESS, true, TODO_MARK, false),
                arguments("OK 32d old, probed 10s ago: still served", ok32dProbed10s, OK, OK_TEXT, false, null, false),
                arguments("OK 32d old, probed exactly 35s ago: lease not over", ok32dProbed35s, OK, OK_TEXT, false, null, false),
                arguments("OK 32d old, probed 40s ago: TODO, probe again", ok32dProbed40s, TODO, IN_PROGRESS, true,
                        TODO_MARK, false),

                arguments("DEFER fresh", deferFresh, DEFER, DEFER_TEXT, false, null, false),
                arguments("DEFER exactly 3h old: refresh not due yet", deferAt3h, DEFER, DEFER_TEXT, false, null, false),
                arguments("DEFER 4h old: served, refresh", defer4h, DEFER, DEFER_TEXT, true,
                        new VerifyEntry(DEFER, NOW, defer4h.updated(), DEFER_TEXT), false),
                arguments("DEFER 4h old, probed 10s ago: no second probe", defer4hProbed10s, DEFER, DEFER_TEXT, false,
                        null, false),
                arguments("DEFER exactly 3d old: not expired, refresh", deferAt3d, DEFER, DEFER_TEXT, true,
                        deferAt3d.withProbed(NOW), false),
                arguments("DEFER 4d old: TODO", defer4d, TODO, IN_PROGRESS, true, TODO_MARK, false),
                arguments("DEFER 4d old, probed 10s ago: still served", defer4dProbed10s, DEFER, DEFER_TEXT, false,
                        null, false),

                arguments("BOUNCE fresh", bounceFresh, BOUNCE, BOUNCE_TEXT, false, null, false),
                arguments("BOUNCE 3h+1ms old: served, refresh", bouncePast3h, BOUNCE, BOUNCE_TEXT, true,
                        bouncePast3h.withProbed(NOW), false),
                arguments("BOUNCE 4h old: served, refresh", bounce4h, BOUNCE, BOUNCE_TEXT, true,
                        new VerifyEntry(BOUNCE, NOW, bounce4h.updated(), BOUNCE_TEXT), false),
                arguments("BOUNCE 4h old, probed 10s ago: no second probe", bounce4hProbed10s, BOUNCE, BOUNCE_TEXT,
                        false, null, false),
                arguments("BOUNCE 4h old, probed 40s ago: probe again", bounce4hProbed40s, BOUNCE, BOUNCE_TEXT, true,
                        bounce4hProbed40s.withProbed(NOW), false),
                arguments("BOUNCE 3d+1ms old: TODO", bouncePast3d, TODO, IN_PROGRESS, true, TODO_MARK, false),
                arguments("BOUNCE 4d old: TODO", bounce4d, TODO, IN_PROGRESS, true, TODO_MARK, false),
                arguments("BOUNCE 4d old, probed 10s ago: still served", bounce4dProbed10s, BOUNCE, BOUNCE_TEXT, false,
                        null, false),

                arguments("TODO probed 10s ago: wait", todoProbed10s, TODO, IN_PROGRESS, false, null, false),
                arguments("TODO probed exactly 35s ago: wait", todoProbed35s, TODO, IN_PROGRESS, false, null, false),
                arguments("TODO probed 40s ago: probe again", todoProbed40s, TODO, IN_PROGRESS, true, TODO_MARK, false));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("queriesNegativeCacheOn")
    void onQueryWithNegativeCache(String name, VerifyEntry stored, VerifyStatus status, String text, boolean probe,
                                  VerifyEntry markProbed, boolean purge) {
        assertView(NEG_CACHE_ON.onQuery(stored, NOW), status, text, probe, markProbed, purge);
    }

    // ---------------------------------------------------------------------------------------------------------
    // onQuery, negative cache off (address_verify_negative_cache = no)
    // ---------------------------------------------------------------------------------------------------------

    static Stream<Arguments> queriesNegativeCacheOff() {
        VerifyEntry okFresh = entry(OK, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry ok8d = entry(OK, NEVER, ago(Duration.ofDays(8)));
        VerifyEntry ok32d = entry(OK, NEVER, ago(Duration.ofDays(32)));
        VerifyEntry ok32dProbed10s = entry(OK, SECONDS_10_AGO, ago(Duration.ofDays(32)));
        VerifyEntry deferFresh = entry(DEFER, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry defer4h = entry(DEFER, NEVER, ago(Duration.ofHours(4)));
        VerifyEntry defer4d = entry(DEFER, NEVER, ago(Duration.ofDays(4)));
        VerifyEntry bounceFresh = entry(BOUNCE, NEVER, ago(Duration.ofHours(1)));
        VerifyEntry bounce4h = entry(BOUNCE, NEVER, ago(Duration.ofHours(4)));
        VerifyEntry bounce4d = entry(BOUNCE, NEVER, ago(Duration.ofDays(4)));
        VerifyEntry bounce4dProbed10s = entry(BOUNCE, SECONDS_10_AGO, ago(Duration.ofDays(4)));
        VerifyEntry todoProbed10s = entry(TODO, SECONDS_10_AGO, 0);
        VerifyEntry todoProbed40s = entry(TODO, SECONDS_40_AGO, 0);

        return Stream.of(
                arguments("no entry: probe, store nothing", null, TODO, IN_PROGRESS, true, null, false),
                arguments("OK fresh", okFresh, OK, OK_TEXT, false, null, false),
                arguments("OK 8d old: refresh still marks the entry", ok8d, OK, OK_TEXT, true, ok8d.withProbed(NOW), false),
                arguments("OK 32d old: purge, TODO, probe", ok32d, TODO, IN_PROGRESS, true, null, true),
                arguments("OK 32d old, probed 10s ago: served, kept", ok32dProbed10s, OK, OK_TEXT, false, null, false),
                arguments("DEFER fresh", deferFresh, DEFER, DEFER_TEXT, false, null, false),
                arguments("DEFER 4h old: refresh marks the entry", defer4h, DEFER, DEFER_TEXT, true,
                        defer4h.withProbed(NOW), false),
                arguments("DEFER 4d old: purge", defer4d, TODO, IN_PROGRESS, true, null, true),
                arguments("BOUNCE fresh", bounceFresh, BOUNCE, BOUNCE_TEXT, false, null, false),
                arguments("BOUNCE 4h old: refresh marks the entry", bounce4h, BOUNCE, BOUNCE_TEXT, true,
                        bounce4h.withProbed(NOW), false),
                arguments("BOUNCE 4d old: purge", bounce4d, TODO, IN_PROGRESS, true, null, true),
                arguments("BOUNCE 4d old, probed 10s ago: served, kept", bounce4dProbed10s, BOUNCE, BOUNCE_TEXT, false,
                        null, false),
                arguments("TODO probed 10s ago: wait", todoProbed10s, TODO, IN_PROGRESS, false, null, false),
                arguments("TODO probed 40s ago: purge, probe", todoProbed40s, TODO, IN_PROGRESS, true, null, true));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("queriesNegativeCacheOff")
    void onQueryWithoutNegativeCache(String name, VerifyEntry stored, VerifyStatus status, String text, boolean probe,
                                     VerifyEntry markProbed, boolean purge) {
        assertView(NEG_CACHE_OFF.onQuery(stored, NOW), status, text, probe, markProbed, purge);
    }

    static void assertView(VerifyPolicy.View view, VerifyStatus status, String text, boolean probe,
                           VerifyEntry markProbed, boolean purge) {
        assertAll(
                () -> assertEquals(status, view.answer().status(), "answer status"),
                () -> assertEquals(text, view.answer().text(), "answer text"),
                () -> assertEquals(probe, view.probe(), "probe"),
                () -> assertEquals(markProbed, view.markProbed(), "markProbed"),
                () -> assertEquals(purge, view.purge(), "purge"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // onResult
    // ---------------------------------------------------------------------------------------------------------

    static final String NEW_TEXT = "new probe result";

    /** name, negative cache, stored, result, expected stored entry (null: keep what is there). */
    static Stream<Arguments> results() {
        VerifyEntry okFreshProbed = entry(OK, SECONDS_10_AGO, ago(Duration.ofHours(1)));
        VerifyEntry ok8dProbed = entry(OK, SECONDS_10_AGO, ago(Duration.ofDays(8)));
        VerifyEntry okAt31d = entry(OK, SECONDS_10_AGO, ago(POS_EXPIRE));
        VerifyEntry okPast31d = entry(OK, SECONDS_10_AGO, ago(POS_EXPIRE, 1));
        VerifyEntry ok32d = entry(OK, NEVER, ago(Duration.ofDays(32)));
        VerifyEntry defer = entry(DEFER, SECONDS_10_AGO, ago(Duration.ofHours(4)));
        VerifyEntry bounce = entry(BOUNCE, SECONDS_10_AGO, ago(Duration.ofHours(4)));
        VerifyEntry todo = entry(TODO, SECONDS_10_AGO, 0);

        VerifyEntry newOk = new VerifyEntry(OK, 0, NOW, NEW_TEXT);
        VerifyEntry newDefer = new VerifyEntry(DEFER, 0, NOW, NEW_TEXT);
        VerifyEntry newBounce = new VerifyEntry(BOUNCE, 0, NOW, NEW_TEXT);

        return Stream.of(
                // OK always wins
                arguments("OK over none", true, null, OK, newOk),
                arguments("OK over fresh OK", true, okFreshProbed, OK, newOk),
                arguments("OK over 8d OK", true, ok8dProbed, OK, newOk),
                arguments("OK over expired OK", true, ok32d, OK, newOk),
                arguments("OK over DEFER", true, defer, OK, newOk),
                arguments("OK over BOUNCE", true, bounce, OK, newOk),
                arguments("OK over TODO", true, todo, OK, newOk),
                // a failed probe never clobbers a valid OK
                arguments("DEFER over fresh OK: kept", true, okFreshProbed, DEFER, null),
                arguments("BOUNCE over fresh OK: kept", true, okFreshProbed, BOUNCE, null),
                arguments("DEFER over 8d OK: kept", true, ok8dProbed, DEFER, null),
                arguments("BOUNCE over 8d OK: kept", true, ok8dProbed, BOUNCE, null),
                arguments("BOUNCE over OK exactly 31d old: kept", true, okAt31d, BOUNCE, null),
                arguments("BOUNCE over OK 31d+1ms old: stored", true, okPast31d, BOUNCE, newBounce),
                arguments("DEFER over OK 32d old: stored", true, ok32d, DEFER, newDefer),
                arguments("BOUNCE over OK 32d old: stored", true, ok32d, BOUNCE, newBounce),
                // negative results over negative or no entries
                arguments("DEFER over none", true, null, DEFER, newDefer),
                arguments("BOUNCE over none", true, null, BOUNCE, newBounce),
                arguments("DEFER over DEFER", true, defer, DEFER, newDefer),
                arguments("BOUNCE over DEFER", true, defer, BOUNCE, newBounce),
                arguments("DEFER over BOUNCE", true, bounce, DEFER, newDefer),
                arguments("BOUNCE over BOUNCE", true, bounce, BOUNCE, newBounce),
                arguments("DEFER over TODO", true, todo, DEFER, newDefer),
                arguments("BOUNCE over TODO", true, todo, BOUNCE, newBounce),
                // negative cache off: only OK is stored
                arguments("no negative cache: OK over none", false, null, OK, newOk),
                arguments("no negative cache: OK over BOUNCE", false, bounce, OK, newOk),
                arguments("no negative cache: OK over fresh OK", false, okFreshProbed, OK, newOk),
                arguments("no negative cache: BOUNCE over none", false, null, BOUNCE, null),
                arguments("no negative cache: DEFER over none", false, null, DEFER, null),
                arguments("no negative cache: BOUNCE over TODO", false, todo, BOUNCE, null),
                arguments("no negative cache: BOUNCE over DEFER", false, defer, BOUNCE, null),
                arguments("no negative cache: BOUNCE over fresh OK", false, okFreshProbed, BOUNCE, null),
                arguments("no negative cache: DEFER over expired OK", false, ok32d, DEFER, null));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("results")
    void onResult(String name, boolean negativeCache, VerifyEntry stored, VerifyStatus result, VerifyEntry expected) {
        VerifyPolicy policy = negativeCache ? NEG_CACHE_ON : NEG_CACHE_OFF;
        assertEquals(expected, policy.onResult(stored, result, NEW_TEXT, NOW));
    }

    // ---------------------------------------------------------------------------------------------------------
    // ttlMillis
    // ---------------------------------------------------------------------------------------------------------

    static Stream<Arguments> ttls() {
        long positive = Duration.ofDays(31).plusSeconds(35).toMillis();
        long negative = Duration.ofDays(3).plusSeconds(35).toMillis();
        return Stream.of(
                arguments(new VerifyEntry(OK, 0, NOW, OK_TEXT), positive),
                arguments(new VerifyEntry(OK, NOW, ago(Duration.ofDays(8)), OK_TEXT), positive),
                arguments(new VerifyEntry(DEFER, 0, NOW, DEFER_TEXT), negative),
                arguments(new VerifyEntry(BOUNCE, 0, NOW, BOUNCE_TEXT), negative),
                arguments(TODO_MARK, negative));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1} ms")
    @MethodSource("ttls")
    void ttlIsExpireTimePlusLease(VerifyEntry entry, long ttl) {
        assertEquals(ttl, NEG_CACHE_ON.ttlMillis(entry));
        assertEquals(ttl, NEG_CACHE_OFF.ttlMillis(entry));
    }

    // ---------------------------------------------------------------------------------------------------------
    // A few sequences: a query, its probe's result, the next query.
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void failedRefreshKeepsOkAndReprobesAfterLease() {
        VerifyEntry ok = entry(OK, NEVER, ago(Duration.ofDays(8)));
        VerifyPolicy.View first = NEG_CACHE_ON.onQuery(ok, NOW);
        assertTrue(first.probe());
        VerifyEntry marked = first.markProbed();
        assertNull(NEG_CACHE_ON.onResult(marked, BOUNCE, BOUNCE_TEXT, NOW + 1_000));
        // still within the lease: no second probe, OK served
        assertView(NEG_CACHE_ON.onQuery(marked, NOW + 20_000), OK, OK_TEXT, false, null, false);
        // lease over: probe again
        long later = NOW + 36_000;
        assertView(NEG_CACHE_ON.onQuery(marked, later), OK, OK_TEXT, true, marked.withProbed(later), false);
    }

    @Test
    void firstQueryThenBounceIsServedFromCache() {
        VerifyPolicy.View first = NEG_CACHE_ON.onQuery(null, NOW);
        VerifyEntry stored = NEG_CACHE_ON.onResult(first.markProbed(), BOUNCE, BOUNCE_TEXT, NOW + 2_000);
        assertEquals(new VerifyEntry(BOUNCE, 0, NOW + 2_000, BOUNCE_TEXT), stored);
        assertView(NEG_CACHE_ON.onQuery(stored, NOW + 60_000), BOUNCE, BOUNCE_TEXT, false, null, false);
    }

    @Test
    void inProgressTextIsPostfixs() {
        assertEquals(IN_PROGRESS, VerifyAnswer.IN_PROGRESS);
    }
}
