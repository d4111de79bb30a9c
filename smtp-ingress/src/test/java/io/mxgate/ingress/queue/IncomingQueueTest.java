package io.mxgate.ingress.queue;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.table.DomainList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IncomingQueueTest {

    private static final DomainClasses CLASSES = new DomainClasses(DomainList.parse("relay.test, fax.example.test"),
            DomainList.parse("example.test, second.test"), DomainList.parse("alias.test"));

    /**
     * Only mail that lmtp-delivery takes whole may skip the topic queue-worker reads (ADR 0007). The addresses are
     * targets (aliases expanded at RCPT): an unexpanded alias-domain address still goes where queue-worker bounces it.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            alice@example.test                                  | true
            'alice@example.test bob@example.test'               | true
            'alice@example.test carol@second.test'              | true
            Alice@EXAMPLE.Test                                  | true
            pages@fax.example.test                              | false
            bob@relay.test                                      | false
            'alice@example.test bob@relay.test'                 | false
            'bob@relay.test alice@example.test'                 | false
            info@alias.test                                     | false
            someone@example.test.evil                           | false
            ''                                                  | false
            """)
    void mailboxTopicOnlyWhenEveryRecipientIsInAMailboxDomain(String recipients, boolean expected) {
        List<MailAddress> list = recipients == null || recipients.isBlank() ? List.of()
                : Arrays.stream(recipients.split(" ")).map(a -> MailAddress.qualified(a, "unused.test")).toList();
        assertEquals(expected, IncomingQueue.mailboxOnly(list.stream().map(a -> CLASSES.classify(a.domain()).result())
                .toList()));
    }
}
