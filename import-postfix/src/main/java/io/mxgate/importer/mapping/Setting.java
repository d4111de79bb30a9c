package io.mxgate.importer.mapping;

/**
 * One setting of the admin's configuration: a Postfix parameter with its value as Postfix uses it ({@code $name}
 * expanded) and where it was set ({@code main.cf}, {@code master.cf smtp -o}, {@code master.cf dovecot}).
 */
public record Setting(String parameter, String value, String origin) {

    @Override
    public String toString() {
        return origin + ": " + parameter + (value.isEmpty() ? " =" : " = " + value);
    }
}
