package io.mxgate.core.dns;

import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.transport.NextHop;
import io.vertx.core.Future;
import io.vertx.core.dns.MxRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A next hop to the servers to try, in order (Postfix's smtp_addr.c). {@code [host]} and LMTP next hops are not
 * looked up in DNS: an IP address (IPv4 or IPv6) is used as it is, a name is left to the connecting socket's
 * resolver (which knows /etc/hosts and search domains, as Kubernetes service names need). Other SMTP next hops are
 * MX lookups; each MX host's addresses are its A and AAAA records as {@code inet_protocols} allows (a host with
 * addresses of one family only is fine, as in Postfix: a lookup that fails for one family while the other answers
 * is not an error), ordered within one MX preference by {@code smtp_address_preference}. A server of one family
 * that cannot be reached is followed by the next address, of either family.
 */
public final class HostResolver {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int SMTP_PORT = 25;

    /** One server: {@code name} for logs, {@code address} to connect to, its MX preference (0 without MX). */
    public record Host(String name, String address, int port, int preference) {
        @Override
        public String toString() {
            return name + "[" + address + "]:" + port;
        }
    }

    /** The servers to try, or why there are none (with the DSN status Postfix gives it). */
    public sealed interface Result {
        record Hosts(List<Host> hosts) implements Result {
            public Hosts {
                hosts = List.copyOf(hosts);
            }
        }

        record Failure(EnhancedStatus dsn, String text) implements Result {
            public boolean permanent() {
                return dsn.klass() == 5;
            }
        }
    }

    private final Dns dns;
    private final Set<String> ownAddresses;
    private final int addressLimit;
    private final Random random;
    private final InetProtocols protocols;
    private final AddressPreference preference;

    /**
     * @param ownAddresses the addresses we receive mail on ({@code inet_interfaces} and {@code proxy_interfaces}),
     *                     for loop detection on port 25
     * @param addressLimit {@code smtp_mx_address_limit}; 0 means no limit
     * @param protocols    {@code inet_protocols}
     * @param preference   {@code smtp_address_preference}
     */
    public HostResolver(Dns dns, Set<String> ownAddresses, int addressLimit, Random random, InetProtocols protocols,
                        AddressPreference preference) {
        this.dns = dns;
        this.ownAddresses = Set.copyOf(ownAddresses);
        this.addressLimit = addressLimit;
        this.random = random;
        this.protocols = protocols;
        this.preference = preference;
    }

    public Future<Result> resolve(NextHop hop) {
        String host = hop.host();
        if (!hop.mxLookup()) {
            if (hop.port() == SMTP_PORT && !hop.transport().equals("lmtp") && ownAddresses.contains(host)) {
                return Future.succeededFuture(loop("[" + host + "]"));
            }
            return Future.succeededFuture(new Result.Hosts(List.of(new Host(host, host, hop.port(), 0))));
        }
        if (isAddress(host)) {
            return Future.succeededFuture(new Result.Hosts(List.of(new Host(host, host, hop.port(), 0))));
        }
        return dns.mx(host).compose(mx -> switch (mx.status()) {
            case NOT_FOUND -> Future.succeededFuture(nameError(5, host, "MX", mx.detail()));
            case TRY_AGAIN -> Future.succeededFuture(nameError(4, host, "MX", mx.detail()));
            case OK -> mx.records().isEmpty() ? implicitMx(hop) : fromMx(hop, mx.records());
        });
    }

    /** RFC 5321 5.1: no MX records, so the domain itself, preference 0. */
    private Future<Result> implicitMx(NextHop hop) {
        return addresses(hop.host()).map(a -> {
            if (a.status() != Dns.Answer.Status.OK || a.records().isEmpty()) {
                return nameError(a.status() == Dns.Answer.Status.TRY_AGAIN ? 4 : 5, hop.host(), type(),
                        a.status() == Dns.Answer.Status.OK ? "No address associated with hostname" : a.detail());
            }
            List<Host> hosts = new ArrayList<>();
            for (String address : a.records()) {
                hosts.add(new Host(hop.host(), address, hop.port(), 0));
            }
            return finish(hop, order(hosts), 0);
        });
    }

    private Future<Result> fromMx(NextHop hop, List<MxRecord> records) {
        List<MxRecord> sorted = new ArrayList<>(records);
        if (sorted.size() == 1 && name(sorted.get(0)).isEmpty()) {
            return Future.succeededFuture(new Result.Failure(EnhancedStatus.of(5, 1, 10),
                    "Domain " + hop.host() + " does not accept mail (nullMX)"));
        }
        Collections.shuffle(sorted, random);
        sorted.sort(Comparator.comparingInt(MxRecord::priority));
        List<Future<Dns.Answer<String>>> lookups = new ArrayList<>();
        for (MxRecord r : sorted) {
            String name = name(r);
            lookups.add(isAddress(name)
                    ? Future.succeededFuture(new Dns.Answer<>(Dns.Answer.Status.OK, List.of(name), ""))
                    : addresses(name));
        }
        return Future.join(new ArrayList<Future<?>>(lookups)).transform(x -> {
            List<Host> hosts = new ArrayList<>();
            boolean temporary = false;
            String lastName = hop.host();
            String lastDetail = "Host not found";
            for (int i = 0; i < sorted.size(); i++) {
                Dns.Answer<String> a = lookups.get(i).result();
                String name = name(sorted.get(i));
                if (a == null || a.status() != Dns.Answer.Status.OK || a.records().isEmpty()) {
                    temporary |= a == null || a.status() == Dns.Answer.Status.TRY_AGAIN;
                    lastName = name;
                    lastDetail = a == null ? "Host not found, try again" : a.status() == Dns.Answer.Status.OK
                            ? "No address associated with hostname" : a.detail();
                    continue;
                }
                for (String address : a.records()) {
                    hosts.add(new Host(name, address, hop.port(), sorted.get(i).priority()));
                }
            }
            if (hosts.isEmpty()) {
                return Future.succeededFuture(nameError(temporary ? 4 : 5, lastName, type(), lastDetail));
            }
            return Future.succeededFuture(finish(hop, order(hosts), sorted.get(0).priority()));
        });
    }

    private static boolean isAddress(String host) {
        return IPV4.matcher(host).matches() || InetProtocols.isIpv6Literal(host);
    }

    /** The record type named in a lookup error, as Postfix names the one it asked last. */
    private String type() {
        return protocols.ipv6() && !protocols.ipv4() ? "AAAA" : "A";
    }

    /**
     * A host's addresses of the families {@code inet_protocols} enables, IPv4 first: records when either lookup
     * has some; else a temporary failure if either failed so; else "no address" if the name exists; else NXDOMAIN.
     */
    private Future<Dns.Answer<String>> addresses(String name) {
        Future<Dns.Answer<String>> v4 = protocols.ipv4() ? dns.a(name) : Future.succeededFuture(null);
        Future<Dns.Answer<String>> v6 = protocols.ipv6() ? dns.aaaa(name) : Future.succeededFuture(null);
        return Future.join(v4, v6).transform(x -> {
            List<Dns.Answer<String>> answers = new ArrayList<>();
            for (Future<Dns.Answer<String>> f : List.of(v4, v6)) {
                if (f.result() != null) {
                    answers.add(f.result());
                }
            }
            List<String> records = new ArrayList<>();
            answers.forEach(a -> records.addAll(a.records()));
            if (!records.isEmpty()) {
                return Future.succeededFuture(Dns.Answer.ok(records));
            }
            for (Dns.Answer.Status status : List.of(Dns.Answer.Status.TRY_AGAIN, Dns.Answer.Status.OK)) {
                for (Dns.Answer<String> a : answers) {
                    if (a.status() == status) {
                        return Future.succeededFuture(a);
                    }
                }
            }
            return Future.succeededFuture(answers.get(0));
        });
    }

    /**
     * {@code smtp_address_preference} within each MX preference (the list is in MX order): the preferred family
     * first, or with {@code any} and both families present, the addresses in random order.
     */
    private List<Host> order(List<Host> hosts) {
        List<Host> out = new ArrayList<>(hosts.size());
        int i = 0;
        while (i < hosts.size()) {
            int j = i;
            while (j < hosts.size() && hosts.get(j).preference() == hosts.get(i).preference()) {
                j++;
            }
            List<Host> group = new ArrayList<>(hosts.subList(i, j));
            boolean mixed = group.stream().anyMatch(h -> InetProtocols.isIpv6Literal(h.address()))
                    && group.stream().anyMatch(h -> !InetProtocols.isIpv6Literal(h.address()));
            if (mixed) {
                switch (preference) {
                    case ANY -> Collections.shuffle(group, random);
                    case IPV4 -> group.sort(Comparator.comparing((Host h) -> InetProtocols.isIpv6Literal(h.address())));
                    case IPV6 -> group.sort(Comparator.comparing((Host h) -> !InetProtocols.isIpv6Literal(h.address())));
                }
            }
            out.addAll(group);
            i = j;
        }
        return out;
    }

    /** Loop detection (port 25 only, as Postfix), then the address limit. */
    private Result finish(NextHop hop, List<Host> hosts, int bestPreference) {
        List<Host> out = hosts;
        if (hop.port() == SMTP_PORT) {
            int self = -1;
            for (Host h : hosts) {
                if (ownAddresses.contains(h.address())) {
                    self = h.preference();
                    break;
                }
            }
            if (self >= 0) {
                int own = self;
                out = hosts.stream().filter(h -> h.preference() < own).toList();
                if (out.isEmpty()) {
                    return hosts.get(0).preference() != bestPreference
                            ? new Result.Failure(EnhancedStatus.of(4, 4, 4), "unable to find primary relay for "
                            + hop.host())
                            : loop(hop.host());
                }
            }
        }
        if (addressLimit > 0 && out.size() > addressLimit) {
            out = out.subList(0, addressLimit);
        }
        return new Result.Hosts(out);
    }

    private static Result.Failure loop(String name) {
        return new Result.Failure(EnhancedStatus.of(5, 4, 6), "mail for " + name + " loops back to myself");
    }

    private static Result.Failure nameError(int klass, String name, String type, String detail) {
        return new Result.Failure(EnhancedStatus.of(klass, 4, klass == 5 ? 4 : 3),
                "Host or domain name not found. Name service error for name=" + name + " type=" + type + ": "
                        + detail);
    }

    private static String name(MxRecord r) {
        String n = r.name() == null ? "" : r.name().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
