package io.mxgate.queue.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.routing.Resolver;
import io.mxgate.core.routing.Route;
import io.mxgate.core.routing.TransportMaps;
import io.mxgate.core.routing.VirtualAliasMaps;
import io.mxgate.core.table.DomainList;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.core.table.ReloadingTable;
import io.mxgate.queue.QueueWorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * trivial-rewrite for queue-worker: the address classes, {@code virtual_alias_maps} and {@code transport_maps} from
 * the configuration, tables re-read every 2 s when their file changed (a file that no longer parses keeps the last
 * good version and logs a warning), so a ConfigMap update or an edited file takes effect without a restart.
 */
@ApplicationScoped
public class Routing {

    private static final Logger LOG = Logger.getLogger("trivial-rewrite");

    private final QueueWorkerConfig config;
    private final Vertx vertx;
    private final List<ReloadingTable<PostfixTable>> transportTables = new ArrayList<>();
    private final List<ReloadingTable<PostfixTable>> aliasTables = new ArrayList<>();
    private DomainList virtualMailboxDomains;
    private Resolver resolver;
    private VirtualAliasMaps aliases;
    private long timer = -1;

    Routing(QueueWorkerConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(5) StartupEvent event) {
        virtualMailboxDomains = DomainList.parse(config.virtualMailboxDomains());
        DomainClasses classes = new DomainClasses(DomainList.parse(config.relayDomains().orElse("")),
                virtualMailboxDomains, DomainList.parse(config.virtualAliasDomains().orElse("")));
        for (String t : tableNames(config.transportMaps().orElse(""))) {
            transportTables.add(new ReloadingTable<>(t, f -> PostfixTable.open(t)));
        }
        for (String t : tableNames(config.virtualAliasMaps().orElse(""))) {
            aliasTables.add(new ReloadingTable<>(t, f -> PostfixTable.open(t)));
        }
        String delimiter = config.recipientDelimiter().orElse("");
        resolver = new Resolver(new Resolver.Settings(classes, config.virtualTransport(), config.relayTransport(),
                config.defaultTransport(), config.relayhost().orElse(""), config.smtpTcpPort(), config.lmtpTcpPort()),
                new TransportMaps(() -> current(transportTables), delimiter));
        aliases = new VirtualAliasMaps(() -> current(aliasTables), delimiter);
        if (!transportTables.isEmpty() || !aliasTables.isEmpty()) {
            timer = vertx.setPeriodic(2000, id -> vertx.executeBlocking(() -> {
                reload(transportTables);
                reload(aliasTables);
                return null;
            }, false));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private static void reload(List<ReloadingTable<PostfixTable>> tables) {
        for (ReloadingTable<PostfixTable> t : tables) {
            RuntimeException e = t.reload();
            if (e != null) {
                LOG.warnf("warning: %s: %s; keeping the previous version", t.name(), e.getMessage());
            }
        }
    }

    private static List<PostfixTable> current(List<ReloadingTable<PostfixTable>> tables) {
        List<PostfixTable> out = new ArrayList<>(tables.size());
        for (ReloadingTable<PostfixTable> t : tables) {
            out.add(t.get());
        }
        return out;
    }

    static List<String> tableNames(String spec) {
        return spec.isBlank() ? List.of() : List.of(spec.strip().split("[,\\s]+"));
    }

    /** True for recipients lmtp-delivery takes from the incoming topic itself. */
    public boolean isVirtualMailbox(MailAddress recipient) {
        return virtualMailboxDomains.contains(recipient.domain());
    }

    public AddressClass addressClass(MailAddress recipient) {
        return resolver.addressClass(recipient);
    }

    public Route route(MailAddress recipient) {
        return resolver.resolve(recipient);
    }

    /** {@code virtual_alias_maps} applied to the recipients (throws TableException on a broken alias). */
    public List<VirtualAliasMaps.Rewritten> rewrite(List<MailAddress> recipients) {
        return aliases.rewrite(recipients);
    }
}
