package io.mxgate.verify.cache;

import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.core.verify.VerifyStatus;

import java.time.Duration;

/**
 * Postfix's verify(8) cache rules, free of I/O and clocks so that every rule is a table-driven test:
 * <ul>
 * <li>a missing entry, or an expired one with no probe outstanding, reads as "in progress" (TODO);</li>
 * <li>an entry is probed again when no probe is outstanding and it is due: OK after the positive refresh time,
 *     DEFER/BOUNCE/TODO after the negative refresh time; the old answer keeps serving meanwhile;</li>
 * <li>a failed or deferred probe never overwrites an OK entry that has not expired;</li>
 * <li>entries live in Redis for their expire time (positive or negative) plus the probe lease.</li>
 * </ul>
 */
public final class VerifyPolicy {

    private final long positiveRefresh;
    private final long positiveExpire;
    private final long negativeRefresh;
    private final long negativeExpire;
    private final long probeLease;
    private final boolean negativeCache;

    public VerifyPolicy(Duration positiveRefresh, Duration positiveExpire, Duration negativeRefresh,
                        Duration negativeExpire, Duration probeLease, boolean negativeCache) {
        this.positiveRefresh = positiveRefresh.toMillis();
        this.positiveExpire = positiveExpire.toMillis();
        this.negativeRefresh = negativeRefresh.toMillis();
        this.negativeExpire = negativeExpire.toMillis();
        this.probeLease = probeLease.toMillis();
        this.negativeCache = negativeCache;
    }

    /**
     * What a query sees.
     *
     * @param answer      what to answer now (TODO when nothing usable is cached)
     * @param probe       whether to send a probe
     * @param markProbed  the entry to store with the probe time before probing, or null (nothing to store)
     * @param purge       whether to delete the stored entry (expired, and negative caching is off)
     */
    public record View(VerifyAnswer answer, boolean probe, VerifyEntry markProbed, boolean purge) {
    }

    public View onQuery(VerifyEntry stored, long now) {
        boolean usable = stored != null && !(now - stored.probed() > probeLease && expired(stored, now));
        VerifyEntry e = usable ? stored : new VerifyEntry(VerifyStatus.TODO, 0, 0, VerifyAnswer.IN_PROGRESS);
        boolean probe = now - e.probed() > probeLease && refreshDue(e, now);
        VerifyEntry mark = probe && (e.updated() != 0 || negativeCache) ? e.withProbed(now) : null;
        return new View(new VerifyAnswer(e.status(), e.text(), true), probe, mark,
                stored != null && !usable && !negativeCache);
    }

    /** The entry to store for a probe result, or null when the stored entry must stay as it is. */
    public VerifyEntry onResult(VerifyEntry stored, VerifyStatus result, String text, long now) {
        if (result != VerifyStatus.OK) {
            boolean validOk = stored != null && stored.status() == VerifyStatus.OK && !expired(stored, now);
            if (validOk || !negativeCache) {
                return null;
            }
        }
        return new VerifyEntry(result, 0, now, text);
    }

    /** How long Redis keeps an entry after this write. */
    public long ttlMillis(VerifyEntry e) {
        return (e.status() == VerifyStatus.OK ? positiveExpire : negativeExpire) + probeLease;
    }

    private boolean expired(VerifyEntry e, long now) {
        return e.updated() + (e.status() == VerifyStatus.OK ? positiveExpire : negativeExpire) < now;
    }

    private boolean refreshDue(VerifyEntry e, long now) {
        return e.updated() + (e.status() == VerifyStatus.OK ? positiveRefresh : negativeRefresh) < now;
    }
}
