import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The helm commands k8s/render.sh needs, through helm-java (Helm's Go library as a native library).
 * Run with the source launcher: java -cp 'target/lib/*' HelmJava.java ...
 *
 *   version
 *   template <release> <chart> [-f values.yaml]...   prints what `helm template <release> <chart> -f ...` prints
 *   lint <chart> [-f values.yaml]...                 `helm lint --strict <chart> -f ...`: messages, exit 1 on failure
 *   notes <release> <chart> [-f values.yaml]...      the NOTES.txt part of `helm install --dry-run=client`
 */
public class HelmJava {
    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("version")) {
            System.out.println(Helm.version().call());
        } else if (args.length >= 3 && args[0].equals("template")) {
            TemplateCommand template = new Helm(Path.of(args[2])).template().withName(args[1]);
            for (String file : valuesFiles(args, 3)) {
                template = template.withValuesFile(Path.of(file));
            }
            String out = template.call();
            System.out.print(out.endsWith("\n") ? out : out + "\n");
        } else if (args.length >= 3 && args[0].equals("notes")) {
            InstallCommand install = new Helm(Path.of(args[2])).install().withName(args[1]).withNamespace("default")
                .clientOnly().withDryRunOption(DryRun.CLIENT);
            for (String file : valuesFiles(args, 3)) {
                install = install.withValuesFile(Path.of(file));
            }
            String out = install.call().getOutput();
            int notes = out.indexOf("NOTES:\n");
            System.out.print(notes < 0 ? "" : out.substring(notes + "NOTES:\n".length()));
        } else if (args.length >= 2 && args[0].equals("lint")) {
            List<String> files = valuesFiles(args, 2);
            LintResult result = lint(Path.of(args[1]), files);
            result.getMessages().forEach(System.out::println);
            String what = args[1] + (files.isEmpty() ? "" : " -f " + String.join(" -f ", files));
            System.out.println(what + ": " + (result.isFailed() ? "lint FAILED" : "lint passed"));
            System.exit(result.isFailed() ? 1 : 0);
        } else {
            usage();
        }
    }

    /**
     * helm lint --strict with values files. helm-java's lint takes none, so this does what `helm lint -f` does in
     * two steps: Helm itself merges the chart's values with the files (a copy of the chart whose only template is
     * {@code toYaml .Values}, rendered with the files: Helm's own coalescing, null deletes a key), then a copy of the
     * chart whose values.yaml is that result is linted, which checks the schema and renders every template.
     */
    static LintResult lint(Path chart, List<String> files) {
        if (files.isEmpty()) {
            return new Helm(chart).lint().strict().call();
        }
        Path dump = null;
        Path copy = null;
        try {
            dump = Files.createTempDirectory("mxgate-values");
            for (String name : List.of("Chart.yaml", "values.yaml", "values.schema.json")) {
                if (Files.exists(chart.resolve(name))) {
                    Files.copy(chart.resolve(name), dump.resolve(name));
                }
            }
            Files.createDirectories(dump.resolve("templates"));
            Files.writeString(dump.resolve("templates/values.yaml"), "{{ toYaml .Values }}\n");
            TemplateCommand template = new Helm(dump).template().withName("values");
            for (String file : files) {
                template = template.withValuesFile(Path.of(file).toAbsolutePath());
            }
            String merged;
            try {
                merged = template.call().replaceAll("(?m)^(---|# Source: .*)$", "");
            } catch (IllegalStateException e) {
                // the merged values break the schema (helm lint -f reports this as an error too)
                return new LintResult(List.of("[ERROR] values: " + e.getMessage().strip()), true);
            }
            copy = Files.createTempDirectory("mxgate-lint").resolve(chart.toAbsolutePath().getFileName());
            copyTree(chart, copy);
            Files.writeString(copy.resolve("values.yaml"), merged);
            LintResult result = new Helm(copy).lint().strict().call();
            String tmp = copy.toString();
            return new LintResult(result.getMessages().stream().map(m -> m.replace(tmp, chart.toString())).toList(),
                result.isFailed());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dump);
            delete(copy == null ? null : copy.getParent());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    /** The files of "-f FILE" pairs from args[from] on. */
    private static java.util.List<String> valuesFiles(String[] args, int from) {
        java.util.List<String> files = new java.util.ArrayList<>();
        for (int i = from; i < args.length; i += 2) {
            if (!args[i].equals("-f") || i + 1 == args.length) {
                usage();
            }
            files.add(args[i + 1]);
        }
        return files;
    }

    private static void usage() {
        System.err.println("usage: HelmJava version | template|notes <release> <chart> [-f values.yaml]... | lint <chart> [-f values.yaml]...");
        System.exit(2);
    }
}
