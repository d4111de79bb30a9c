/**
 * Postfix's parameter files as postconf(5) defines their syntax: main.cf and the {@code mysql:}/{@code pgsql:}
 * table files share it.
 */
package io.mxgate.core.postconf;
