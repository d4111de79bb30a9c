package io.mxgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parses a message with a real, independent MIME parser, Python's email package, and returns what it found as
 * {@code key -> value}: {@code type}, {@code report-type}, {@code parts}, {@code defects}, {@code message.*} and
 * {@code recipient.N.*} delivery-status fields, {@code returned.subject}. A DSN is valid when the parser agrees
 * with what we meant to write.
 */
public final class DsnCheck {

    private DsnCheck() {
    }

    public static Map<String, String> parse(byte[] message) {
        try (InputStream script = DsnCheck.class.getResourceAsStream("dsn-check.py")) {
            byte[] code = script.readAllBytes();
            Process p = new ProcessBuilder("python3", "-c", new String(code, StandardCharsets.UTF_8))
                    .redirectErrorStream(true).start();
            p.getOutputStream().write(message);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("python3 could not parse the message:\n" + out);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return fields;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static Map<String, String> parse(String message) {
        return parse(message.getBytes(StandardCharsets.ISO_8859_1));
    }
}
