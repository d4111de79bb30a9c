package io.mxgate.ingress.restriction;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.smtp.Reply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RestrictionChain} with hand-written restrictions whose futures are already complete (no Vert.x instance).
 * Semantics as Postfix's smtpd_check_rcpt(): smtpd_relay_restrictions, then smtpd_recipient_restrictions; in
 * each list the first PERMIT or REJECT ends the list; a REJECT ends everything; DEFER_IF_PERMIT (first one kept)
 * turns the final explicit or implicit PERMIT into its reply; DEFER_IF_REJECT (first one kept, not reset between
 * the two lists) turns a later REJECT into its reply.
 *
 * <p>Restrictions are written as space-separated tokens: {@code permit}, {@code dunno}, {@code reject:x} (554
 * 5.7.1 x), {@code defer:x} (a 4xx REJECT, 450 4.7.1 x), {@code dip:x} (DEFER_IF_PERMIT 450 4.7.1 x),
 * {@code dir:x} (DEFER_IF_REJECT 450 4.7.1 x), {@code prepend:X-Name} (DUNNO with header "X-Name: v").
 */
class RestrictionChainTest {

    static final RcptContext RCPT = new RcptContext("192.0.2.1", "unknown", "client.example",
            new MailAddress("sender", "example.org"), new MailAddress("user", "example.test"),
            AddressClass.VIRTUAL_MAILBOX, null, -1);

    /** The names of the restrictions evaluated, in order. */
    private final List<String> trace = new ArrayList<>();

    private Restriction fake(String token) {
        int colon = token.indexOf(':');
        String kind = colon < 0 ? token : token.substring(0, colon);
        String arg = colon < 0 ? "" : token.substring(colon + 1);
        Verdict v;
        switch (kind) {
            case "permit":
                v = Verdict.PERMIT;
                break;
            case "dunno":
                v = Verdict.DUNNO;
                break;
            case "reject":
                v = Verdict.reject(Reply.of(554, "5.7.1", arg));
                break;
            case "defer":
                v = Verdict.reject(Reply.of(450, "4.7.1", arg));
                break;
            case "dip":
                v = new Verdict(Verdict.Kind.DEFER_IF_PERMIT, Reply.of(450, "4.7.1", arg));
                break;
            case "dir":
                v = new Verdict(Verdict.Kind.DEFER_IF_REJECT, Reply.of(450, "4.7.1", arg));
                break;
            case "prepend":
                v = new Verdict(Verdict.Kind.DUNNO, null, arg + ": v");
                break;
            default:
                throw new IllegalArgumentException(token);
        }
        return Restriction.of(token, c -> {
            trace.add(token);
            return Future.succeededFuture(v);
        });
    }

    private List<Restriction> list(String tokens) {
        List<Restriction> out = new ArrayList<>();
        if (tokens != null) {
            for (String t : tokens.trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    out.add(fake(t));
                }
            }
        }
        return out;
    }

    private static RestrictionChain.Outcome outcome(RestrictionChain chain, RcptContext rcpt) {
        Future<RestrictionChain.Outcome> f = chain.evaluate(rcpt);
        assertTrue(f.isComplete(), "completed futures must give a completed outcome");
        assertTrue(f.succeeded(), () -> String.valueOf(f.cause()));
        return f.result();
    }

    private static String describe(Reply reject) {
        return reject == null ? "accept" : reject.oneLine();
    }

    @ParameterizedTest(name = "[{index}] relay=[{0}] recipient=[{1}] -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', nullValues = "-", textBlock = """
            # running off the end of both lists is an implicit PERMIT
            -                     | -                 | accept      | -                        | ''
            dunno                 | dunno dunno       | accept      | -                        | 'dunno dunno dunno'
            # the first PERMIT ends its list, the next list still runs
            'permit reject:a'     | dunno             | accept      | -                        | 'permit dunno'
            'permit reject:a'     | 'reject:b'        | '554 5.7.1 b' | -                      | 'permit reject:b'
            'dunno permit'        | 'permit reject:b' | accept      | -                        | 'dunno permit permit'
            # a REJECT anywhere rejects, and stops everything
            'reject:a permit'     | permit            | '554 5.7.1 a' | -                      | 'reject:a'
            'dunno reject:a'      | 'permit'          | '554 5.7.1 a' | -                      | 'dunno reject:a'
            'dunno permit'        | 'dunno reject:b permit' | '554 5.7.1 b' | -              | 'dunno permit dunno reject:b'
            'defer:t permit'      | permit            | '450 4.7.1 t' | -                      | 'defer:t'
            # DEFER_IF_PERMIT: a later explicit or implicit PERMIT becomes its reply
            'dip:g permit'        | -                 | '450 4.7.1 g' | -                      | 'dip:g permit'
            'dip:g'               | dunno             | '450 4.7.1 g' | -                      | 'dip:g dunno'
            permit                | 'dip:g'           | '450 4.7.1 g' | -                      | 'permit dip:g'
            'dip:g'               | 'permit reject:a' | '450 4.7.1 g' | -                      | 'dip:g permit'
            # ... but a later REJECT wins with its own reply
            'dip:g'               | 'reject:a'        | '554 5.7.1 a' | -                      | 'dip:g reject:a'
            'dip:g reject:a'      | permit            | '554 5.7.1 a' | -                      | 'dip:g reject:a'
            'dip:g'               | 'defer:t'         | '450 4.7.1 t' | -                      | 'dip:g defer:t'
            # the first DEFER_IF_PERMIT wins
            'dip:first dip:second' | -                | '450 4.7.1 first' | -                  | 'dip:first dip:second'
            'dip:first'           | 'dip:second'      | '450 4.7.1 first' | -                  | 'dip:first dip:second'
            # DEFER_IF_REJECT: a later REJECT becomes its reply, also across lists
            'dir:y'               | 'reject:a'        | '450 4.7.1 y' | -                      | 'dir:y reject:a'
            'dir:y reject:a'      | -                 | '450 4.7.1 y' | -                      | 'dir:y reject:a'
            'dir:y permit'        | 'reject:a'        | '450 4.7.1 y' | -                      | 'dir:y permit reject:a'
            'dir:first dir:second' | 'reject:a'       | '450 4.7.1 first' | -                  | 'dir:first dir:second reject:a'
            # ... and is ignored when everything permits
            'dir:y permit'        | dunno             | accept      | -                        | 'dir:y permit dunno'
            'dir:y'               | 'permit reject:a' | accept      | -                        | 'dir:y permit'
            # both: a REJECT is deferred by DEFER_IF_REJECT, a PERMIT by DEFER_IF_PERMIT
            'dip:g dir:y'         | 'reject:a'        | '450 4.7.1 y' | -                      | 'dip:g dir:y reject:a'
            'dip:g dir:y'         | permit            | '450 4.7.1 g' | -                      | 'dip:g dir:y permit'
            # PREPEND headers are collected in order, only from restrictions that ran
            'prepend:X-A prepend:X-B permit prepend:X-Never' | 'prepend:X-C' | accept | 'X-A: v|X-B: v|X-C: v' | 'prepend:X-A prepend:X-B permit prepend:X-C'
            'prepend:X-A'         | 'reject:a prepend:X-Never' | '554 5.7.1 a' | 'X-A: v'  | 'prepend:X-A reject:a'
            'prepend:X-A dip:g'   | -                 | '450 4.7.1 g' | 'X-A: v'               | 'prepend:X-A dip:g'
            'prepend:X-A prepend:X-A' | -             | accept      | 'X-A: v|X-A: v'          | 'prepend:X-A prepend:X-A'
            """)
    void evaluatesInPostfixOrder(String relay, String recipient, String expected, String prepend, String order) {
        RestrictionChain chain = new RestrictionChain(list(relay), list(recipient));
        RestrictionChain.Outcome o = outcome(chain, RCPT);
        assertEquals(expected, describe(o.reject()), "reply");
        assertEquals(prepend == null ? List.of() : List.of(prepend.split("\\|")), o.prepend(), "prepend");
        assertEquals(order, String.join(" ", trace), "evaluated");
    }

    @Test
    void eachEvaluationStartsAfresh() {
        RestrictionChain chain = new RestrictionChain(list("prepend:X-A dip:g"), list("permit"));
        RestrictionChain.Outcome first = outcome(chain, RCPT);
        RestrictionChain.Outcome second = outcome(chain, RCPT);
        assertEquals("450 4.7.1 g", describe(second.reject()));
        assertEquals(List.of("X-A: v"), second.prepend());
        assertEquals(first, second);
    }

    @Test
    void theOutcomesPrependListIsImmutable() {
        RestrictionChain.Outcome o = outcome(new RestrictionChain(list("prepend:X-A"), List.of()), RCPT);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> o.prepend().add("x"));
    }

    @Test
    void theChainCopiesItsLists() {
        List<Restriction> relay = list("permit");
        RestrictionChain chain = new RestrictionChain(relay, List.of());
        relay.add(0, fake("reject:late"));
        assertNull(outcome(chain, RCPT).reject());
    }

    /** A restriction that answers later (DNS, policy server) holds back the next one until it has answered. */
    @Test
    void waitsForAPendingVerdictBeforeTheNextRestriction() {
        Promise<Verdict> later = Promise.promise();
        Restriction slow = Restriction.of("slow", c -> {
            trace.add("slow");
            return later.future();
        });
        RestrictionChain chain = new RestrictionChain(List.of(fake("dunno"), slow, fake("reject:a")), List.of());
        Future<RestrictionChain.Outcome> f = chain.evaluate(RCPT);
        assertFalse(f.isComplete());
        assertEquals(List.of("dunno", "slow"), trace);
        later.complete(Verdict.DUNNO);
        assertTrue(f.succeeded());
        assertEquals("554 5.7.1 a", describe(f.result().reject()));
        assertEquals(List.of("dunno", "slow", "reject:a"), trace);
    }

    /** A restriction that breaks its contract (a failed future) fails the evaluation: never an accept. */
    @Test
    void aFailedRestrictionFailsTheEvaluation() {
        Restriction broken = Restriction.of("broken", c -> Future.failedFuture(new IllegalStateException("boom")));
        Future<RestrictionChain.Outcome> f = new RestrictionChain(List.of(broken), list("permit")).evaluate(RCPT);
        assertTrue(f.failed());
        assertEquals("boom", f.cause().getMessage());
    }

    /**
     * Postfix's classic mistake and its fix: an access entry that rejects a host only works before
     * permit_mynetworks, since permit_mynetworks ends the list for every host in mynetworks.
     */
    @ParameterizedTest(name = "[{index}] [{0}] {1} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'access permit_mynetworks reject_unauth_destination' | 192.0.2.9   | FOREIGN         | '554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: compromised'
            'access permit_mynetworks reject_unauth_destination' | 192.0.2.9   | VIRTUAL_MAILBOX | '554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: compromised'
            'access permit_mynetworks reject_unauth_destination' | 192.0.2.10  | FOREIGN         | accept
            'access permit_mynetworks reject_unauth_destination' | 203.0.113.1 | FOREIGN         | '554 5.7.1 <user@example.test>: Relay access denied'
            'access permit_mynetworks reject_unauth_destination' | 203.0.113.1 | VIRTUAL_MAILBOX | accept
            'permit_mynetworks access reject_unauth_destination' | 192.0.2.9   | FOREIGN         | accept
            """)
    void anAccessRejectBeforePermitMynetworksRejectsAHostInMynetworks(String relay, String client, AddressClass cls,
                                                                      String expected) {
        Restriction access = Restriction.of("check_client_access", c -> Future.succeededFuture(
                c.clientAddress().equals("192.0.2.9")
                        ? Restrictions.action("check_client_access cidr:x", "REJECT compromised", c.client(), "Client host")
                        : Verdict.DUNNO));
        Restriction mynetworks = Restriction.of("permit_mynetworks", c -> Future.succeededFuture(
                c.clientAddress().startsWith("192.0.2.") ? Verdict.PERMIT : Verdict.DUNNO));
        Restriction unauth = Restriction.of("reject_unauth_destination", c -> Future.succeededFuture(
                c.recipientClass().isLocalDestination() ? Verdict.DUNNO
                        : Verdict.reject(io.mxgate.core.smtp.Replies.relayAccessDenied(c.recipient()))));
        List<Restriction> elements = new ArrayList<>();
        for (String name : relay.split(" ")) {
            elements.add(name.equals("access") ? access : name.equals("permit_mynetworks") ? mynetworks : unauth);
        }
        RcptContext rcpt = new RcptContext(client, "unknown", "h", RCPT.sender(), RCPT.recipient(), cls, null, -1);
        assertEquals(expected, describe(outcome(new RestrictionChain(elements, List.of()), rcpt).reject()));
    }

    /**
     * Postfix converts only a 5xx rejection with a pending DEFER_IF_REJECT (smtpd_check_reject(): "... &&
     * STR(error_text)[0] == '5'"); a 4xx rejection is sent as it is. mxgate replaces it with the
     * DEFER_IF_REJECT reply.
     */
    @ParameterizedTest(name = "[{index}] relay=[{0}] recipient=[{1}] -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'dir:y'   | 'defer:t' | '450 4.7.1 t'
            'dir:y defer:t' | permit | '450 4.7.1 t'
            """)
    void deferIfRejectOnlyConvertsA5xx(String relay, String recipient, String expected) {
        assertEquals(expected, describe(outcome(new RestrictionChain(list(relay), list(recipient)), RCPT).reject()));
    }
}
