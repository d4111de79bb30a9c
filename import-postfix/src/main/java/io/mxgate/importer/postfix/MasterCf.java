package io.mxgate.importer.postfix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * master.cf's service lines (master(5)): {@code service type private unpriv chroot wakeup maxproc command args},
 * {@code #} comments, a line starting with whitespace continues the previous one. The {@code -o name=value} (and
 * Postfix 3's {@code -o { name = value }}) overrides of a service are kept apart from its other arguments.
 */
public record MasterCf(List<Service> services) {

    /** One service line; {@code overrides} are its -o parameters in order, {@code args} the rest after the command. */
    public record Service(String name, String type, String command, Map<String, String> overrides, List<String> args,
                          String line) {

        /** The service smtpd(8) or postscreen(8) listens on for port 25: {@code smtp inet}, {@code 25}, {@code host:smtp}. */
        public boolean isPort25() {
            String port = name.substring(name.lastIndexOf(':') + 1);
            return type.equals("inet") && (port.equals("smtp") || port.equals("25"));
        }
    }

    public static MasterCf read(Path file) {
        try {
            return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static MasterCf parse(String name, List<String> lines) {
        List<String> logical = new ArrayList<>();
        for (String line : lines) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0)) && !logical.isEmpty()) {
                logical.set(logical.size() - 1, logical.get(logical.size() - 1) + " " + stripped);
            } else {
                logical.add(stripped);
            }
        }
        List<Service> services = new ArrayList<>();
        for (String line : logical) {
            String[] f = line.split("\\s+", 9);
            if (f.length < 8) {
                throw new IllegalArgumentException(name + ": not a service line: \"" + line + "\"");
            }
            services.add(service(f[0], f[1], f[7], f.length > 8 ? f[8] : "", line));
        }
        return new MasterCf(List.copyOf(services));
    }

    private static Service service(String name, String type, String command, String rest, String line) {
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> args = new ArrayList<>();
        List<String> words = rest.isBlank() ? List.of() : List.of(rest.strip().split("\\s+"));
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-o") && i + 1 < words.size()) {
                String next = words.get(++i);
                StringBuilder setting = new StringBuilder(next);
                if (next.equals("{")) {  // -o { name = value with spaces }
                    setting.setLength(0);
                    while (++i < words.size() && !words.get(i).equals("}")) {
                        setting.append(setting.length() == 0 ? "" : " ").append(words.get(i));
                    }
                }
                int eq = setting.indexOf("=");
                if (eq > 0) {
                    overrides.put(setting.substring(0, eq).strip(), setting.substring(eq + 1).strip());
                }
            } else if (w.startsWith("-o") && w.length() > 2 && w.contains("=")) {
                int eq = w.indexOf('=');
                overrides.put(w.substring(2, eq), w.substring(eq + 1));
            } else {
                args.add(w);
            }
        }
        return new Service(name, type, command, overrides, List.copyOf(args), line);
    }

    public Optional<Service> smtpListener() {
        return services.stream().filter(Service::isPort25).findFirst();
    }

    public Optional<Service> named(String name, String type) {
        return services.stream().filter(s -> s.name().equals(name) && s.type().equals(type)).findFirst();
    }
}
