package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Script;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seed-like smtpd_recipient_restrictions list, written as an admin would, end to end: Postfix-format access
 * tables, a cidr client table, mynetworks, DNS blocklists and MX records served by a real dnsmasq, postgrey and
 * Dovecot's quota-status as policy services, reject_unverified_recipient, and permit_mx_backup in the relay list
 * (in a recipient list it would also permit every local domain, as Postfix's does). Different clients are
 * different loopback source addresses (127.0.0.2, 127.0.0.3, ...). Tests run in order: the last ones stop parts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestrictionsTest {

    private static Path tables;
    private static int dnsPort;
    private static int postgreyPort;
    private static Stack stack;

    @BeforeAll
    static void start() throws IOException {
        tables = Files.createTempDirectory(Path.of("/tmp"), "mxgate-tables-");
        tables.toFile().setReadable(true, false);
        tables.toFile().setExecutable(true, false);
        Files.writeString(tables.resolve("client_access"), "# cidr\n127.0.0.3 REJECT no mail from you\n");
        Files.writeString(tables.resolve("helo_access"), "bad.helo.test REJECT\n");
        Files.writeString(tables.resolve("sender_access"), "spammer@bad.test 550 5.7.1 go away\nbad.test REJECT\n");
        // Mail for the domains we back up is not verified here (its primary may be down): permit_mx_backup in the
        // relay list lets it through, and this entry ends the recipient list for it.
        Files.writeString(tables.resolve("recipient_access"), "blocked@example.test REJECT\nbackup.test OK\n");
        Files.writeString(tables.resolve("dns"), String.join("\n",
                "host-record=4.0.0.127.zen.example.test,127.0.0.2",
                "txt-record=4.0.0.127.zen.example.test,\"listed for testing\"",
                "host-record=host5.bad.test,127.0.0.5",
                "host-record=host5.bad.test.rhsbl.example.test,127.0.0.2",
                "mx-host=backup.test,mx1.primary.test,10",
                "mx-host=backup.test,mx2.ours.test,20",
                "host-record=mx1.primary.test,127.0.0.20",
                "host-record=mx2.ours.test,127.0.0.10",
                "mx-host=primary-is-us.test,mx2.ours.test,10",
                "mx-host=foreign-primary.test,mx1.elsewhere.test,10",
                "mx-host=foreign-primary.test,mx2.ours.test,20",
                "host-record=mx1.elsewhere.test,127.0.1.50", ""));
        dnsPort = Ports.free();
        postgreyPort = Ports.free();
        Script.run("dnsmasq.sh", "start", tables.resolve("dnsmasq"), dnsPort, tables.resolve("dns"));
        Script.run("postgrey.sh", "start", tables.resolve("postgrey"), postgreyPort, 2);
        String t = tables.toString();
        stack = Stack.start(Map.ofEntries(
                Map.entry("MXGATE_SMTPD_PEERNAME_LOOKUP", "true"),
                Map.entry("MXGATE_DNS_RESOLVER", "127.0.0.1:" + dnsPort),
                Map.entry("MXGATE_DNS_TIMEOUT", "2s"),
                Map.entry("MXGATE_MYNETWORKS", "127.0.0.2/31"),
                Map.entry("MXGATE_SMTPD_FORBID_BARE_NEWLINE", "reject"),
                Map.entry("MXGATE_PROXY_INTERFACES", "127.0.0.10"),
                Map.entry("MXGATE_PERMIT_MX_BACKUP_NETWORKS", "127.0.0.16/28"),
                Map.entry("MXGATE_SMTPD_POLICY_SERVICE_TIMEOUT", "3s"),
                Map.entry("MXGATE_SMTPD_POLICY_SERVICE_RETRY_DELAY", "100ms"),
                Map.entry("MXGATE_SMTPD_RELAY_RESTRICTIONS",
                        "permit_mynetworks, permit_sasl_authenticated, permit_mx_backup, reject_unauth_destination"),
                Map.entry("MXGATE_SMTPD_RECIPIENT_RESTRICTIONS", String.join(",\n    ",
                        "check_client_access cidr:" + t + "/client_access",
                        "check_helo_access hash:" + t + "/helo_access",
                        "check_sender_access hash:" + t + "/sender_access",
                        "check_recipient_access hash:" + t + "/recipient_access",
                        "permit_sasl_authenticated",
                        "permit_mynetworks",
                        "reject_rbl_client zen.example.test",
                        "reject_rhsbl_client rhsbl.example.test",
                        "check_policy_service inet:127.0.0.1:{quota-status-port}",
                        "reject_unverified_recipient",
                        "check_policy_service inet:127.0.0.1:" + postgreyPort,
                        "reject_unauth_destination",
                        "permit"))));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        Script.run("postgrey.sh", "stop", tables.resolve("postgrey"));
        Script.run("dnsmasq.sh", "stop", tables.resolve("dnsmasq"));
    }

    /** MAIL FROM and RCPT TO from a client address with a HELO name; the RCPT reply. */
    private static String rcpt(String client, String helo, String mailFrom, String recipient) {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), client)) {
            d.send("EHLO " + helo).expect("250 *");
            d.send("MAIL FROM:" + mailFrom).expect("250 2.1.0 Ok");
            return d.send("RCPT TO:<" + recipient + ">").reply();
        }
    }

    private static String rcpt(String client, String recipient) {
        return rcpt(client, "client.test", "<s" + UUID.randomUUID().toString().substring(0, 6) + "@remote.test>",
                recipient);
    }

    @Test
    @Order(1)
    void strangersCannotRelayButMynetworksCan() {
        assertEquals("554 5.7.1 <x@outside.test>: Relay access denied", rcpt("127.0.0.1", "x@outside.test"));
        assertEquals("250 2.1.5 Ok", rcpt("127.0.0.2", "x@outside.test"));
    }

    @Test
    @Order(2)
    void accessTableRejectComesBeforePermitMynetworks() {
        assertEquals("554 5.7.1 <unknown[127.0.0.3]>: Client host rejected: no mail from you",
                rcpt("127.0.0.3", "alice@example.test"));
    }

    @Test
    @Order(3)
    void heloSenderAndRecipientAccessTables() {
        assertEquals("554 5.7.1 <bad.helo.test>: Helo command rejected: Access denied",
                rcpt("127.0.0.1", "bad.helo.test", "<s@remote.test>", "alice@example.test"));
        assertEquals("550 5.7.1 <spammer@bad.test>: Sender address rejected: go away",
                rcpt("127.0.0.1", "client.test", "<spammer@bad.test>", "alice@example.test"));
        assertEquals("554 5.7.1 <other@bad.test>: Sender address rejected: Access denied",
                rcpt("127.0.0.1", "client.test", "<other@bad.test>", "alice@example.test"));
        assertEquals("554 5.7.1 <blocked@example.test>: Recipient address rejected: Access denied",
                rcpt("127.0.0.1", "blocked@example.test"));
    }

    @Test
    @Order(4)
    void dnsBlocklists() {
        assertEquals("554 5.7.1 Service unavailable; Client host [127.0.0.4] blocked using zen.example.test; "
                + "listed for testing", rcpt("127.0.0.4", "alice@example.test"));
        assertEquals("554 5.7.1 Service unavailable; Client host [host5.bad.test] blocked using rhsbl.example.test",
                rcpt("127.0.0.5", "alice@example.test"));
        assertTrue(stack.log("smtp-ingress").contains("connect from host5.bad.test[127.0.0.5]"));
    }

    @Test
    @Order(5)
    void quotaStatusPolicyService() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), "127.0.0.1")) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test> SIZE=100000").expect("250 2.1.0 Ok");
            assertEquals("552 5.2.2 <full@example.test>: Recipient address rejected: Mailbox is full",
                    d.send("RCPT TO:<full@example.test>").reply());
        }
    }

    @Test
    @Order(6)
    void greylistingDefersFirstThenAccepts() {
        String sender = "<grey" + UUID.randomUUID().toString().substring(0, 6) + "@remote.test>";
        assertEquals("450 4.7.1 <alice@example.test>: Recipient address rejected: Greylisted, see "
                + "http://postgrey.schweikert.ch/help/example.test.html",
                rcpt("127.0.0.1", "client.test", sender, "alice@example.test"));
        String tag = UUID.randomUUID().toString();
        assertTrue(Stack.await(Duration.ofSeconds(15), () -> sentAfterGreylisting(sender, tag)),
                "accepted once postgrey's delay has passed");
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> stack.messagesContaining("alice", tag).size() == 1));
        assertTrue(stack.messagesContaining("alice", tag).get(0).contains("X-Greylist: delayed "),
                "postgrey's PREPEND header is in the message");
    }

    /** One whole transaction; false when RCPT is still greylisted. */
    private static boolean sentAfterGreylisting(String sender, String tag) {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), "127.0.0.1")) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:" + sender).expect("250 2.1.0 Ok");
            if (!d.send("RCPT TO:<alice@example.test>").reply().equals("250 2.1.5 Ok")) {
                return false;
            }
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + tag + "\r\n\r\nafter greylisting\r\n.\r\n");
            return SmtpDialogueTest.QUEUED.matcher(d.reply()).matches();
        }
    }

    @Test
    @Order(7)
    void permitMxBackupOnlyAsBackupOfAPrimaryInTheNetworks() {
        assertEquals("250 2.1.5 Ok", rcpt("127.0.0.1", "someone@backup.test"));
        assertEquals("554 5.7.1 <someone@primary-is-us.test>: Relay access denied",
                rcpt("127.0.0.1", "someone@primary-is-us.test"));
        assertEquals("554 5.7.1 <someone@foreign-primary.test>: Relay access denied",
                rcpt("127.0.0.1", "someone@foreign-primary.test"));
    }

    @Test
    @Order(8)
    void tablesAreReloadedWhenTheirFileChanges() throws IOException {
        assertEquals("250 2.1.5 Ok", rcpt("127.0.0.2", "late@outside.test"));
        Files.writeString(tables.resolve("recipient_access"), "late@outside.test REJECT not any more\n",
                StandardOpenOption.APPEND);
        assertTrue(Stack.await(Duration.ofSeconds(10), () ->
                "554 5.7.1 <late@outside.test>: Recipient address rejected: not any more".equals(
                        rcpt("127.0.0.2", "late@outside.test"))));
    }

    @Test
    @Order(8)
    void bareNewlineRejectMode() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), "127.0.0.2")) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<x@outside.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw("Subject: bare\n\nline with a bare LF\n.\r\n.\r\n");
            d.expect("550 5.5.2 Error: bare <LF> received");
            d.send("RSET").expect("250 2.0.0 Ok");
        }
    }

    @Test
    @Order(8)
    void malformedTableStopsTheStartNamingFileAndLine() throws IOException {
        Files.writeString(tables.resolve("broken"), "ok@example.test OK\nlonely-key\n");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> stack.startReplica("smtp-ingress", "smtp-ingress-broken", Map.of(
                        "MXGATE_SMTPD_PORT", Integer.toString(Ports.free()),
                        "MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()),
                        "MXGATE_SMTPD_RECIPIENT_RESTRICTIONS", "check_recipient_access hash:" + tables.resolve("broken"))));
        assertTrue(e.getMessage().contains("hash:" + tables.resolve("broken") + ", line 2: expected \"key whitespace value\""),
                e.getMessage());
        assertTrue(e.getMessage().contains("did not become ready"), e.getMessage());
    }

    @Test
    @Order(9)
    void policyServerDownGivesTheDefaultAction() {
        Script.run("postgrey.sh", "stop", tables.resolve("postgrey"));
        assertEquals("451 4.3.5 Server configuration problem", rcpt("127.0.0.1", "alice@example.test"));
    }

    @Test
    @Order(10)
    void dnsFailureDefersNeverAccepts() {
        Script.run("dnsmasq.sh", "stop", tables.resolve("dnsmasq"));
        List<String> ok = List.of("451 4.3.0 <unknown[127.0.0.6]>: Client host rejected: Temporary lookup failure");
        String reply = rcpt("127.0.0.6", "alice@example.test");
        assertTrue(ok.contains(reply), reply);
    }
}
