package io.mxgate.config;

import io.mxgate.core.table.sql.SqlOptions;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How the services run their {@code mysql:} and {@code pgsql:} tables ({@code mxgate.sql.*}, ADR 0008): what the
 * Postfix table files cannot say because Postfix has no pools and no cache. Convert with {@link #options()}.
 */
public interface SqlSettings {

    /** How long an answer, "not found" included, is served from the cache without asking the database. */
    @WithDefault("60s")
    Duration cacheTtl();

    /**
     * How long past {@link #cacheTtl()} a cached answer is still served while every database host fails, so that
     * known addresses keep working through an outage; a key not in the cache gets 451 4.3.0.
     */
    @WithDefault("1h")
    Duration cacheStaleIfError();

    /** Answers cached per table; the oldest go first. */
    @WithDefault("10000")
    int cacheSize();

    /** Connections per database host and table. */
    @WithDefault("4")
    int poolSize();

    /** How long a connection to one database host may take before the next host is tried. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** How long one query may take before it counts as that host's failure. */
    @WithDefault("10s")
    Duration queryTimeout();

    /** These settings as core's {@link SqlOptions}. */
    default SqlOptions options() {
        return new SqlOptions(poolSize(), connectTimeout(), queryTimeout(), cacheTtl(), cacheStaleIfError(),
                cacheSize());
    }
}
