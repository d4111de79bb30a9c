package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to smtp-ingress while 20 sessions send mail: every message is either answered 250 and delivered, or
 * refused with a 4xx / a closed connection; nothing that got 250 is missing at Dovecot.
 */
class DrainTest {

    @Test
    void sigtermDuringTwentySessionsLosesNothing() throws Exception {
        try (Stack stack = Stack.start(SharedStack.TEST_SETTINGS)) {
            assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "alice@example.test"));
            Map<String, String> replies = new ConcurrentHashMap<>();
            AtomicInteger started = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(20);
            for (int c = 0; c < 20; c++) {
                int client = c;
                clients.submit(() -> send(stack.smtpPort(), client, replies, started));
            }
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> started.get() >= 100), "mail is flowing");
            stack.stopService("smtp-ingress");
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));

            List<String> accepted = replies.entrySet().stream()
                    .filter(e -> SmtpDialogueTest.QUEUED.matcher(e.getValue()).matches()).map(Map.Entry::getKey).toList();
            long refused = replies.values().stream().filter(r -> !SmtpDialogueTest.QUEUED.matcher(r).matches()).count();
            System.out.printf("drain: %d messages started, %d answered 250, %d refused or cut off%n",
                    started.get(), accepted.size(), refused);
            assertTrue(replies.values().stream().allMatch(r -> SmtpDialogueTest.QUEUED.matcher(r).matches()
                    || r.startsWith("4") || r.equals("closed")), "every reply is a 250, a 4xx or a closed connection");
            assertTrue(Stack.await(Duration.ofSeconds(60), () -> accepted.stream()
                    .allMatch(tag -> !stack.messagesContaining("alice", tag).isEmpty())), "every 250 is delivered");
            assertTrue(stack.log("smtp-ingress").contains("draining: "));
        }
    }

    /** One client: messages back to back until the server says 421 or goes away; records each final reply. */
    private static void send(int port, int client, Map<String, String> replies, AtomicInteger started) {
        int n = 0;
        String tag = null;
        try (SmtpDialogue d = SmtpDialogue.open(port)) {
            d.send("EHLO client" + client + ".test").expect("250 *");
            while (true) {
                tag = "drain-" + client + "-" + n++ + "-";
                started.incrementAndGet();
                String mail = d.send("MAIL FROM:<s@remote.test>").reply();
                if (mail == null || !mail.startsWith("250")) {
                    replies.put(tag, mail == null ? "closed" : mail);
                    return;
                }
                d.send("RCPT TO:<alice@example.test>").expect("250 *");
                d.send("DATA").expect("354 *");
                d.raw("Subject: " + tag + "\r\n\r\n" + "x".repeat(2000) + "\r\n.\r\n");
                String reply = d.reply();
                replies.put(tag, reply == null ? "closed" : reply);
                if (reply == null || !reply.startsWith("250")) {
                    return;
                }
            }
        } catch (AssertionError | RuntimeException e) {
            if (tag != null) {
                replies.putIfAbsent(tag, "closed");
            }
        }
    }
}
