package io.mxgate.ingress.restriction;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dns.Dns;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.table.AccessAction;
import io.mxgate.core.table.AccessKeys;
import io.mxgate.core.table.CidrTable;
import io.mxgate.ingress.policy.UnverifiedRecipientReplies;
import io.mxgate.ingress.verify.VerifierClient;
import io.vertx.core.Future;
import io.vertx.core.dns.MxRecord;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds restriction lists from Postfix's syntax ({@code check_client_access cidr:/etc/postfix/clients,
 * permit_mynetworks, reject_rbl_client zen.example, ...}). Every element has Postfix's semantics and replies; a name
 * this build does not know, or a missing argument, fails at startup with a message naming the list and element.
 */
public final class Restrictions {

    private static final Logger LOG = Logger.getLogger("smtpd");
    private static final EnhancedStatus ACCESS_DENIED = EnhancedStatus.of(5, 7, 1);
    private static final EnhancedStatus LOOKUP_FAILURE = EnhancedStatus.of(4, 3, 0);

    /** What the elements need, built once per event loop. */
    public record Resources(Tables tables, Dns dns, List<CidrTable.Network> mynetworks,
                            List<CidrTable.Network> mxBackupNetworks, List<String> ourAddresses,
                            VerifierClient verifier, UnverifiedRecipientReplies unverified, MailAddress verifySender,
                            Function<String, PolicyClient> policyClients, Reply policyDefaultAction) {
    }

    private final Resources r;

    public Restrictions(Resources resources) {
        this.r = resources;
    }

    /** The names that can stand in for reject_unauth_destination in Postfix's startup check. */
    private static final List<String> RELAY_GUARDS = List.of("reject_unauth_destination", "defer_unauth_destination",
            "reject", "defer");

    /**
     * Postfix refuses to start unless one of the lists guards against relaying before anything permits
     * everything; so do we ({@code permit, reject_unauth_destination} guards nothing).
     */
    public static void requireRelayGuard(String relay, String recipient) {
        for (String list : List.of(relay, recipient)) {
            for (String word : words(list)) {
                String w = word.toLowerCase(Locale.ROOT);
                if (RELAY_GUARDS.contains(w)) {
                    return;
                }
                if (w.equals("permit") || w.equals("ok")) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("mxgate.smtpd-relay-restrictions and mxgate.smtpd-recipient-restrictions: "
                + "specify at least one working instance of: " + String.join(", ", RELAY_GUARDS)
                + " (otherwise this is an open relay)");
    }

    public List<Restriction> parse(String listName, String spec) {
        List<String> words = words(spec);
        List<Restriction> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String name = words.get(i).toLowerCase(Locale.ROOT);
            String arg = needsArgument(name) ? argument(listName, words, ++i, name) : null;
            out.add(element(listName, name, arg));
        }
        return out;
    }

    private static List<String> words(String spec) {
        List<String> words = new ArrayList<>();
        for (String w : spec.split("[,\\s]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    private static boolean needsArgument(String name) {
        return name.startsWith("check_") || name.startsWith("reject_rbl") || name.startsWith("reject_rhsbl");
    }

    private static String argument(String listName, List<String> words, int i, String name) {
        if (i >= words.size()) {
            throw new IllegalArgumentException(listName + ": " + name + " needs an argument");
        }
        return words.get(i);
    }

    private Restriction element(String listName, String name, String arg) {
        String label = arg == null ? name : name + " " + arg;
        return switch (name) {
            case "permit", "ok" -> Restriction.of(label, c -> done(Verdict.PERMIT));
            case "dunno" -> Restriction.of(label, c -> done(Verdict.DUNNO));
            case "reject" -> Restriction.of(label, c -> done(Verdict.reject(accessDenied(AccessAction.REJECT_CODE, c))));
            case "defer" -> Restriction.of(label, c -> done(Verdict.reject(accessDenied(AccessAction.DEFER_CODE, c))));
            case "defer_if_permit" -> Restriction.of(label, c -> done(new Verdict(Verdict.Kind.DEFER_IF_PERMIT,
                    accessDenied(AccessAction.DEFER_CODE, c))));
            case "permit_mynetworks" -> Restriction.of(label, c -> done(inNetworks(c.clientAddress(), r.mynetworks())
                    ? Verdict.PERMIT : Verdict.DUNNO));
            case "permit_sasl_authenticated" -> Restriction.of(label,
                    c -> done(c.saslUser() != null ? Verdict.PERMIT : Verdict.DUNNO));
            case "reject_unauth_destination" -> Restriction.of(label, c -> done(unauthDestination(c, 554)));
            case "defer_unauth_destination" -> Restriction.of(label, c -> done(unauthDestination(c, 450)));
            case "permit_auth_destination" -> Restriction.of(label,
                    c -> done(authorized(c) ? Verdict.PERMIT : Verdict.DUNNO));
            case "check_client_access" -> clientAccess(label, r.tables().open(arg));
            case "check_helo_access" -> addressAccess(label, r.tables().open(arg), c -> c.helo().isEmpty() ? null
                    : AccessKeys.forDomain(c.helo().toLowerCase(Locale.ROOT)), RcptContext::helo, "Helo command");
            case "check_sender_access" -> addressAccess(label, r.tables().open(arg),
                    c -> c.sender().isNullSender() ? List.of("<>") : AccessKeys.forAddress(c.sender()),
                    c -> c.sender().toString(), "Sender address");
            case "check_recipient_access" -> addressAccess(label, r.tables().open(arg),
                    c -> AccessKeys.forAddress(c.recipient()), c -> c.recipient().toString(), "Recipient address");
            case "reject_rbl_client" -> rbl(label, arg);
            case "reject_rhsbl_client" -> rhsbl(label, arg, c -> "unknown".equals(c.clientName()) ? null : c.clientName(),
                    "Client host", RcptContext::clientName);
            case "reject_rhsbl_sender" -> rhsbl(label, arg, c -> c.sender().isNullSender() ? null : c.sender().domain(),
                    "Sender address", c -> c.sender().toString());
            case "check_policy_service" -> policy(label, arg);
            case "reject_unverified_recipient" -> Restriction.of(label, this::unverifiedRecipient);
            case "permit_mx_backup" -> Restriction.of(label, this::mxBackup);
            default -> throw new IllegalArgumentException(listName + ": unknown restriction \"" + name + "\"");
        };
    }

    private static Future<Verdict> done(Verdict v) {
        return Future.succeededFuture(v);
    }

    private static Reply accessDenied(int code, RcptContext c) {
        return Replies.recipientRejected(code, ACCESS_DENIED, c.recipient(), "Access denied");
    }

    private static boolean inNetworks(String address, List<CidrTable.Network> networks) {
        return CidrTable.contains(networks, address);
    }

    private static InetAddress literal(String address) {
        return CidrTable.literal(address);
    }

    private static boolean authorized(RcptContext c) {
        return c.recipientClass().isLocalDestination() && !c.recipient().hasSenderSpecifiedRouting();
    }

    /** reject_unauth_destination: ours, and no sender-specified routing ({@code allow_untrusted_routing = no}). */
    private static Verdict unauthDestination(RcptContext c, int code) {
        if (authorized(c)) {
            return Verdict.DUNNO;
        }
        return Verdict.reject(code == 554 ? Replies.relayAccessDenied(c.recipient())
                : Reply.of(code, "4.7.1", c.recipient().bracketed() + ": Relay access denied"));
    }

    private Restriction clientAccess(String label, Tables.Lookup table) {
        return Restriction.of(label, c -> {
            Future<Optional<String>> value;
            if (table.isCidr()) {
                InetAddress a = literal(c.clientAddress());
                value = Future.succeededFuture(a == null ? Optional.empty() : table.byAddress(a));
            } else {
                List<String> keys = new ArrayList<>();
                if (!"unknown".equals(c.clientName())) {
                    keys.addAll(AccessKeys.forDomain(c.clientName().toLowerCase(Locale.ROOT)));
                }
                keys.addAll(AccessKeys.forClientAddress(c.clientAddress()));
                value = table.firstOf(keys);
            }
            return value.map(v -> v.map(found -> action(label, found, c.client(), "Client host")).orElse(Verdict.DUNNO))
                    .otherwise(e -> lookupFailure(label, c.client(), e));
        });
    }

    /**
     * A table that cannot answer: Postfix's reject_dict_retry, {@code 451 4.3.0 <what>: Temporary lookup failure},
     * naming what was looked up (the client, the HELO name or the address).
     */
    private static Verdict lookupFailure(String label, String what, Throwable e) {
        LOG.warnf("warning: %s lookup error: %s", label, e.getMessage());
        return Verdict.reject(Replies.temporaryLookupFailure(what));
    }

    private Restriction addressAccess(String label, Tables.Lookup table, Function<RcptContext, List<String>> keys,
                                      Function<RcptContext, String> what, String thing) {
        return Restriction.of(label, c -> {
            List<String> k = keys.apply(c);
            if (k == null) {
                return done(Verdict.DUNNO);
            }
            return table.firstOf(k).map(v -> v.map(found -> action(label, found, what.apply(c), thing))
                    .orElse(Verdict.DUNNO)).otherwise(e -> lookupFailure(label, what.apply(c), e));
        });
    }

    /** An access(5) action as a verdict, with Postfix's reply {@code <what>: thing rejected: text}. */
    static Verdict action(String source, String value, String what, String thing) {
        AccessAction a = AccessAction.parse(value);
        return switch (a.kind()) {
            case PERMIT -> Verdict.PERMIT;
            case DUNNO -> Verdict.DUNNO;
            case REJECT, DEFER -> Verdict.reject(Replies.rejected(a.code(), a.status(), what, thing, a.textOr("Access denied")));
            case DEFER_IF_PERMIT -> new Verdict(Verdict.Kind.DEFER_IF_PERMIT,
                    Replies.rejected(a.code(), a.status(), what, thing, a.textOr("Access denied")));
            case DEFER_IF_REJECT -> new Verdict(Verdict.Kind.DEFER_IF_REJECT,
                    Replies.rejected(a.code(), a.status(), what, thing, a.textOr("Access denied")));
            case PREPEND -> new Verdict(Verdict.Kind.DUNNO, null, a.text());
            case WARN -> {
                LOG.infof("warning: %s: <%s>: %s", source, what, a.text());
                yield Verdict.DUNNO;
            }
            case UNKNOWN -> {
                LOG.warnf("warning: %s: unknown action \"%s\" for <%s>", source, value, what);
                yield Verdict.reject(Replies.serverConfigurationError(what, thing));
            }
        };
    }

    /** reject_rbl_client domain[=d.d.d.d]: the reversed client address under the list's domain. */
    private Restriction rbl(String label, String arg) {
        int eq = arg.indexOf('=');
        String domain = eq < 0 ? arg : arg.substring(0, eq);
        String wanted = eq < 0 ? null : arg.substring(eq + 1);
        return Restriction.of(label, c -> {
            String addr = c.clientAddress();
            if (addr.indexOf('.') < 0 || addr.indexOf(':') >= 0) {
                return done(Verdict.DUNNO);
            }
            String[] o = addr.split("\\.");
            String query = o[3] + "." + o[2] + "." + o[1] + "." + o[0] + "." + domain;
            return listed(query, wanted, domain, "Client host", addr, c);
        });
    }

    private Restriction rhsbl(String label, String domain, Function<RcptContext, String> name, String thing,
                              Function<RcptContext, String> what) {
        return Restriction.of(label, c -> {
            String n = name.apply(c);
            return n == null ? done(Verdict.DUNNO) : listed(n + "." + domain, null, domain, thing, what.apply(c), c);
        });
    }

    private Future<Verdict> listed(String query, String wanted, String domain, String thing, String what,
                                   RcptContext c) {
        return r.dns().a(query).compose(Dns::recordsOrFail).compose(addresses -> {
            List<String> hits = addresses.stream().filter(a -> wanted == null || a.equals(wanted)).toList();
            if (hits.isEmpty()) {
                return done(Verdict.DUNNO);
            }
            return r.dns().txt(query).compose(Dns::recordsOrFail).otherwise(List.of())
                    .map(txt -> Verdict.reject(Replies.blocked(thing, what, domain, txt.isEmpty() ? "" : txt.get(0))));
        }).otherwise(e -> {
            LOG.warnf("warning: %s: DNS lookup of %s failed: %s", c.client(), query, e.getMessage());
            return Verdict.reject(Replies.rejected(451, LOOKUP_FAILURE, c.client(), thing, "Temporary lookup failure"));
        });
    }

    private Restriction policy(String label, String endpoint) {
        PolicyClient client = r.policyClients().apply(endpoint);
        return Restriction.of(label, c -> {
            Map<String, String> request = new LinkedHashMap<>();
            request.put("request", "smtpd_access_policy");
            request.put("protocol_state", "RCPT");
            request.put("protocol_name", "ESMTP");
            request.put("client_address", c.clientAddress());
            request.put("client_name", c.clientName());
            request.put("reverse_client_name", c.clientName());
            request.put("helo_name", c.helo());
            request.put("sender", c.sender().toString());
            request.put("recipient", c.recipient().toString());
            request.put("sasl_username", c.saslUser() == null ? "" : c.saslUser());
            request.put("size", Long.toString(Math.max(0, c.size())));
            request.put("instance", Integer.toHexString(System.identityHashCode(c)));
            return client.ask(request).map(response -> {
                String action = response.get("action");
                return action == null ? Verdict.reject(Replies.serverConfigurationError(c.recipient().toString(),
                        "Recipient address")) : action(label, action, c.recipient().toString(), "Recipient address");
            }).otherwise(e -> {
                LOG.warnf("warning: problem talking to server %s: %s", client.endpoint(), e.getMessage());
                return Verdict.reject(r.policyDefaultAction());
            });
        });
    }

    private Future<Verdict> unverifiedRecipient(RcptContext c) {
        if (c.recipient().equals(r.verifySender())) {
            return done(Verdict.DUNNO);
        }
        return r.verifier().verify(c.recipient())
                .map(answer -> unverified(r.unverified().forAnswer(c.recipient(), answer)))
                .otherwise(e -> {
                    LOG.warnf("warning: problem talking to server %s: %s", r.verifier().endpoint(), e.getMessage());
                    return unverified(r.unverified().problem(c.recipient()));
                });
    }

    /**
     * check_verify's verdict: a 4xx is DEFER_IF_PERMIT (a later reject in the lists still wins; a final permit turns
     * into this reply, before the unlisted-recipient check could run), a 5xx rejects at once.
     */
    private static Verdict unverified(Reply reply) {
        if (reply == null) {
            return Verdict.DUNNO;
        }
        return reply.isPermanent() ? Verdict.reject(reply) : new Verdict(Verdict.Kind.DEFER_IF_PERMIT, reply);
    }

    /**
     * permit_mx_backup: permit when the domain is ours anyway, or when one of our addresses is an MX host of the
     * recipient domain but not the best one and (with permit_mx_backup_networks) every better MX host is inside
     * those networks.
     */
    private Future<Verdict> mxBackup(RcptContext c) {
        if (authorized(c)) {
            return done(Verdict.PERMIT);
        }
        if (c.recipient().hasSenderSpecifiedRouting()) {
            return done(Verdict.DUNNO);
        }
        return r.dns().mx(c.recipient().domain()).compose(Dns::recordsOrFail).compose(mxs -> {
            if (mxs.isEmpty()) {
                return done(Verdict.DUNNO);
            }
            List<MxRecord> sorted = new ArrayList<>(mxs);
            sorted.sort(Comparator.comparingInt(MxRecord::priority));
            List<Future<List<String>>> lookups = sorted.stream().map(mx -> r.dns().a(mx.name()).compose(Dns::recordsOrFail))
                    .toList();
            return Future.all(new ArrayList<Future<?>>(lookups)).map(all -> {
                int ours = -1;
                for (int i = 0; i < sorted.size() && ours < 0; i++) {
                    if (lookups.get(i).result().stream().anyMatch(r.ourAddresses()::contains)) {
                        ours = i;
                    }
                }
                if (ours <= 0 || sorted.get(ours).priority() == sorted.get(0).priority()) {
                    return Verdict.DUNNO;
                }
                for (int i = 0; i < ours; i++) {
                    if (sorted.get(i).priority() < sorted.get(ours).priority() && !r.mxBackupNetworks().isEmpty()
                            && !lookups.get(i).result().stream().allMatch(a -> inNetworks(a, r.mxBackupNetworks()))) {
                        return Verdict.DUNNO;
                    }
                }
                return Verdict.PERMIT;
            });
        }).otherwise(e -> {
            LOG.warnf("warning: MX lookup of %s failed: %s", c.recipient().domain(), e.getMessage());
            return Verdict.reject(Replies.recipientRejected(451, LOOKUP_FAILURE, c.recipient(),
                    "Temporary lookup failure"));
        });
    }
}
