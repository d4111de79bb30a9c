package io.mxgate.importer;

import io.mxgate.importer.mapping.Outcome;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./mxgate import-postfix [--sql-secret NAME] DIR}: prints a values file for helm/mxgate made from the Postfix
 * configuration in DIR (a copy of /etc/postfix) on stdout, and on stderr every setting it could not carry over, with
 * the reason and what to do instead, then advice. Exit status 0 when the values file was written (even with settings
 * left behind), 1 when DIR cannot be imported, 2 for a usage error.
 */
public final class ImportPostfix {

    private ImportPostfix() {
    }

    public static void main(String[] args) {
        System.exit(run(args, utf8(System.out), utf8(System.err)));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String secret = Importer.DEFAULT_SECRET;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--sql-secret") && i + 1 < args.length) {
                secret = args[++i];
            } else if (dir == null && !args[i].startsWith("-")) {
                dir = Path.of(args[i]);
            } else {
                dir = null;
                break;
            }
        }
        if (dir == null || !Files.isDirectory(dir)) {
            err.println("usage: ./mxgate import-postfix [--sql-secret NAME] DIR   (DIR: a copy of /etc/postfix with "
                    + "main.cf, master.cf and the tables they name)");
            return 2;
        }
        Importer.Result result;
        try {
            result = Importer.run(dir, secret);
        } catch (IllegalArgumentException e) {
            err.println("mxgate import-postfix: " + e.getMessage());
            return 1;
        }
        out.print("# Values for helm/mxgate imported from " + dir.toAbsolutePath().normalize()
                + " by ./mxgate import-postfix\n" + result.values().yaml());
        out.flush();
        report(result, err);
        return 0;
    }

    static void report(Importer.Result result, PrintStream err) {
        err.println("mxgate import-postfix: " + result.carried().size() + " settings carried over, "
                + result.skipped().size() + " not:");
        for (Outcome.Skipped s : result.skipped()) {
            err.println("  not carried: " + s.setting());
            err.println("      " + s.reason());
        }
        for (String note : result.notes()) {
            err.println("  note: " + note);
        }
    }

    static PrintStream utf8(PrintStream stream) {
        return new PrintStream(stream, true, StandardCharsets.UTF_8);
    }
}
