/**
 * Reading an admin's Postfix configuration directory as Postfix itself reads it: main.cf with {@code $name}
 * expansion and Postfix's defaults for what it does not set (postconf(5)), master.cf's service lines with their
 * {@code -o} overrides (master(5)), and the path rule that makes a copied directory import anywhere: a file under
 * {@code /etc/postfix} is read from the directory given.
 */
package io.mxgate.importer.postfix;
