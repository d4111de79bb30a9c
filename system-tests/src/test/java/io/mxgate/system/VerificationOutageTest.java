package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipient verification while parts are down, and across replicas. Each test has a stack of its own. */
class VerificationOutageTest {

    @Test
    void withDovecotDownCachedRecipientsAreAcceptedAndTheRestDeferredUntilReprobed() {
        Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
        settings.put("MXGATE_ADDRESS_VERIFY_NEGATIVE_REFRESH_TIME", "2s");
        settings.put("MXGATE_ADDRESS_VERIFY_PROBE_TIMEOUT", "3s");
        try (Stack stack = Stack.start(settings)) {
            assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "alice@example.test"));
            stack.stopDovecot();

            String tag = UUID.randomUUID().toString();
            String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("alice@example.test"),
                    "Subject: " + tag + "\r\n\r\nwaits\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), "cached OK is still accepted: " + reply);
            assertEquals("450 4.1.1 <bob@example.test>: Recipient address rejected: unverified address: "
                            + "connect to 127.0.0.1[127.0.0.1]:" + stack.lmtpPort() + ": Connection refused",
                    VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"));

            stack.startDovecot();
            assertTrue(Stack.await(Duration.ofSeconds(20),
                    () -> "250 2.1.5 Ok".equals(VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"))),
                    "the DEFER entry is probed again after the negative refresh time and then accepted");
            assertTrue(Stack.await(Duration.ofSeconds(20), () -> stack.messagesContaining("alice", tag).size() == 1),
                    "the mail accepted while Dovecot was down is delivered");
        }
    }

    @Test
    void withRedisDownVerificationDefersNeverAccepts() throws Exception {
        try (Stack stack = Stack.start(SharedStack.TEST_SETTINGS)) {
            stack.stopRedis();
            assertEquals("450 4.1.1 <bob@example.test>: Recipient address rejected: address verification problem",
                    VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"));
            assertTrue(Stack.await(Duration.ofSeconds(10),
                    () -> get(stack.httpPort("verifier")).contains("\"status\": \"DOWN\"")));
            stack.startRedis();
            assertTrue(Stack.await(Duration.ofSeconds(20),
                    () -> "250 2.1.5 Ok".equals(VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"))));
        }
    }

    @Test
    void fiftyConcurrentAsksThroughTwoIngressAndTwoVerifiersMakeOneProbe() throws Exception {
        Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
        settings.put("MXGATE_UNVERIFIED_RECIPIENT_REJECT_CODE", "577");
        try (Stack stack = Stack.start(settings)) {
            // verifier-2 waits 1 ms for a probe, so its local askers always give up before the probe ends
            Stack.Replica verifier2 = stack.startReplica("verifier", "verifier-2", Map.of(
                    "MXGATE_ADDRESS_VERIFY_POLL_COUNT", "1", "MXGATE_ADDRESS_VERIFY_POLL_DELAY", "1ms"));
            int smtp2 = Ports.free();
            Stack.Replica ingress2 = stack.startReplica("smtp-ingress", "smtp-ingress-2", Map.of(
                    "MXGATE_SMTPD_PORT", Integer.toString(smtp2),
                    "MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()),
                    "MXGATE_VERIFIER_URL", "http://127.0.0.1:" + verifier2.httpPort()));

            String user = "new" + UUID.randomUUID().toString().substring(0, 8);
            stack.addMailboxes(user);
            String address = user + "@example.test";
            List<Integer> ports = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ports.add(i % 2 == 0 ? stack.smtpPort() : smtp2);
            }
            for (String reply : concurrentRcpts(ports, address)) {
                assertTrue(reply.equals("250 2.1.5 Ok") || reply.equals(inProgress(address)), reply);
            }
            long probes = VerificationTest.probes(stack.log("verifier"), address)
                    + VerificationTest.probes(stack.log(verifier2), address);
            assertEquals(1, probes, "exactly one probe across both verifiers");
            assertTrue(stack.log(ingress2).contains("connect from"));

            String impatient = "new" + UUID.randomUUID().toString().substring(0, 8);
            stack.addMailboxes(impatient);
            List<String> impatientReplies = concurrentRcpts(java.util.Collections.nCopies(10, smtp2),
                    impatient + "@example.test");
            assertTrue(impatientReplies.stream().allMatch(r -> r.equals("250 2.1.5 Ok")
                            || r.equals(inProgress(impatient + "@example.test"))),
                    "one asker giving up does not fail the others: " + impatientReplies);

            assertTrue(Stack.await(Duration.ofSeconds(20), () -> VerificationTest.rcpt(smtp2, "ghost@example.test")
                    .startsWith("577 5.1.1 <ghost@example.test>: Recipient address rejected: undeliverable address: "
                            + "host 127.0.0.1")), "the probe's result serves the next query, with the 577");
        }
    }

    private static String inProgress(String address) {
        return "450 4.1.1 <" + address
                + ">: Recipient address rejected: unverified address: Address verification in progress";
    }

    /** One RCPT per port in the list, all at once. */
    private static List<String> concurrentRcpts(List<Integer> ports, String address) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ports.size());
        try {
            List<Future<String>> replies = new java.util.ArrayList<>();
            for (int port : ports) {
                replies.add(pool.submit(() -> VerificationTest.rcpt(port, address)));
            }
            List<String> result = new java.util.ArrayList<>();
            for (Future<String> r : replies) {
                result.add(r.get());
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String get(int port) {
        try {
            return OutageTest.get(port, "/q/health/ready");
        } catch (Exception e) {
            return e.toString();
        }
    }
}
