package io.mxgate.core.postconf;

import io.mxgate.core.table.PostfixTable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParameterFileTest {

    @Test
    void readsPostconfSyntax() {
        ParameterFile f = ParameterFile.parse("main.cf", List.of(
                "# comment",
                "",
                "myhostname = mx.example.test",
                "virtual_alias_maps =      proxy:mysql:/etc/postfix/a.cf",
                "                          proxy:mysql:/etc/postfix/b.cf",
                "query = SELECT goto FROM alias WHERE address='%s' AND active = '1'",
                "empty =",
                "myhostname=mx2.example.test"));
        assertEquals(Map.of("virtual_alias_maps", "proxy:mysql:/etc/postfix/a.cf proxy:mysql:/etc/postfix/b.cf",
                "query", "SELECT goto FROM alias WHERE address='%s' AND active = '1'",
                "empty", "", "myhostname", "mx2.example.test"), f.parameters());
        assertEquals(List.of("virtual_alias_maps", "query", "empty", "myhostname"), List.copyOf(f.parameters().keySet()));
    }

    @Test
    void refusesLinesThatAreNotParameters() {
        assertThrows(PostfixTable.TableException.class, () -> ParameterFile.parse("x", List.of("  continued")));
        assertThrows(PostfixTable.TableException.class, () -> ParameterFile.parse("x", List.of("no equals sign")));
        assertThrows(PostfixTable.TableException.class, () -> ParameterFile.parse("x", List.of("two words = v")));
    }
}
