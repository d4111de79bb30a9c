import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.nio.file.Path;

/**
 * The helm commands k8s/render.sh needs, through helm-java (Helm's Go library as a native library).
 * Run with the source launcher: java -cp 'target/lib/*' HelmJava.java ...
 *
 *   version
 *   template <release> <chart> [-f values.yaml]...   prints what `helm template <release> <chart> -f ...` prints
 *   lint <chart>                                      `helm lint --strict <chart>`: messages, exit 1 on failure
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
        } else if (args.length == 2 && args[0].equals("lint")) {
            LintResult result = new Helm(Path.of(args[1])).lint().strict().call();
            result.getMessages().forEach(System.out::println);
            System.out.println(args[1] + ": " + (result.isFailed() ? "lint FAILED" : "lint passed"));
            System.exit(result.isFailed() ? 1 : 0);
        } else {
            usage();
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
        System.err.println("usage: HelmJava version | template|notes <release> <chart> [-f values.yaml]... | lint <chart>");
        System.exit(2);
    }
}
