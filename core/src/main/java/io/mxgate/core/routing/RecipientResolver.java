package io.mxgate.core.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.table.DomainList;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.LookupTables;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Recipient resolution, once for every service: what Postfix's cleanup(8) ({@code virtual_alias_maps}),
 * trivial-rewrite(8) (address class, {@code transport_maps}) and smtpd's {@code smtpd_reject_unlisted_recipient}
 * (the alias and mailbox maps) decide about an address. smtp-ingress expands aliases when it accepts a recipient and
 * writes the targets to Kafka, as cleanup does; the verifier probes the targets; queue-worker and lmtp-delivery
 * route targets. Nothing here blocks: text tables answer at once, SQL tables when the database does, and a table
 * that cannot answer is a deferral, never an accept or a bounce.
 */
public final class RecipientResolver {

    /**
     * Everything resolution reads, in Postfix's names; the table settings are main.cf table lists.
     *
     * @param virtualMailboxMaps empty: every address of a virtual mailbox domain is listed (Postfix's rule when the
     *                           parameter is empty)
     * @param relayRecipientMaps the same for relay domains (a backup MX's list of the primary's users)
     */
    public record Settings(String virtualMailboxDomains, String virtualAliasDomains, String relayDomains,
                           String virtualAliasMaps, String virtualMailboxMaps, String relayRecipientMaps,
                           String transportMaps,
                           String recipientDelimiter, Resolver.Settings transports, VirtualAliasMaps.Limits limits) {
    }

    /** One target of a recipient: the address delivery gets, its class, and the route to it. */
    public record Target(MailAddress address, AddressClass addressClass, Route route) {
    }

    /** A recipient resolved: its targets after alias expansion, or why it must be deferred. */
    public sealed interface Resolution {
        record Targets(MailAddress original, List<Target> targets) implements Resolution {
            public Targets {
                targets = List.copyOf(targets);
            }
        }

        /** A table could not answer or an alias limit was hit: defer (451 4.3.0 at RCPT, a retry in delivery). */
        record Failed(String text) implements Resolution {
        }
    }

    /** What reject_unlisted_recipient says of an address. */
    public sealed interface Listing {
        record Listed() implements Listing {
        }

        /** Not in the tables of its class; {@code text} is Postfix's ("User unknown in virtual alias table"). */
        record Unknown(AddressClass addressClass, String text) implements Listing {
        }

        /** A table could not answer. */
        record Failed(String text) implements Listing {
        }
    }

    private final DomainClasses domains;
    private final VirtualAliasMaps aliases;
    private final List<LookupTable> mailboxMaps;
    private final List<LookupTable> relayRecipientMaps;
    private final Resolver resolver;
    private final String recipientDelimiter;

    public RecipientResolver(Settings settings, LookupTables tables) {
        this.domains = new DomainClasses(DomainList.parse(settings.relayDomains(), tables),
                DomainList.parse(settings.virtualMailboxDomains(), tables),
                DomainList.parse(settings.virtualAliasDomains(), tables));
        this.recipientDelimiter = settings.recipientDelimiter();
        this.aliases = new VirtualAliasMaps(tables.openAll(settings.virtualAliasMaps()), recipientDelimiter,
                settings.limits());
        this.mailboxMaps = tables.openAll(settings.virtualMailboxMaps());
        this.relayRecipientMaps = tables.openAll(settings.relayRecipientMaps());
        this.resolver = new Resolver(settings.transports(),
                new TransportMaps(tables.openAll(settings.transportMaps()), recipientDelimiter));
    }

    /** The address class of a recipient's domain (reject_unauth_destination's question). */
    public Future<AddressClass> addressClass(MailAddress recipient) {
        return domains.classify(recipient.domain());
    }

    /** Where mail to an already expanded address goes; a table failure is a {@link Route.Defer}. */
    public Future<Target> route(MailAddress target) {
        return addressClass(target).transform(ar -> ar.failed()
                ? Future.succeededFuture(new Target(target, AddressClass.FOREIGN,
                        new Route.Defer(io.mxgate.core.smtp.EnhancedStatus.of(4, 3, 0), "address class lookup failure")))
                : resolver.resolve(target, ar.result()).map(route -> new Target(target, ar.result(), route)));
    }

    /** {@code virtual_alias_maps} expansion alone (cleanup's step). */
    public Future<VirtualAliasMaps.Expansion> expand(MailAddress recipient) {
        return aliases.expand(recipient);
    }

    /** Expansion, then a class and route for each target. */
    public Future<Resolution> resolve(MailAddress recipient) {
        return aliases.expand(recipient).compose(expansion -> expansion instanceof VirtualAliasMaps.Expansion.Addresses a
                ? routeAll(recipient, a.addresses())
                : Future.succeededFuture(new Resolution.Failed(((VirtualAliasMaps.Expansion.Failure) expansion).text())));
    }

    private Future<Resolution> routeAll(MailAddress original, List<MailAddress> addresses) {
        List<Future<Target>> routes = new ArrayList<>(addresses.size());
        for (MailAddress a : addresses) {
            routes.add(route(a));
        }
        return Future.all(routes).map(all -> {
            List<Target> targets = new ArrayList<>(routes.size());
            for (Future<Target> f : routes) {
                targets.add(f.result());
            }
            return new Resolution.Targets(original, targets);
        });
    }

    /**
     * smtpd_reject_unlisted_recipient (smtpd_check.c, check_rcpt_maps) for the address the client gave: an address
     * {@code virtual_alias_maps} knows is listed whatever its domain; otherwise an address of a virtual alias domain
     * is unknown, one of a virtual mailbox domain is unknown unless {@code virtual_mailbox_maps} is empty or has it,
     * and one of a relay domain unless {@code relay_recipient_maps} is empty or has it.
     */
    public Future<Listing> listing(MailAddress recipient) {
        return aliases.lookup(recipient).compose(alias -> {
            if (alias.isPresent()) {
                return Future.succeededFuture((Listing) new Listing.Listed());
            }
            return addressClass(recipient).compose(c -> switch (c) {
                case VIRTUAL_ALIAS -> Future.succeededFuture(new Listing.Unknown(c, "User unknown in virtual alias table"));
                case VIRTUAL_MAILBOX -> listed(mailboxMaps, recipient, c, "User unknown in virtual mailbox table");
                case RELAY -> listed(relayRecipientMaps, recipient, c, "User unknown in relay recipient table");
                case FOREIGN -> Future.succeededFuture(new Listing.Listed());
            });
        }).recover(e -> Future.succeededFuture(new Listing.Failed(e.getMessage())));
    }

    private Future<Listing> listed(List<LookupTable> maps, MailAddress recipient, AddressClass c, String unknown) {
        return maps.isEmpty() ? Future.succeededFuture(new Listing.Listed())
                : LookupTables.firstOf(maps, VirtualAliasMaps.keys(recipient, recipientDelimiter))
                .map(v -> v.isPresent() ? new Listing.Listed() : new Listing.Unknown(c, unknown));
    }

    /** Whether lmtp-delivery owns an expanded address (its domain is a virtual mailbox domain). */
    public Future<Boolean> isVirtualMailbox(MailAddress recipient) {
        return addressClass(recipient).map(c -> c == AddressClass.VIRTUAL_MAILBOX);
    }
}
