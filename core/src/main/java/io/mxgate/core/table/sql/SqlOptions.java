package io.mxgate.core.table.sql;

import java.time.Duration;

/**
 * How mxgate runs its SQL tables, whatever the table file says (config {@code SqlSettings}, {@code mxgate.sql.*}).
 *
 * @param poolSize       connections per database host and table
 * @param connectTimeout how long a connection to one host may take before the next host is tried
 * @param queryTimeout   how long one query may take before it counts as that host's failure
 * @param cacheTtl       how long an answer (found or not found) is served without asking the database
 * @param staleIfError   how long past {@code cacheTtl} an answer is still served while the database fails
 * @param cacheSize      answers kept per table; the oldest go first
 */
public record SqlOptions(int poolSize, Duration connectTimeout, Duration queryTimeout, Duration cacheTtl,
                         Duration staleIfError, int cacheSize) {

    public static final SqlOptions DEFAULTS = new SqlOptions(4, Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofHours(1), 10_000);

    public SqlOptions {
        if (poolSize < 1 || cacheSize < 0) {
            throw new IllegalArgumentException("pool size must be at least 1 and cache size at least 0");
        }
        for (Duration d : new Duration[]{connectTimeout, queryTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("SQL timeouts must be positive: " + d);
            }
        }
        if (cacheTtl.isNegative() || staleIfError.isNegative()) {
            throw new IllegalArgumentException("SQL cache durations must not be negative");
        }
    }
}
