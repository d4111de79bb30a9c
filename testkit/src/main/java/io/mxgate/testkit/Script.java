package io.mxgate.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the project's dev/ scripts and fails loudly, with its output, when it fails. */
public final class Script {

    private Script() {
    }

    public static Path root() {
        String root = System.getProperty("mxgate.root");
        Path p = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        if (!Files.isRegularFile(p.resolve("mxgate"))) {
            throw new IllegalStateException("cannot find the project root (system property mxgate.root): " + p);
        }
        return p;
    }

    /** Runs the script and returns its output (stdout and stderr together). */
    public static String run(String script, Object... args) {
        return run(Map.of(), script, args);
    }

    /** Runs the script with {@code env} added to its environment, and returns its output. */
    public static String run(Map<String, String> env, String script, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(root().resolve("dev").resolve(script).toString());
        for (Object a : args) {
            command.add(a.toString());
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n"
                        + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
