package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** reject_unverified_recipient end to end: smtp-ingress asks the verifier, which probes Dovecot and caches in Redis. */
@ExtendWith(StackExtension.class)
class VerificationTest {

    private final Stack stack;

    VerificationTest(Stack stack) {
        this.stack = stack;
    }

    static String rcpt(int smtpPort, String recipient) {
        try (SmtpDialogue d = SmtpDialogue.open(smtpPort)) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            return d.send("RCPT TO:<" + recipient + ">").reply();
        }
    }

    static long probes(String log, String address) {
        return Pattern.compile("to=<" + Pattern.quote(address) + ">, relay=.*status=(deliverable|undeliverable)")
                .matcher(log).results().count();
    }

    @Test
    void unknownRecipientIsRejectedWithDovecotsReply() {
        assertEquals("450 4.1.1 <ghost@example.test>: Recipient address rejected: unverified address: "
                + "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't exist: ghost@example.test "
                + "(in reply to RCPT TO command)", rcpt(stack.smtpPort(), "ghost@example.test"));
        assertTrue(Stack.await(Duration.ofSeconds(2), () -> stack.log("smtp-ingress").contains(
                "NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 450 4.1.1 <ghost@example.test>: Recipient address rejected: "
                        + "unverified address: host 127.0.0.1[127.0.0.1] said: 550 5.1.1")));
        assertTrue(stack.log("verifier").contains("to=<ghost@example.test>, relay=127.0.0.1[127.0.0.1]:"
                + stack.lmtpPort() + ", delay="));
        assertTrue(stack.log("verifier").contains("dsn=5.1.1, status=undeliverable (host 127.0.0.1[127.0.0.1] said: "
                + "550 5.1.1 <ghost@example.test> User doesn't exist"));
    }

    @Test
    void coldMissIsAnsweredByTheProbeAndTheSecondAskFromTheCache() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add("cold" + UUID.randomUUID().toString().substring(0, 8));
        }
        stack.addMailboxes(users.toArray(String[]::new));
        List<Long> micros = new ArrayList<>();
        for (String user : users) {
            long t0 = System.nanoTime();
            assertEquals("250 2.1.5 Ok", rcpt(stack.smtpPort(), user + "@example.test"),
                    "a cold miss gets the probe's answer, not 'verification in progress'");
            micros.add((System.nanoTime() - t0) / 1000);
        }
        Collections.sort(micros);
        System.out.printf("cold-miss RCPT (connect..RCPT reply), 20 addresses: p50 %.1f ms, max %.1f ms%n",
                micros.get(10) / 1000.0, micros.get(19) / 1000.0);
        String first = users.get(0) + "@example.test";
        assertEquals("250 2.1.5 Ok", rcpt(stack.smtpPort(), first));
        assertEquals(1, probes(stack.log("verifier"), first), "answered from Redis, no second probe");
        assertTrue(stack.log("verifier").contains("to=<" + first + ">, relay=127.0.0.1[127.0.0.1]:" + stack.lmtpPort()
                + ", delay="));
    }

    @Test
    void cacheCanBeListedShownAndDeleted() throws Exception {
        rcpt(stack.smtpPort(), "bob@example.test");
        int port = stack.httpPort("verifier");
        assertTrue(OutageTest.get(port, "/v1/verify-cache").contains("\"address\":\"bob@example.test\",\"status\":\"OK\""));
        assertTrue(OutageTest.get(port, "/v1/verify-cache/bob@example.test").contains("\"text\":\"250 2.1.5 OK\""));
        assertEquals("{\"deleted\":1}", OutageTest.send(port, "DELETE", "/v1/verify-cache/bob@example.test"));
        assertTrue(OutageTest.get(port, "/v1/verify-cache/bob@example.test").contains("not in the verify cache"));
    }
}
