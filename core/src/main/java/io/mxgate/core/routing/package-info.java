/**
 * Address resolution as Postfix's trivial-rewrite(8) does it, and the tables it reads.
 *
 * <p>{@link io.mxgate.core.routing.Resolver} maps a recipient to a {@link io.mxgate.core.routing.Route}: the
 * address class decides the default ({@code virtual_mailbox_domains} go to {@code virtual_transport},
 * {@code relay_domains} to {@code relay_transport}, anything else to {@code default_transport}; for the last two
 * {@code relayhost}, when set, replaces the recipient domain as next hop), then {@code transport_maps}
 * (transport(5): full address, domain, {@code .parent} domains, {@code *}) may override transport and next hop.
 * {@code virtual_alias_maps} rewriting ({@link io.mxgate.core.routing.VirtualAliasMaps}) happens before, as
 * Postfix's cleanup(8) does it.
 *
 * <p>Transports: {@code smtp}, {@code relay} (SMTP without {@code smtp_fallback_relay}), {@code lmtp},
 * {@code error} (bounce with the next hop as the reason), {@code retry} (defer likewise), {@code discard}. Any other
 * transport name defers with "mail transport unavailable", as Postfix does for a transport master.cf lacks.
 *
 * <p>Parameters: {@code virtual_mailbox_domains}, {@code relay_domains}, {@code virtual_alias_domains},
 * {@code virtual_transport}, {@code relay_transport}, {@code default_transport}, {@code relayhost},
 * {@code transport_maps}, {@code virtual_alias_maps}, {@code smtp_tcp_port}, {@code lmtp_tcp_port}.
 */
package io.mxgate.core.routing;
