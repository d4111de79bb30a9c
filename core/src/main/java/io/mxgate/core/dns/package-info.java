/**
 * Non-blocking DNS for delivery: MX, A and AAAA lookups with Vert.x's DNS client against a configurable server (never
 * the JDK resolver on an event loop), and the SMTP client's next-hop resolution as Postfix's smtp_addr.c does it:
 * MX records by preference (equal preferences shuffled), implicit MX, null MX (RFC 7505), MX hosts at or below our
 * own preference dropped when the destination port is 25 ("mail for X loops back to myself"),
 * {@code smtp_mx_address_limit}, IPv4 and IPv6 addresses as {@code inet_protocols} and
 * {@code smtp_address_preference} say (ADR 0011). NXDOMAIN is a permanent failure, anything else that goes wrong a
 * temporary one.
 *
 * <p>Parameters: {@code dns-resolver}, {@code dns-timeout}, {@code smtp_mx_address_limit}, {@code inet_interfaces},
 * {@code proxy_interfaces}, {@code inet_protocols}, {@code smtp_address_preference}.
 */
package io.mxgate.core.dns;
