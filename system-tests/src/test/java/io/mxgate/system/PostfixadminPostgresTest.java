package io.mxgate.system;

import io.mxgate.testkit.SqlServer;
import org.junit.jupiter.api.BeforeAll;

/** The Postfixadmin setup on PostgreSQL. */
class PostfixadminPostgresTest extends PostfixadminContract {

    @BeforeAll
    static void start() {
        start(SqlServer.Kind.POSTGRES);
    }
}
