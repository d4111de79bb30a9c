package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outages defer mail, never drop it. Each test has a stack of its own, because it stops a part of it.
 */
class OutageTest {

    @Test
    void withKafkaDownMailGetsA4xxAndNothingIsHalfStored() throws Exception {
        try (Stack stack = Stack.start(SharedStack.TEST_SETTINGS)) {
            int http = stack.httpPort("smtp-ingress");
            stack.stopKafka();
            assertTrue(Stack.await(Duration.ofSeconds(15), () -> ready(http).contains("\"status\": \"DOWN\"")),
                    "readiness goes DOWN without Kafka");
            assertTrue(get(http, "/q/health/live").contains("\"status\": \"UP\""), "but the pod stays live");
            String tag = UUID.randomUUID().toString();
            String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("alice@example.test"),
                    "Subject: " + tag + "\r\n\r\nnot stored\r\n");
            assertEquals("451 4.3.0 Error: queue file write error", reply);

            stack.startKafka();
            String after = UUID.randomUUID().toString();
            assertTrue(Stack.await(Duration.ofSeconds(60), () -> SmtpDialogueTest.QUEUED.matcher(
                    SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("alice@example.test"),
                            "Subject: " + after + "\r\n\r\nstored\r\n")).matches()), "accepts again once Kafka is back");
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> !stack.messagesContaining("alice", after).isEmpty()));
            assertTrue(stack.messagesContaining("alice", tag).isEmpty(), "the refused message was not stored");
            assertTrue(Stack.await(Duration.ofSeconds(15), () -> ready(http).contains("\"status\": \"UP\"")));
            String metrics = get(http, "/q/metrics");
            assertTrue(metrics.contains("mxgate_smtpd_messages_total{result=\"deferred\"} 1.0"), metrics);
            assertTrue(metrics.contains("mxgate_smtpd_messages_total{result=\"queued\"}"), metrics);
            assertTrue(metrics.contains("mxgate_smtpd_sessions "), metrics);
        }
    }

    @Test
    void withDovecotDownAcceptedMailWaitsInKafkaAndIsDeliveredWhenItReturns() throws Exception {
        try (Stack stack = Stack.start(SharedStack.TEST_SETTINGS)) {
            // Recipients are verified before Dovecot goes away; the cached answers keep them accepted.
            assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "alice@example.test"));
            assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"));
            stack.stopDovecot();
            String tag = UUID.randomUUID().toString();
            for (int i = 0; i < 5; i++) {
                String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test",
                        List.of("alice@example.test", "bob@example.test"), "Subject: " + tag + " " + i + "\r\n\r\nwait\r\n");
                assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
            }
            assertTrue(Stack.await(Duration.ofSeconds(10),
                    () -> stack.log("lmtp-delivery").contains("LMTP backend unavailable")), stack.log("lmtp-delivery"));
            String health = get(stack.httpPort("lmtp-delivery"), "/q/health/ready");
            assertTrue(health.contains("\"status\": \"UP\"") && health.contains("Connection refused"), health);

            stack.startDovecot();
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.messagesContaining("alice", tag).size() == 5
                    && stack.messagesContaining("bob", tag).size() == 5), "all five delivered once Dovecot is back");
            Thread.sleep(1000);
            assertEquals(5, stack.messagesContaining("alice", tag).size(), "and none twice");
        }
    }

    private static String ready(int port) {
        try {
            return get(port, "/q/health/ready");
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    static String get(int port, String path) throws IOException, InterruptedException {
        return send(port, "GET", path);
    }

    static String send(int port, String method, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
