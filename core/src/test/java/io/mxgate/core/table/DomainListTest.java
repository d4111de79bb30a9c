package io.mxgate.core.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DomainListTest {

    private static List<String> sorted(Set<String> s) {
        return List.copyOf(new TreeSet<>(s));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            a.example                                  | a.example
            'a.example, b.example'                     | a.example b.example
            'a.example,b.example'                      | a.example b.example
            'a.example b.example'                      | a.example b.example
            ' a.example ,  b.example,,c.example	d.example ' | a.example b.example c.example d.example
            'A.Example, a.example'                     | a.example
            '[192.0.2.1]'                              | [192.0.2.1]
            ''                                         | ''
            '   '                                      | ''
            """)
    void parsesInlineLists(String spec, String expected) {
        assertEquals(expected.isEmpty() ? List.of() : List.of(expected.split(" ")), sorted(DomainList.parse(spec).domains()));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
            "a.example, true",
            "A.EXAMPLE, true",
            "b.example, true",
            "sub.a.example, false",
            "example, false",
            "c.example, false",
            "'', false",
    })
    void matchesExactlyAndCaseInsensitively(String domain, boolean expected) {
        assertEquals(expected, DomainList.parse("a.example B.example").contains(domain).result());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            a_b.example                 | 'domain list: not a domain name: "a_b.example"'
            'a.example, -b.example'     | 'domain list: not a domain name: "-b.example"'
            'a.example; b.example'      | 'domain list: not a domain name: "a.example;"'
            a..example                  | 'domain list: not a domain name: "a..example"'
            """)
    void rejectsInvalidInlineDomains(String spec, String message) {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> DomainList.parse(spec));
        assertEquals(message, e.getMessage());
    }

    @Test
    void readsFileEntries(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("relay_domains");
        Files.writeString(file, "# relay domains\n\na.example\n  B.example c.example,d.example\n\t# indented comment\n",
                StandardCharsets.UTF_8);
        DomainList list = DomainList.parse("x.example, " + file + " y.example");
        assertEquals(List.of("a.example", "b.example", "c.example", "d.example", "x.example", "y.example"),
                sorted(list.domains()));
    }

    @Test
    void invalidDomainInAFileNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("relay_domains");
        Files.writeString(file, "a.example\n# comment\nb.example bad_domain\n", StandardCharsets.UTF_8);
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> DomainList.parse(file.toString()));
        assertEquals(file + ", line 3: not a domain name: \"bad_domain\"", e.getMessage());
    }

    @Test
    void missingFileIsAnError(@TempDir Path dir) {
        Path file = dir.resolve("nope");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> DomainList.parse(file.toString()));
        assertEquals(file + ": cannot read: " + file, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hash:", "btree:", "texthash:"})
    void looksDomainsUpInTablesAndFollowsTheirEdits(String type, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("virtual_mailbox_domains");
        Files.writeString(file, "A.example OK\n# c\nb.example whatever\n", StandardCharsets.UTF_8);
        LookupTables tables = LookupTables.textOnly();
        DomainList list = DomainList.parse(type + file + ", c.example", tables);
        assertEquals(List.of(true, true, true, false), Stream.of("a.example", "B.example", "c.example", "d.example")
                .map(d -> list.contains(d).result()).toList());
        Files.writeString(file, "d.example OK\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(List.of(), tables.reloadAll());
        assertEquals(List.of(false, true), Stream.of("a.example", "d.example").map(d -> list.contains(d).result()).toList());
    }

    @Test
    void unsupportedTableTypeIsAnError() {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> DomainList.parse("a.example, ldap:/etc/postfix/domains.cf"));
        assertEquals("ldap:/etc/postfix/domains.cf: unsupported table type \"ldap\" (supported: hash, btree, texthash, lmdb, cdb, all read as text)",
                e.getMessage());
    }

    @Test
    void sqlTablesNeedAnOpener() {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> DomainList.parse("proxy:mysql:/etc/postfix/domains.cf"));
        assertEquals("mysql:/etc/postfix/domains.cf: SQL tables are not available here", e.getMessage());
    }
}
