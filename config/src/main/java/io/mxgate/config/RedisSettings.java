package io.mxgate.config;

import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The Redis of the verifier's verify cache and queue-worker's queue index ({@code mxgate.redis-*}): one endpoint, a
 * standalone Redis or whatever a managed Redis or a Kubernetes Service puts in front of its primary (ADR 0010 says
 * why nothing more is needed). Each service's application.properties hands these to Quarkus' Redis client
 * ({@code quarkus.redis.*}); nothing logs them.
 */
public interface RedisSettings {

    /**
     * {@code redis://host:port} or, for TLS, {@code rediss://host:port}; a Redis 6 ACL user is the URL's
     * {@code ?user=} ({@code rediss://host:port?user=mxgate}; Vert.x reads {@code user@host} as no user at all) and
     * its password {@link #redisPassword()}. With TLS the server's certificate must name the host of the URL (host
     * name verification is always on).
     */
    @WithDefault("redis://127.0.0.1:16379")
    String redisUrl();

    /**
     * The password the services AUTH with (Redis {@code requirepass}, or the ACL user's of the URL); unset or empty
     * means no AUTH. Meant to come from a Secret (env MXGATE_REDIS_PASSWORD) rather than the URL.
     */
    Optional<String> redisPassword();

    /**
     * PEM file of the CA (or CAs) that signed the Redis server's certificate, for {@code rediss://}; unset means the
     * JVM's default trust store (a managed Redis with a public CA).
     */
    Optional<Path> redisTlsCaFile();
}
