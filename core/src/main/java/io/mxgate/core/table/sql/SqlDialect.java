package io.mxgate.core.table.sql;

/**
 * The two SQL table types, with what differs between them: the default port and how an expanded key is made safe
 * inside the quotes of a query template.
 */
public enum SqlDialect {

    /**
     * mysql_real_escape_string() in the default sql_mode: a backslash before NUL, newline, return, backslash, both
     * quotes and Ctrl-Z. It is only right while the server reads backslash escapes, so every connection turns
     * NO_BACKSLASH_ESCAPES off first ({@link SqlTable}).
     */
    MYSQL("mysql", 3306) {
        @Override
        public String escape(String s) {
            StringBuilder out = new StringBuilder(s.length() + 8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case 0 -> out.append("\\0");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\\' -> out.append("\\\\");
                    case '\'' -> out.append("\\'");
                    case '"' -> out.append("\\\"");
                    case '\032' -> out.append("\\Z");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }
    },

    /**
     * PQescapeStringConn() with standard_conforming_strings on, which every connection sets ({@link SqlTable}):
     * single quotes doubled, backslashes literal.
     */
    PGSQL("pgsql", 5432) {
        @Override
        public String escape(String s) {
            return s.replace("'", "''");
        }
    };

    private final String type;
    private final int defaultPort;

    SqlDialect(String type, int defaultPort) {
        this.type = type;
        this.defaultPort = defaultPort;
    }

    /** The Postfix table type: {@code mysql}, {@code pgsql}. */
    public String type() {
        return type;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The value as it may stand between single quotes of a query (keys never hold NUL: {@link SqlTable}). */
    public abstract String escape(String s);

    /** The dialect of a table type, or null for another type. */
    public static SqlDialect ofType(String type) {
        for (SqlDialect d : values()) {
            if (d.type.equals(type)) {
                return d;
            }
        }
        return null;
    }
}
