/**
 * Postfix's {@code mysql:} and {@code pgsql:} lookup tables (mysql_table(5), pgsql_table(5)), non-blocking, on
 * Vert.x's reactive MySQL and PostgreSQL clients (ADR 0008).
 *
 * <p>Same as Postfix: the table file's parameters and their defaults, the {@code %} expansions of {@code query} and
 * {@code result_format} and the cases where no query is made, the SQL escaping of each database, the key folded to
 * lower case (DICT_FLAG_FOLD_FIX, which every address lookup sets), rows and columns joined with commas,
 * {@code expansion_limit} exceeded as a lookup error, host failover with {@code retry_interval}.
 *
 * <p>Security: expanded values are escaped for the server mode each connection sets (MySQL backslash escapes on,
 * PostgreSQL standard_conforming_strings on), so a hostile address cannot leave its quotes. Not supported, refused
 * when present: the legacy {@code table}/{@code select_field}/{@code where_field} form, TLS to the database,
 * MySQL option files, PostgreSQL connection URIs, files and tables in {@code domain}, character sets other than
 * UTF-8. mxgate adds {@code password_file}.
 *
 * <p>Settings (config {@code SqlSettings}, {@code mxgate.sql.*}): pool size, connect and query timeouts, cache TTL
 * and stale-if-error period, cache size.
 */
package io.mxgate.core.table.sql;
