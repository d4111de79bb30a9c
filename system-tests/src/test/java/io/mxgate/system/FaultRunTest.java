package io.mxgate.system;

import io.mxgate.testkit.Script;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of bench/faults.sh: a few hundred messages while parts are killed with SIGKILL and
 * restarted; every message that got 250 must be in a Maildir (the script exits 1 otherwise).
 */
class FaultRunTest {

    @Test
    void nothingAcceptedIsLostWhilePartsAreKilled() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Script.root().resolve("bench/faults.sh").toString())
                .redirectErrorStream(true);
        pb.environment().put("N", "400");
        pb.environment().put("SESSIONS", "10");
        pb.environment().put("PACE", "0.5");
        pb.environment().put("CHAOS_MIN", "1");
        pb.environment().put("CHAOS_MAX", "3");
        pb.environment().put("MXGATE_FAULTS_DIR", "/tmp/mxgate-faults-test");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), out);
        System.out.println(out.lines().filter(l -> l.startsWith("faults:") || l.startsWith("sent=")
                || l.startsWith("delivered=") || l.startsWith("LOST")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(" lost=0 "), out);
        assertTrue(!out.contains("faults: kills=0 "), "the chaos loop killed something: " + out);
    }
}
