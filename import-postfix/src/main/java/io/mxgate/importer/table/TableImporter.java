package io.mxgate.importer.table;

import io.mxgate.core.postconf.ParameterFile;
import io.mxgate.core.table.CidrTable;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.importer.postfix.ConfigDir;
import io.mxgate.importer.postfix.MasterCf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports the tables a value names and rewrites the value to name the chart's copies. Keeps what it imported:
 * {@link #tables()} (file name to text) and {@link #sqlTables()} (file name to {@link SqlTable}), and the transport
 * map entries it had to take out ({@link #droppedEntries()}).
 */
public final class TableImporter {

    public static final String TABLES_DIR = "/etc/mxgate/tables";
    public static final String SQL_DIR = "/etc/mxgate/sql";
    /** The key of the first distinct password in the Secret; more distinct passwords get password-2, password-3 ... */
    public static final String PASSWORD_KEY = "password";

    /** Types mxgate reads from the source text (core PostfixTable), and Berkeley/dbm ones that are text before postmap. */
    private static final Set<String> TEXT_TYPES = Set.of("hash", "btree", "texthash", "lmdb", "cdb");
    private static final Set<String> DBM_TYPES = Set.of("dbm", "sdbm");
    private static final Set<String> SQL_TYPES = Set.of("mysql", "pgsql");
    /** Postfix's other table types (postconf -m), which mxgate cannot read. */
    private static final Set<String> OTHER_TYPES = Set.of("regexp", "pcre", "ldap", "sqlite", "memcache", "tcp",
            "socketmap", "static", "inline", "internal", "environ", "fail", "nis", "nisplus", "netinfo", "pipemap",
            "randmap", "unionmap");
    /** The transports mxgate routes to (docs/configuration.md, transport_maps); empty: keep the default transport. */
    private static final Set<String> TRANSPORTS = Set.of("", "smtp", "relay", "lmtp", "error", "retry", "discard");

    /** One transport(5) entry taken out of an imported table: the table, the entry, why. */
    public record DroppedEntry(String table, String entry, String reason) {
    }

    private final ConfigDir dir;
    private final String secretName;
    private final MasterCf masterCf;
    private final Map<String, String> tables = new LinkedHashMap<>();
    private final Map<String, SqlTable> sqlTables = new LinkedHashMap<>();
    private final Map<String, String> passwordKeys = new LinkedHashMap<>();
    private final List<DroppedEntry> dropped = new ArrayList<>();
    private final Map<String, String> imported = new LinkedHashMap<>();
    private final Set<String> notes = new LinkedHashSet<>();
    private final List<String> localHosts = new ArrayList<>();

    public TableImporter(ConfigDir dir, String secretName, MasterCf masterCf) {
        this.dir = dir;
        this.secretName = secretName;
        this.masterCf = masterCf;
    }

    /** Whether a word of a value names a table ({@code type:name}, with Postfix's type names). */
    public static boolean isTable(String word) {
        int colon = word.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        String type = word.substring(0, colon);
        return type.equals("proxy") || TEXT_TYPES.contains(type) || DBM_TYPES.contains(type) || SQL_TYPES.contains(type)
                || OTHER_TYPES.contains(type) || type.equals("cidr");
    }

    /** Imports the table {@code reference} names and returns the reference to the chart's copy. */
    public String importTable(String reference, boolean transportTable) throws NotImportable {
        String done = imported.get(reference);
        if (done == null) {
            done = importNew(reference, transportTable);
            imported.put(reference, done);
        }
        return done;
    }

    private String importNew(String reference, boolean transportTable) throws NotImportable {
        String name = reference;
        if (name.startsWith("proxy:")) {
            name = name.substring("proxy:".length());
            notes.add("proxy: is dropped from table names: proxymap(8) does not exist in mxgate, whose services "
                    + "keep their own database connections");
        }
        int colon = name.indexOf(':');
        String type = colon < 0 ? "" : name.substring(0, colon);
        String path = name.substring(colon + 1);
        if (TEXT_TYPES.contains(type) || DBM_TYPES.contains(type) || type.equals("cidr")) {
            String text = read(reference, path);
            String file = fileName(reference, path, tables.keySet());
            tables.put(file, checkedText(reference, type, transportTable ? transports(file, text) : text));
            String kept = DBM_TYPES.contains(type) ? "hash" : type;
            return kept + ":" + TABLES_DIR + "/" + file;
        }
        if (SQL_TYPES.contains(type)) {
            Path cf = dir.resolve(path);
            ParameterFile parameters;
            try {
                parameters = ParameterFile.read(cf);
            } catch (PostfixTable.TableException e) {
                throw new NotImportable(e.getMessage());
            }
            String file = fileName(reference, path, sqlTables.keySet());
            sqlTables.put(file, sqlTable(file, parameters));
            return type + ":" + SQL_DIR + "/" + file;
        }
        throw new NotImportable("table type " + type + ": (" + reference + ") is not one mxgate reads (it reads "
                + "hash, btree, texthash, lmdb, cdb and cidr tables as text, and mysql, pgsql); turn it into one of those");
    }

    /** A plain {@code /file/name} of a domain list, inlined like a table. */
    public String importListFile(String path) throws NotImportable {
        String text = read(path, path);
        String file = fileName(path, path, tables.keySet());
        tables.put(file, text);
        return TABLES_DIR + "/" + file;
    }

    private SqlTable sqlTable(String file, ParameterFile cf) {
        Map<String, String> parameters = new LinkedHashMap<>(cf.parameters());
        String password = parameters.remove("password");
        Optional<SqlTable.SecretKey> secret = Optional.empty();
        if (password != null) {
            String key = passwordKeys.computeIfAbsent(password, p -> passwordKeys.isEmpty()
                    ? PASSWORD_KEY : PASSWORD_KEY + "-" + (passwordKeys.size() + 1));
            secret = Optional.of(new SqlTable.SecretKey(secretName, key));
        }
        String hosts = parameters.getOrDefault("hosts", "localhost");
        if (hosts.matches("(?i).*(localhost|127\\.0\\.0\\.1|unix:).*")) {
            localHosts.add(file);
        }
        return new SqlTable(parameters, secret);
    }

    private String read(String reference, String path) throws NotImportable {
        Path file = dir.resolve(path);
        try {
            // trailing blanks mean nothing to Postfix, and without them the text is written as a YAML block
            return Files.readString(file, StandardCharsets.UTF_8).lines().map(String::stripTrailing)
                    .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        } catch (IOException e) {
            throw new NotImportable(reference + ": cannot read " + file + " (" + e.getMessage() + "); copy the table "
                    + "into the directory given, as under /etc/postfix");
        }
    }

    /** The text, after checking that mxgate's parsers read it. */
    private static String checkedText(String reference, String type, String text) throws NotImportable {
        try {
            List<String> lines = text.lines().toList();
            if (type.equals("cidr")) {
                CidrTable.parse(reference, lines);
            } else {
                PostfixTable.parse(reference, lines);
            }
            return text;
        } catch (PostfixTable.TableException e) {
            throw new NotImportable(e.getMessage());
        }
    }

    /** A transport(5) table with the entries whose transport mxgate lacks commented out (and remembered). */
    private String transports(String table, String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            boolean entry = !stripped.isEmpty() && !stripped.startsWith("#") && !Character.isWhitespace(line.charAt(0));
            String[] kv = stripped.split("\\s+", 2);
            if (entry && kv.length == 2) {
                String transport = kv[1].contains(":") ? kv[1].substring(0, kv[1].indexOf(':')) : kv[1];
                if (!TRANSPORTS.contains(transport)) {
                    String reason = transportReason(transport, kv[0]);
                    dropped.add(new DroppedEntry(table, stripped, reason));
                    out.append("# not carried by mxgate import-postfix (").append(transport)
                            .append(": is no mxgate transport): ").append(line).append('\n');
                    continue;
                }
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private String transportReason(String transport, String key) {
        Optional<MasterCf.Service> service = masterCf.named(transport, "unix");
        String lmtp = "use lmtp: (" + key + "  lmtp:[host]:24, Dovecot's LMTP service), or leave the entry out when "
                + key + " is in virtual_mailbox_domains (delivered over virtual_transport)";
        if (service.isEmpty()) {
            return "master.cf has no transport " + transport + "; mxgate knows smtp, relay, lmtp, error, retry and "
                    + "discard; " + lmtp;
        }
        if (service.get().command().equals("pipe")) {
            return "the " + transport + " transport is a pipe(8) command ("
                    + String.join(" ", service.get().args()) + "), which mxgate does not run; " + lmtp;
        }
        return "the " + transport + " transport (master.cf: " + service.get().command() + ") is not one of mxgate's "
                + "(smtp, relay, lmtp, error, retry, discard); name the one it stands for";
    }

    /** The file's name in the chart: its base name, made unique when two tables share one. */
    private static String fileName(String reference, String path, Set<String> taken) throws NotImportable {
        String base = Path.of(path).getFileName().toString();
        String name = base;
        for (int i = 2; taken.contains(name); i++) {
            name = base + "-" + i;
        }
        if (!name.matches("[-._a-zA-Z0-9]+")) {
            throw new NotImportable(reference + ": the file name " + base + " cannot be a ConfigMap key; rename it "
                    + "(letters, digits, '-', '_', '.')");
        }
        return name;
    }

    public Map<String, String> tables() {
        return tables;
    }

    public Map<String, SqlTable> sqlTables() {
        return sqlTables;
    }

    public List<DroppedEntry> droppedEntries() {
        return dropped;
    }

    /** What the admin should know about the imported tables (advice, not failures). */
    public Set<String> notes() {
        Set<String> out = new LinkedHashSet<>(notes);
        if (!localHosts.isEmpty()) {
            out.add("sqlTables: hosts is localhost or a socket in " + String.join(", ", localHosts) + "; in a pod that "
                    + "is not the database: set each sqlTables.<file>.parameters.hosts to the database's address");
        }
        return out;
    }

    /** The Secret keys the SQL passwords must be stored under, each with the .cf files that use it. */
    public Map<String, List<String>> passwordKeys() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        sqlTables.forEach((file, t) -> t.passwordSecret().ifPresent(s ->
                out.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(file)));
        return out;
    }
}
