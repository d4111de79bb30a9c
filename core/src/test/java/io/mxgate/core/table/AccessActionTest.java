package io.mxgate.core.table;

import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.table.AccessAction.Kind;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * access(5) right-hand sides as {@link AccessAction#parse} reads them. Expected values follow Postfix's
 * check_table_result() in smtpd_check.c (codes 554/450 are access_map_reject_code/access_map_defer_code, default
 * enhanced status 5.7.1/4.7.1, STREQUAL is case-insensitive). Rows where mxgate deviates from Postfix are in
 * {@link #postfixParity} and are disabled there, each with the reason.
 */
class AccessActionTest {

    private static void assertAction(AccessAction a, Kind kind, int code, String status, String text) {
        assertAll(
                () -> assertEquals(kind, a.kind(), "kind"),
                () -> assertEquals(code, a.code(), "code"),
                () -> assertEquals(status == null ? null : EnhancedStatus.parse(status), a.status(), "status"),
                () -> assertEquals(text, a.text(), "text"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1} {2} {3} \"{4}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            OK                                          | PERMIT          | 0   |       | ''
            'OK trailing text is ignored'               | PERMIT          | 0   |       | ''
            PERMIT                                      | PERMIT          | 0   |       | ''
            ok                                          | PERMIT          | 0   |       | ''
            DUNNO                                       | DUNNO           | 0   |       | ''
            'DUNNO optional text is ignored'            | DUNNO           | 0   |       | ''
            REJECT                                      | REJECT          | 554 | 5.7.1 | ''
            'REJECT go away'                            | REJECT          | 554 | 5.7.1 | 'go away'
            'REJECT 5.7.2 go away'                      | REJECT          | 554 | 5.7.2 | 'go away'
            'REJECT 5.7.2'                              | REJECT          | 554 | 5.7.2 | ''
            reject                                      | REJECT          | 554 | 5.7.1 | ''
            'reject go away'                            | REJECT          | 554 | 5.7.1 | 'go away'
            '  REJECT   go away  '                      | REJECT          | 554 | 5.7.1 | 'go away'
            DEFER                                       | DEFER           | 450 | 4.7.1 | ''
            'DEFER come back later'                     | DEFER           | 450 | 4.7.1 | 'come back later'
            '450 4.2.0 try later'                       | DEFER           | 450 | 4.2.0 | 'try later'
            '451 try later'                             | DEFER           | 451 | 4.7.1 | 'try later'
            '421 closing'                               | DEFER           | 421 | 4.7.1 | 'closing'
            '554 not here'                              | REJECT          | 554 | 5.7.1 | 'not here'
            '550 5.1.1 no such user'                    | REJECT          | 550 | 5.1.1 | 'no such user'
            '521 5.7.1 x'                               | REJECT          | 521 | 5.7.1 | 'x'
            '599 5.0.0 last'                            | REJECT          | 599 | 5.0.0 | 'last'
            'DEFER_IF_PERMIT Greylisted, see http://x'  | DEFER_IF_PERMIT | 450 | 4.7.1 | 'Greylisted, see http://x'
            'DEFER_IF_PERMIT 4.2.0 Greylisted'          | DEFER_IF_PERMIT | 450 | 4.2.0 | 'Greylisted'
            'defer_if_permit later'                     | DEFER_IF_PERMIT | 450 | 4.7.1 | 'later'
            DEFER_IF_REJECT                             | DEFER_IF_REJECT | 450 | 4.7.1 | ''
            'DEFER_IF_REJECT Service unavailable'       | DEFER_IF_REJECT | 450 | 4.7.1 | 'Service unavailable'
            'PREPEND X-Greylist: delayed 3 seconds'     | PREPEND         | 0   |       | 'X-Greylist: delayed 3 seconds'
            'PREPEND X-Empty:'                          | PREPEND         | 0   |       | 'X-Empty:'
            'prepend X-Lower: case'                     | PREPEND         | 0   |       | 'X-Lower: case'
            'PREPEND bad header'                        | UNKNOWN         | 0   |       | 'PREPEND bad header'
            PREPEND                                     | UNKNOWN         | 0   |       | PREPEND
            'PREPEND :no name'                          | UNKNOWN         | 0   |       | 'PREPEND :no name'
            'WARN text'                                 | WARN            | 0   |       | text
            WARN                                        | WARN            | 0   |       | ''
            'INFO logged only'                          | WARN            | 0   |       | 'logged only'
            12345                                       | PERMIT          | 0   |       | ''
            1.2.3                                       | UNKNOWN         | 0   |       | 1.2.3
            .                                           | UNKNOWN         | 0   |       | .
            192.0.2.1                                   | UNKNOWN         | 0   |       | 192.0.2.1
            '12345 trailing'                            | UNKNOWN         | 0   |       | '12345 trailing'
            '600 not a reply code'                      | UNKNOWN         | 0   |       | '600 not a reply code'
            '250 ok'                                    | UNKNOWN         | 0   |       | '250 ok'
            'FILTER smtp:x'                             | UNKNOWN         | 0   |       | 'FILTER smtp:x'
            'HOLD'                                      | UNKNOWN         | 0   |       | HOLD
            'BOGUS'                                     | UNKNOWN         | 0   |       | BOGUS
            """)
    void parses(String value, Kind kind, int code, String status, String text) {
        assertAction(AccessAction.parse(value), kind, code, status, text);
    }

    /** Postfix forces an enhanced status to the reply code's class; a malformed one stays in the text. */
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'REJECT 4.7.2 go away'  | REJECT | 554 | 5.7.2 | 'go away'
            '450 5.7.1 x'           | DEFER  | 450 | 4.7.1 | 'x'
            'REJECT\tgo away'      | REJECT | 554 | 5.7.1 | 'go away'
            'DEFER_IF_PERMIT\tGreylisted' | DEFER_IF_PERMIT | 450 | 4.7.1 | 'Greylisted'
            '450\t4.2.0 try later' | DEFER  | 450 | 4.2.0 | 'try later'
            'REJECT 5.7.2\tgo away' | REJECT | 554 | 5.7.2 | 'go away'
            'REJECT 5.7 go away'    | REJECT | 554 | 5.7.1 | '5.7 go away'
            'REJECT 5.7.1234 x'     | REJECT | 554 | 5.7.1 | '5.7.1234 x'
            """)
    void statusOfTheWrongClassOrMalformedIsText(String value, Kind kind, int code, String status, String text) {
        assertAction(AccessAction.parse(value.replace("\\t", "\t")), kind, code, status, text);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" or \"{1}\" -> \"{2}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            REJECT              | Access denied | Access denied
            'REJECT go away'    | Access denied | go away
            DEFER_IF_PERMIT     | Service unavailable | Service unavailable
            OK                  | x             | x
            """)
    void textOrFallsBackOnlyWhenThereIsNoText(String value, String fallback, String expected) {
        assertEquals(expected, AccessAction.parse(value).textOr(fallback));
    }

    @Test
    void codesAreAccessMapDefaults() {
        assertEquals(554, AccessAction.REJECT_CODE);
        assertEquals(450, AccessAction.DEFER_CODE);
    }

    /**
     * What Postfix's check_table_result() does with these values. Each row fails against the current
     * AccessAction; they are kept here, disabled, as the record of the deviation (see the report).
     */
    @Disabled("Postfix deviations, reported; enable with -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition")
    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1} {2} {3} \"{4}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            RELAY                       | PERMIT          | 0   |       | ''
            450                         | UNKNOWN         | 0   |       | 450
            'PREPEND X-Spaced : value'  | PREPEND         | 0   |       | 'X-Spaced : value'
            'PREPEND bad header'        | DUNNO           | 0   |       | ''
            """)
    void postfixParity(String value, Kind kind, int code, String status, String text) {
        assertAction(AccessAction.parse(value.replace("\\t", "\t")), kind, code, status, text);
    }
}
