package io.mxgate.importer.mapping;

/** How a parameter's value is read, checked and written. */
public sealed interface Format {

    /** Text as Postfix has it after expansion. */
    record Text() implements Format {
    }

    /** A whole number. */
    record Count() implements Format {
    }

    /** yes/no (or true/false), written as a boolean. */
    record Flag() implements Format {
    }

    /** A time with Postfix's unit letters; a bare number takes {@code unit}, the parameter's default unit. */
    record Time(char unit) implements Format {
    }

    /** A list of lookup tables ({@code type:/path}), each imported into {@code tables} or {@code sqlTables}. */
    record Tables() implements Format {
    }

    /** transport(5) tables: imported like {@link Tables}, entries with a transport mxgate lacks taken out. */
    record TransportTables() implements Format {
    }

    /** A domain list: names, {@code /file} or {@code type:table} entries (the tables imported). */
    record DomainList() implements Format {
    }

    /** An smtpd restriction list: each element checked against what mxgate implements, its tables imported. */
    record Restrictions() implements Format {
    }

    Format TEXT = new Text();
    Format COUNT = new Count();
    Format FLAG = new Flag();
    Format TABLES = new Tables();
    Format TRANSPORT_TABLES = new TransportTables();
    Format DOMAINS = new DomainList();
    Format RESTRICTIONS = new Restrictions();

    static Format time(char unit) {
        return new Time(unit);
    }
}
