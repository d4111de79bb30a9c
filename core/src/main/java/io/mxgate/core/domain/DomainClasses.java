package io.mxgate.core.domain;

import io.mxgate.core.table.DomainList;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The three domain lists of an MX and the rule that a domain sits in one of them only. Names and files are checked
 * when the lists are loaded (Postfix warns at run time; we refuse to start, since a domain in two classes routes
 * ambiguously); a domain that tables put in two classes takes the first in resolve.c's order: virtual alias,
 * virtual mailbox, relay.
 */
public final class DomainClasses {

    private final DomainList relay;
    private final DomainList virtualMailbox;
    private final DomainList virtualAlias;

    public DomainClasses(DomainList relay, DomainList virtualMailbox, DomainList virtualAlias) {
        List<String> clashes = new ArrayList<>();
        clash("relay_domains", relay, "virtual_mailbox_domains", virtualMailbox, clashes);
        clash("relay_domains", relay, "virtual_alias_domains", virtualAlias, clashes);
        clash("virtual_mailbox_domains", virtualMailbox, "virtual_alias_domains", virtualAlias, clashes);
        if (!clashes.isEmpty()) {
            throw new IllegalArgumentException("a domain must be in one address class only: " + String.join("; ", clashes));
        }
        this.relay = relay;
        this.virtualMailbox = virtualMailbox;
        this.virtualAlias = virtualAlias;
    }

    private static void clash(String aName, DomainList a, String bName, DomainList b, List<String> out) {
        Set<String> both = new TreeSet<>(a.domains());
        both.retainAll(b.domains());
        for (String d : both) {
            out.add(d + " is in both " + aName + " and " + bName);
        }
    }

    /** The domain's class; fails when a table-backed list cannot answer (the caller defers). */
    public Future<AddressClass> classify(String domain) {
        return virtualAlias.contains(domain).compose(alias -> alias ? Future.succeededFuture(AddressClass.VIRTUAL_ALIAS)
                : virtualMailbox.contains(domain).compose(mailbox -> mailbox
                        ? Future.succeededFuture(AddressClass.VIRTUAL_MAILBOX)
                        : relay.contains(domain).map(r -> r ? AddressClass.RELAY : AddressClass.FOREIGN)));
    }
}
