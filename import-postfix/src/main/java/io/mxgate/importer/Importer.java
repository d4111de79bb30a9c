package io.mxgate.importer;

import io.mxgate.core.postconf.ParameterFile;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.importer.chart.ValuesFile;
import io.mxgate.importer.mapping.Format;
import io.mxgate.importer.mapping.Outcome;
import io.mxgate.importer.mapping.ParameterMap;
import io.mxgate.importer.mapping.Setting;
import io.mxgate.importer.mapping.Target;
import io.mxgate.importer.postfix.ConfigDir;
import io.mxgate.importer.postfix.MainCf;
import io.mxgate.importer.postfix.MasterCf;
import io.mxgate.importer.table.NotImportable;
import io.mxgate.importer.table.TableImporter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a Postfix configuration directory: every main.cf parameter and every {@code -o} override of the port-25
 * smtpd service becomes a {@link Setting}, is looked up in {@link ParameterMap} and converted by its {@link Format}
 * into an {@link Outcome}; the carried ones, the tables they name and the SQL tables make the values file.
 */
public final class Importer {

    /** The Secret the SQL tables' passwords are expected in, unless the caller names another. */
    public static final String DEFAULT_SECRET = "mxgate-sql";

    /** master.cf services of a stock Postfix: nothing to say about them. */
    private static final Set<String> STOCK_COMMANDS = Set.of("smtpd", "pickup", "cleanup", "qmgr", "oqmgr", "tlsmgr",
            "trivial-rewrite", "bounce", "verify", "flush", "proxymap", "smtp", "lmtp", "showq", "error", "discard",
            "local", "virtual", "anvil", "scache", "postlog", "postscreen", "dnsblog", "tlsproxy");

    private static final Set<String> RESTRICTIONS = Set.of("permit", "reject", "defer", "defer_if_permit", "dunno",
            "permit_mynetworks", "permit_sasl_authenticated", "permit_auth_destination", "reject_unauth_destination",
            "defer_unauth_destination", "reject_unverified_recipient", "permit_mx_backup");
    private static final Set<String> TABLE_RESTRICTIONS = Set.of("check_client_access", "check_helo_access",
            "check_sender_access", "check_recipient_access");
    private static final Set<String> DOMAIN_RESTRICTIONS = Set.of("reject_rbl_client", "reject_rhsbl_client",
            "reject_rhsbl_sender");
    private static final Pattern TIME = Pattern.compile("([0-9]+)([smhdw]?)");

    /** The values file, what became of every setting, and advice for the admin. */
    public record Result(ValuesFile values, List<Outcome> outcomes, List<String> notes) {

        public List<Outcome.Skipped> skipped() {
            return outcomes.stream().filter(Outcome.Skipped.class::isInstance).map(Outcome.Skipped.class::cast).toList();
        }

        public List<Outcome.Carried> carried() {
            return outcomes.stream().filter(Outcome.Carried.class::isInstance).map(Outcome.Carried.class::cast).toList();
        }
    }

    private final MainCf main;
    private final MasterCf master;
    private final TableImporter tables;
    private final List<Outcome> outcomes = new ArrayList<>();
    private final Set<String> notes = new LinkedHashSet<>();

    private Importer(MainCf main, MasterCf master, TableImporter tables) {
        this.main = main;
        this.master = master;
        this.tables = tables;
    }

    /** Imports {@code dir} (main.cf required, master.cf optional); the SQL passwords are expected in {@code secret}. */
    public static Result run(Path dir, String secret) {
        ConfigDir configDir = new ConfigDir(dir);
        ParameterFile mainFile;
        try {
            mainFile = ParameterFile.read(configDir.mainCf());
        } catch (PostfixTable.TableException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        MainCf main = MainCf.of(mainFile);
        configDir = configDir.withConfigDirectory(main.value("config_directory"));
        boolean hasMaster = Files.isRegularFile(configDir.masterCf());
        MasterCf master = hasMaster ? MasterCf.read(configDir.masterCf()) : new MasterCf(List.of());
        Importer importer = new Importer(main, master, new TableImporter(configDir, secret, master));
        if (!hasMaster) {
            importer.notes.add("no master.cf in " + dir + ": smtpd's -o overrides and pipe transports not checked");
        }
        return importer.run(secret);
    }

    private Result run(String secret) {
        for (String name : main.parameters().keySet()) {
            outcomes.add(outcome(new Setting(name, main.value(name), "main.cf"), false));
        }
        masterServices();
        tables.droppedEntries().forEach(d -> outcomes.add(new Outcome.Skipped(
                new Setting("transport_maps entry", d.entry(), "table " + d.table()), d.reason())));

        ValuesFile values = new ValuesFile();
        for (Outcome.Carried c : carried()) {
            values.put(c.path(), c.value());
        }
        values.tables(tables.tables());
        values.sqlTables(tables.sqlTables());

        if (!main.parameters().containsKey("myhostname")) {
            notes.add("main.cf does not set myhostname (Postfix uses the machine's name): set myhostname in the values");
        }
        main.undefinedNames().forEach(n -> notes.add("$" + n + " is neither set nor a parameter with a known default: "
                + "expanded to nothing, as Postfix does"));
        notes.addAll(tables.notes());
        if (!tables.passwordKeys().isEmpty()) {
            StringBuilder create = new StringBuilder("create the Secret with the SQL passwords before installing: "
                    + "kubectl create secret generic " + secret);
            tables.passwordKeys().forEach((key, files) -> create.append(" --from-file=").append(key)
                    .append("=<file holding the password of ").append(String.join(", ", files)).append('>'));
            notes.add(create.toString());
        }
        return new Result(values, List.copyOf(outcomes), List.copyOf(notes));
    }

    private List<Outcome.Carried> carried() {
        return outcomes.stream().filter(Outcome.Carried.class::isInstance).map(Outcome.Carried.class::cast).toList();
    }

    /** The port-25 listener's -o overrides, and the services mxgate has no counterpart of. */
    private void masterServices() {
        Optional<MasterCf.Service> listener = master.smtpListener();
        if (listener.isPresent() && listener.get().command().equals("postscreen")) {
            notes.add("master.cf: postscreen(8) listens on port 25; mxgate has no postscreen, smtp-ingress takes "
                    + "the connections itself (the smtpd pass service's -o overrides are imported)");
            listener = master.named("smtpd", "pass");
        }
        listener.ifPresent(s -> s.overrides().forEach((name, value) -> outcomes.add(
                outcome(new Setting(name, main.expand(value), "master.cf " + s.name() + " -o"), true))));
        for (MasterCf.Service s : master.services()) {
            Setting setting = new Setting(s.name(), s.type() + " " + s.command() + " " + String.join(" ", s.args()),
                    "master.cf");
            if (s.command().equals("pipe")) {
                outcomes.add(new Outcome.Skipped(setting, "a pipe(8) transport runs a command, which mxgate does not; "
                        + "use lmtp: deliver to Dovecot's LMTP service (virtual_transport = lmtp:[host]:24) instead of "
                        + "dovecot-lda or deliver"));
            } else if (s.type().equals("inet") && !s.isPort25()) {
                outcomes.add(new Outcome.Skipped(setting, "mxgate is an MX and listens on port 25 only; keep "
                        + "submission (587/465) on a server for your users"));
            } else if (!STOCK_COMMANDS.contains(s.command())) {
                outcomes.add(new Outcome.Skipped(setting, "mxgate has no " + s.command() + " service"));
            }
        }
    }

    private Outcome outcome(Setting setting, boolean smtpdOnly) {
        Optional<Target> target = ParameterMap.of(setting.parameter());
        if (target.isEmpty()) {
            return new Outcome.Skipped(setting, "mxgate has no equivalent of " + setting.parameter());
        }
        // Java 17 has no pattern switch: the two kinds of Target, in order
        if (target.get() instanceof Target.NotCarried n) {
            return new Outcome.Skipped(setting, n.reason());
        }
        Target.Carry c = (Target.Carry) target.get();
        return carry(setting, smtpdOnly ? c.forSmtpdOnly(setting.parameter()) : c);
    }

    private Outcome carry(Setting setting, Target.Carry carry) {
        if (main.defaultValue(setting.parameter()).map(d -> same(d, setting.value(), carry.format())).orElse(false)) {
            return new Outcome.AtDefault(setting);
        }
        try {
            return new Outcome.Carried(setting, carry.path(), convert(setting.value(), carry));
        } catch (NotImportable e) {
            return new Outcome.Skipped(setting, e.getMessage());
        }
    }

    private Object convert(String value, Target.Carry carry) throws NotImportable {
        Format format = carry.format();
        if (format instanceof Format.Count) {
            if (!value.matches("[0-9]+")) {
                throw new NotImportable("not a whole number: " + value);
            }
            return Long.parseLong(value);
        }
        if (format instanceof Format.Flag) {
            return flag(value);
        }
        if (format instanceof Format.Time t) {
            return time(value, t.unit());
        }
        if (format instanceof Format.Tables || format instanceof Format.TransportTables) {
            return tableList(value, format instanceof Format.TransportTables);
        }
        if (format instanceof Format.DomainList) {
            return domainList(value);
        }
        if (format instanceof Format.Restrictions) {
            return restrictions(value);
        }
        return value;
    }

    private static boolean flag(String value) throws NotImportable {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default -> throw new NotImportable("not yes or no: " + value);
        };
    }

    /** Postfix's time (a number with s, m, h, d or w, or bare in the parameter's unit) in Quarkus' syntax. */
    static String time(String value, char unit) throws NotImportable {
        Matcher m = TIME.matcher(value.strip());
        if (!m.matches()) {
            throw new NotImportable("not a Postfix time: " + value);
        }
        long n = Long.parseLong(m.group(1));
        char u = m.group(2).isEmpty() ? unit : m.group(2).charAt(0);
        return u == 'w' ? (n * 7) + "d" : n + String.valueOf(u);
    }

    private static long seconds(String time) {
        long n = Long.parseLong(time.substring(0, time.length() - 1));
        return switch (time.charAt(time.length() - 1)) {
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86400;
            default -> n;
        };
    }

    private static boolean same(String postfixDefault, String value, Format format) {
        if (format instanceof Format.Time t) {
            try {
                return seconds(time(postfixDefault, t.unit())) == seconds(time(value, t.unit()));
            } catch (NotImportable e) {
                return false;
            }
        }
        return words(postfixDefault).equals(words(value));
    }

    private static List<String> words(String value) {
        return value.isBlank() ? List.of() : List.of(value.strip().toLowerCase(Locale.ROOT).split("[,\\s]+"));
    }

    private String tableList(String value, boolean transport) throws NotImportable {
        List<String> out = new ArrayList<>();
        for (String word : words(value)) {
            if (!TableImporter.isTable(word)) {
                throw new NotImportable(word + " is not a table (type:name)");
            }
            out.add(tables.importTable(word, transport));
        }
        return String.join(", ", out);
    }

    private String domainList(String value) throws NotImportable {
        List<String> out = new ArrayList<>();
        for (String word : List.of(value.isBlank() ? new String[0] : value.strip().split("[,\\s]+"))) {
            if (TableImporter.isTable(word)) {
                out.add(tables.importTable(word, false));
            } else if (word.startsWith("/")) {
                out.add(tables.importListFile(word));
            } else {
                out.add(word);
            }
        }
        return String.join(", ", out);
    }

    /** An smtpd restriction list, element by element: mxgate must implement each, or the list is not carried. */
    private String restrictions(String value) throws NotImportable {
        List<String> words = List.of(value.isBlank() ? new String[0] : value.strip().split("[,\\s]+"));
        List<String> out = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String element = words.get(i).toLowerCase(Locale.ROOT);
            boolean takesArgument = TABLE_RESTRICTIONS.contains(element) || DOMAIN_RESTRICTIONS.contains(element)
                    || element.equals("check_policy_service");
            if (takesArgument && i + 1 == words.size()) {
                throw new NotImportable(element + " without its argument");
            }
            if (TABLE_RESTRICTIONS.contains(element)) {
                out.add(element + " " + tables.importTable(words.get(++i), false));
            } else if (DOMAIN_RESTRICTIONS.contains(element)) {
                out.add(element + " " + words.get(++i));
            } else if (element.equals("check_policy_service")) {
                String server = words.get(++i);
                if (!server.startsWith("inet:")) {
                    unknown.add(element + " " + server + " (mxgate reaches policy servers over TCP only: inet:host:port)");
                }
                out.add(element + " " + server);
            } else if (RESTRICTIONS.contains(element)) {
                out.add(element);
            } else {
                unknown.add(element);
            }
        }
        if (!unknown.isEmpty()) {
            throw new NotImportable("mxgate does not implement " + String.join(", ", unknown) + "; write the list "
                    + "without them by hand (it changes what is accepted, so think it through), see "
                    + "docs/configuration.md for the restrictions mxgate has");
        }
        return String.join(", ", out);
    }
}
