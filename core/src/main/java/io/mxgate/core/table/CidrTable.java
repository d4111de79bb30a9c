package io.mxgate.core.table;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code cidr:} table as cidr_table(5) reads it: {@code network/prefix  value} (or a bare address), searched in
 * file order, first match wins; {@code #} comments and blank lines are ignored, leading whitespace continues a line.
 */
public final class CidrTable {

    private record Entry(Network network, String value) {
    }

    private final List<Entry> entries;

    private CidrTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static CidrTable open(String path) {
        try {
            return parse(path, Files.readAllLines(Path.of(path), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PostfixTable.TableException("cidr:" + path + ": cannot read: " + e.getMessage());
        }
    }

    public static CidrTable parse(String name, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        PostfixTable text = PostfixTable.parse(name, lines);
        for (var e : text.orderedEntries()) {
            try {
                entries.add(new Entry(Network.parse(e.getKey()), e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new PostfixTable.TableException("cidr:" + name + ": " + ex.getMessage());
            }
        }
        return new CidrTable(entries);
    }

    /** The value of the first network that contains {@code address}. */
    public Optional<String> lookup(InetAddress address) {
        for (Entry e : entries) {
            if (e.network().contains(address)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    /** True when the IP literal {@code address} is in one of the networks (no DNS: a name is never in a network). */
    public static boolean contains(List<Network> networks, String address) {
        InetAddress a = literal(address);
        return a != null && networks.stream().anyMatch(n -> n.contains(a));
    }

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    /**
     * An IP address written in full (four decimal octets, or IPv6 with colons), else null. Never a DNS lookup, and
     * no BSD shorthand: {@code 10.1} is not 10.0.0.1 here, as in Postfix.
     */
    public static InetAddress literal(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        boolean v6 = !v4 && text.indexOf(':') >= 0 && text.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An IPv4 or IPv6 network, {@code 192.0.2.0/24} or a single address. */
    public record Network(byte[] base, int prefix) {

        public static Network parse(String text) {
            String t = text.startsWith("[") ? text.replace("[", "").replace("]", "") : text;
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            InetAddress address = literal(host);
            if (address == null) {
                throw new IllegalArgumentException("not a network address: \"" + text + "\"");
            }
            byte[] base = address.getAddress();
            int prefix;
            try {
                prefix = slash < 0 ? base.length * 8 : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
            }
            if (prefix < 0 || prefix > base.length * 8) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\"");
            }
            return new Network(base, prefix);
        }

        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != base.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != base[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (base[full] & mask);
        }
    }
}
