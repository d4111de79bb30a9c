package io.mxgate.core.client;

import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.LookupTables;
import io.mxgate.core.transport.NextHop;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * The SMTP client's TLS policy per next hop, as Postfix's smtp_tls_policy.c chooses it: {@code smtp_tls_policy_maps}
 * looked up with the next-hop destination as transport(5) writes it, else {@code smtp_tls_security_level}.
 *
 * <p>Lookup keys (TLS_README, "TLS policy table"): a domain next hop ({@code example.com}, MX lookup) is looked up
 * as itself, then as its parent domains with a leading dot ({@code .example.com}, {@code .com}); a next hop with a
 * port or in brackets only as written ({@code [mx.example.com]}, {@code [mx.example.com]:587},
 * {@code example.com:2525}). mxgate's next hops do not remember whether a port that equals {@code smtp_tcp_port} was
 * written, so such a next hop is looked up without the port and then with it.
 */
public final class TlsPolicies {

    private final TlsPolicy global;
    private final List<LookupTable> tables;
    private final int defaultPort;
    private final List<String> verifyMatch;
    private final List<String> secureMatch;
    private final TlsTrust trust;

    /**
     * @param global      {@code smtp_tls_security_level}
     * @param tables      {@code smtp_tls_policy_maps} (may be empty)
     * @param defaultPort {@code smtp_tcp_port}
     * @param verifyMatch {@code smtp_tls_verify_cert_match}
     * @param secureMatch {@code smtp_tls_secure_cert_match}
     */
    public TlsPolicies(ClientTls global, List<LookupTable> tables, int defaultPort, List<String> verifyMatch,
                       List<String> secureMatch, TlsTrust trust) {
        this.global = new TlsPolicy(global, List.of());
        this.tables = List.copyOf(tables);
        this.defaultPort = defaultPort;
        this.verifyMatch = List.copyOf(verifyMatch);
        this.secureMatch = List.copyOf(secureMatch);
        this.trust = trust;
    }

    /**
     * The policy for a next hop; fails with {@link TlsPolicy.InvalidPolicyException} (Postfix's warning text, with
     * the table and key) when the entry is invalid or the table cannot answer: the caller defers with 4.7.5.
     */
    public Future<TlsPolicy> policy(NextHop hop) {
        if (tables.isEmpty()) {
            return Future.succeededFuture(global);
        }
        List<String> keys = keys(hop, defaultPort);
        String where = "smtp_tls_policy_maps, next-hop destination \"" + keys.get(0) + "\"";
        return LookupTables.firstOf(tables, keys)
                .recover(e -> Future.failedFuture(new TlsPolicy.InvalidPolicyException(where
                        + ": policy table lookup error")))
                .compose(value -> {
                    if (value.isEmpty()) {
                        return Future.succeededFuture(global);
                    }
                    try {
                        return Future.succeededFuture(TlsPolicy.parse(value.get()));
                    } catch (TlsPolicy.InvalidPolicyException e) {
                        return Future.failedFuture(new TlsPolicy.InvalidPolicyException(where + ": "
                                + e.getMessage()));
                    }
                });
    }

    /** What a conversation with one server of {@code hop} requires; {@code hostname} is the server's name. */
    public TlsRequirement requirement(TlsPolicy policy, String hostname, NextHop hop) {
        return policy.requirement(hostname, hop.host(), verifyMatch, secureMatch, trust);
    }

    /** The keys {@code smtp_tls_policy_maps} is searched with for a next hop, in order. */
    static List<String> keys(NextHop hop, int defaultPort) {
        String host = hop.host();
        List<String> keys = new ArrayList<>();
        String bare = hop.mxLookup() ? host : "[" + host + "]";
        if (hop.port() != defaultPort) {
            keys.add(bare + ":" + hop.port());
            return keys;
        }
        keys.add(bare);
        if (!hop.mxLookup()) {
            keys.add(bare + ":" + hop.port());
            return keys;
        }
        for (int dot = host.indexOf('.', 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
            keys.add(host.substring(dot));
        }
        return keys;
    }
}
