package io.mxgate.importer;

import io.mxgate.importer.table.NotImportable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Postfix's times (unit letters, bare numbers in the parameter's own unit) in the services' duration syntax. */
class ImporterTimeTest {

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource(textBlock = """
            300s, s, 300s
            300,  s, 300s
            5,    d, 5d
            2w,   d, 14d
            3h,   d, 3h
            90m,  s, 90m
            """)
    void converts(String postfix, char unit, String expected) throws NotImportable {
        assertEquals(expected, Importer.time(postfix, unit));
    }
}
