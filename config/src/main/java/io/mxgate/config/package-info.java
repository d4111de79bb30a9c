/**
 * Settings shared by the services, as SmallRye config groups: each service's single {@code @ConfigMapping}
 * extends them, so a key that several services read (Postfix's main.cf is one file for all its daemons) has one
 * definition, one default and one Javadoc. docs/configuration.md lists every key.
 */
package io.mxgate.config;
