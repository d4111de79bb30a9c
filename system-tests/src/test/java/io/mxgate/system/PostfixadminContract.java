package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.SqlServer;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed admin's Postfixadmin setup, end to end, as a stranger sees it (a client outside mynetworks, no SASL,
 * reject_unverified_recipient in the list): the six Postfixadmin maps from a real database, an alias inside a mailbox
 * domain and an address of an alias domain accepted after a probe of the target and found in the target's Maildir,
 * unknown addresses answered as the reference Postfix answers them. Each database kind runs this once per class.
 */
abstract class PostfixadminContract {

    /** Postfixadmin's rows: two mailboxes (each its own alias), an alias, a list, and an alias domain. */
    static final String DATA = String.join("\n",
            "INSERT INTO domain (domain, transport, active) VALUES ('example.test', 'virtual', '1'),",
            "  ('alias.test', 'virtual', '1');",
            "INSERT INTO mailbox (username, password, name, maildir, local_part, domain, active) VALUES",
            "  ('alice@example.test', 'x', 'Alice', 'example.test/alice/', 'alice', 'example.test', '1'),",
            "  ('bob@example.test', 'x', 'Bob', 'example.test/bob/', 'bob', 'example.test', '1');",
            "INSERT INTO alias (address, goto, domain, active) VALUES",
            "  ('alice@example.test', 'alice@example.test', 'example.test', '1'),",
            "  ('bob@example.test', 'bob@example.test', 'example.test', '1'),",
            "  ('info@example.test', 'bob@example.test', 'example.test', '1'),",
            "  ('team@example.test', 'alice@example.test,bob@example.test', 'example.test', '1');",
            "INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES ('alias.test', 'example.test', '1');");

    static SqlServer db;
    static Stack stack;

    /**
     * The main.cf lines of the seed's Postfixadmin setup, pointed at {@code db}, plus a virtual alias domain whose
     * aliases are in a text table (the reproduction: every such alias was refused to every stranger).
     */
    static Map<String, String> settings(SqlServer db) {
        try {
            Files.writeString(db.dir().resolve("virtual"), "info@textalias.test   alice@example.test\n");
            Files.writeString(db.dir().resolve("alias_domains"), "textalias.test   OK\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "MXGATE_MYNETWORKS", "192.0.2.0/24",
                "MXGATE_VIRTUAL_ALIAS_DOMAINS", "hash:" + db.dir().resolve("alias_domains"),
                "MXGATE_VIRTUAL_MAILBOX_DOMAINS", db.tableName("virtual_domains_maps"),
                "MXGATE_VIRTUAL_ALIAS_MAPS", String.join(", ", "texthash:" + db.dir().resolve("virtual"),
                        db.tableName("virtual_alias_maps"),
                        db.tableName("virtual_alias_domain_maps"), db.tableName("virtual_alias_domain_catchall_maps")),
                "MXGATE_VIRTUAL_MAILBOX_MAPS", db.tableName("virtual_mailbox_maps") + " "
                        + db.tableName("virtual_alias_domain_mailbox_maps"),
                "MXGATE_SQL_CACHE_TTL", "2s");
    }

    static void start(SqlServer.Kind kind) {
        db = SqlServer.start(kind);
        db.sql(DATA);
        stack = Stack.start(settings(db));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // close the other one too
            }
        }
    }

    static String rcpt(String recipient) {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            return d.send("RCPT TO:<" + recipient + ">").reply();
        }
    }

    static void sendAndFind(String recipient, String... mailboxes) {
        // a first contact may be answered "in progress" while the probe runs (Postfix does the same)
        assertEquals("250 2.1.5 Ok", pollPastInProgress(recipient), stack.log("verifier"));
        String tag = UUID.randomUUID().toString();
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of(recipient),
                "Subject: " + tag + "\r\nMessage-Id: <" + tag + "@client.test>\r\n\r\nhello " + tag + "\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), recipient + ": " + reply + "\n"
                + stack.log("smtp-ingress") + stack.log("verifier"));
        for (String user : mailboxes) {
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.messagesContaining(user, tag).size() == 1),
                    recipient + " not in " + user + "'s Maildir\n" + stack.log("lmtp-delivery"));
        }
    }

    @Test
    void anAliasInsideAMailboxDomainIsVerifiedAtItsTargetAndDelivered() {
        sendAndFind("info@example.test", "bob");
        // the reference Postfix's probe line: to=<bob@example.test>, orig_to=<info@example.test>, relay=...
        assertTrue(stack.log("verifier").contains("to=<bob@example.test>, orig_to=<info@example.test>, "
                + "relay=127.0.0.1[127.0.0.1]:" + stack.lmtpPort()), stack.log("verifier"));
    }

    @Test
    void anAddressOfAnAliasDomainIsVerifiedAtItsTargetAndDelivered() {
        sendAndFind("alice@alias.test", "alice");
        sendAndFind("info@alias.test", "bob");
    }

    @Test
    void anAliasOfAVirtualAliasDomainIsVerifiedAtItsTargetAndDelivered() {
        sendAndFind("info@textalias.test", "alice");
        assertEquals("450 4.1.1 <nobody@textalias.test>: Recipient address rejected: unverified address: User "
                + "unknown in virtual alias table", pollPastInProgress("nobody@textalias.test"));
    }

    /**
     * An admin's edit of a domain list's table and of an alias table takes effect without a restart. Each service
     * rereads its tables on its own clock (every 2 s), so for a moment the verifier may not know the domain yet and
     * cache that answer for the address it was asked: each try asks for an address not asked before.
     */
    @Test
    void editedTablesTakeEffectWithoutARestart() throws IOException {
        assertEquals("554 5.7.1 <info@reload.test>: Relay access denied", rcpt("info@reload.test"));
        Files.writeString(db.dir().resolve("virtual"), "@reload.test   bob@example.test\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(db.dir().resolve("alias_domains"), "reload.test   OK\n",
                java.nio.file.StandardOpenOption.APPEND);
        int[] n = {0};
        String[] reply = {""};
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> (reply[0] = rcpt("try" + ++n[0] + "@reload.test"))
                .equals("250 2.1.5 Ok")), reply[0]);
        sendAndFind("info@reload.test", "bob");
    }

    @Test
    void aListIsDeliverableWithoutAProbeAndReachesEveryMember() {
        sendAndFind("team@example.test", "alice", "bob");
        assertTrue(stack.log("verifier").contains("to=<team@example.test>, relay=none")
                && stack.log("verifier").contains("status=deliverable (aliased to multiple recipients)"),
                stack.log("verifier"));
    }

    @Test
    void unknownAddressesGetTheReferencePostfixsReplies() {
        // reject_unverified_recipient runs first and probes Dovecot, as in the reference Postfix (450: "unverified")
        for (String ghost : List.of("ghost@example.test", "ghost@alias.test")) {
            assertEquals("450 4.1.1 <" + ghost + ">: Recipient address rejected: unverified address: host "
                    + "127.0.0.1[127.0.0.1] said: 550 5.1.1 <" + ghost + "> User doesn't exist: " + ghost
                    + " (in reply to RCPT TO command)", pollPastInProgress(ghost));
        }
    }

    /** The first answers may be "Address verification in progress" while the probe runs. */
    static String pollPastInProgress(String recipient) {
        String[] reply = {""};
        Stack.await(Duration.ofSeconds(20), () -> !(reply[0] = rcpt(recipient)).contains("in progress"));
        return reply[0];
    }
}
