package io.mxgate.system;

import io.mxgate.testkit.SqlServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.mxgate.testkit.Stack;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Postfixadmin setup on MariaDB, and what a database outage does to it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixadminMariaDbTest extends PostfixadminContract {

    @BeforeAll
    static void start() {
        start(SqlServer.Kind.MARIADB);
    }

    /**
     * MariaDB SIGKILLed: what the caches know keeps working (mail for alice is accepted and delivered), a recipient
     * that needs the database gets 451 4.3.0 (never a 5xx, never an accept), and lookups recover by themselves.
     */
    @Test
    @Order(100)
    void aDatabaseOutageDefersWhatNeedsTheDatabaseAndLosesNothing() {
        sendAndFind("alice@example.test", "alice");  // alice's lookups are now cached in every service
        db.kill();
        try {
            sendAndFind("alice@example.test", "alice");
            assertEquals("451 4.3.0 <someone@unseen.test>: Temporary lookup failure", rcpt("someone@unseen.test"));
        } finally {
            db.start();
        }
        String[] reply = {""};
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> (reply[0] = rcpt("someone@unseen.test"))
                .equals("554 5.7.1 <someone@unseen.test>: Relay access denied")), reply[0]);
        sendAndFind("info@alias.test", "bob");
    }
}
