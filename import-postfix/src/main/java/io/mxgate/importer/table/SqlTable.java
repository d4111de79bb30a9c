package io.mxgate.importer.table;

import java.util.Map;
import java.util.Optional;

/**
 * One SQL table's .cf file as the chart takes it ({@code sqlTables.<file>}): its parameters without the password,
 * and the Secret key the password is to come from (none when the file has no password).
 */
public record SqlTable(Map<String, String> parameters, Optional<SecretKey> passwordSecret) {

    public record SecretKey(String name, String key) {
    }
}
