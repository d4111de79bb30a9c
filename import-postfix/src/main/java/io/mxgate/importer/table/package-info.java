/**
 * The tables main.cf names, brought into the values file: text tables (hash, btree, texthash, lmdb, cdb, cidr, and
 * plain {@code /file} lists) inline under {@code tables}, checked with core's parsers; SQL tables ({@code mysql:},
 * {@code pgsql:} .cf files) under {@code sqlTables} with the password replaced by a Secret reference. References are
 * rewritten to where the chart mounts them ({@code /etc/mxgate/tables}, {@code /etc/mxgate/sql}).
 */
package io.mxgate.importer.table;
