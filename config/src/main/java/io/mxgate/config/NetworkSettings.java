package io.mxgate.config;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a service is on the network and whom it asks for names: our own addresses (the listener binds
 * {@code inet_interfaces}; an MX host on one of them, or on {@code proxy_interfaces}, is us) and the DNS server.
 */
public interface NetworkSettings {

    /** Postfix {@code inet_interfaces}: the address smtp-ingress binds, and one of our own addresses. */
    @WithDefault("127.0.0.1")
    String inetInterfaces();

    /**
     * Postfix {@code proxy_interfaces}: our public addresses (a load balancer's), which permit_mx_backup and the
     * SMTP client's loop check look for among a domain's MX hosts, besides {@code inet_interfaces}.
     */
    Optional<String> proxyInterfaces();

    /** {@code host[:port]} of the DNS server for MX, A, TXT and RBL lookups (default: the first of /etc/resolv.conf). */
    Optional<String> dnsResolver();

    /** One DNS query; a timeout defers (4.4.3), or answers 451 4.3.0 at RCPT. */
    @WithDefault("5s")
    Duration dnsTimeout();

    /** {@code inet_interfaces} and {@code proxy_interfaces} together: every address that is us. */
    default List<String> ownAddresses() {
        List<String> out = new ArrayList<>();
        for (String list : List.of(inetInterfaces(), proxyInterfaces().orElse(""))) {
            for (String a : list.strip().split("[,\\s]+")) {
                if (!a.isEmpty()) {
                    out.add(a);
                }
            }
        }
        return out;
    }
}
