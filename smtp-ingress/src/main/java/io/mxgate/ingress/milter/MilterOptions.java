package io.mxgate.ingress.milter;

import io.mxgate.core.milter.MilterProtocol;
import io.mxgate.core.smtp.Replies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The milter settings checked and converted once at start: a bad endpoint, protocol or default action stops the
 * start with the key's name, as Postfix's milter8_connect would only find out per connection.
 *
 * @param endpoints    the filters, in order
 * @param version      the protocol version we announce
 * @param steps        the SMFIP_* steps we offer (the version's, plus no_header_reply)
 * @param defaultAction what a broken filter means
 * @param macros       macro names per stage (SMFIM_*)
 */
public record MilterOptions(List<Endpoint> endpoints, int version, int steps, DefaultAction defaultAction,
                            Duration connectTimeout, Duration commandTimeout, Duration contentTimeout,
                            Map<Integer, List<String>> macros, String daemonName, String macroV) {

    /** {@code inet:host:port}, the only transport we speak (no unix: sockets in a pod). */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return "inet:" + host + ":" + port;
        }
    }

    /** Postfix's milter_default_action, each with its reply for a broken filter and for one that answers nonsense. */
    public enum DefaultAction {
        TEMPFAIL(new MilterOutcome.Reject(Replies.MILTER_TEMPFAIL),
                new MilterOutcome.Reject(Replies.MILTER_CONFIGURATION_PROBLEM)),
        REJECT(new MilterOutcome.Reject(Replies.MILTER_UNAVAILABLE),
                new MilterOutcome.Reject(Replies.MILTER_CONFIGURATION_PROBLEM)),
        ACCEPT(MilterOutcome.CONTINUE, MilterOutcome.CONTINUE);

        /** milter8_comm_error: the filter cannot be reached, timed out, closed or sent garbage. */
        final MilterOutcome communicationError;
        /** milter8_conf_error: the filter answered something we cannot act on (never a permanent reject). */
        final MilterOutcome configurationError;

        DefaultAction(MilterOutcome communicationError, MilterOutcome configurationError) {
            this.communicationError = communicationError;
            this.configurationError = configurationError;
        }
    }

    private static final int V2_STEPS = MilterProtocol.NO_CONNECT | MilterProtocol.NO_HELO | MilterProtocol.NO_MAIL
            | MilterProtocol.NO_RCPT | MilterProtocol.NO_BODY | MilterProtocol.NO_HEADERS | MilterProtocol.NO_EOH;

    /** Postfix's milter8_event_masks: the steps defined for a protocol version. */
    static int stepsOf(int version) {
        return switch (version) {
            case 2 -> V2_STEPS;
            case 3 -> V2_STEPS | MilterProtocol.NO_UNKNOWN;
            case 4, 5 -> V2_STEPS | MilterProtocol.NO_UNKNOWN | MilterProtocol.NO_DATA;
            default -> MilterProtocol.OFFERED_STEPS;
        };
    }

    /** A milter_protocol setting: the version we announce and the steps we offer. */
    record Protocol(int version, int steps) {
    }

    static Protocol protocol(String spec) {
        int version = 0;
        int steps = 0;
        for (String word : words(spec)) {
            switch (word) {
                case "2", "3", "4", "6" -> {
                    if (version != 0) {
                        throw bad("mxgate.milter-protocol", spec, "one version: 2, 3, 4 or 6");
                    }
                    version = Integer.parseInt(word);
                    steps |= stepsOf(version);
                }
                case "no_header_reply" -> steps |= MilterProtocol.NR_HEADER;
                default -> throw bad("mxgate.milter-protocol", spec, "2, 3, 4 or 6, and no_header_reply");
            }
        }
        if (version == 0) {
            throw bad("mxgate.milter-protocol", spec, "a version: 2, 3, 4 or 6");
        }
        return new Protocol(version, steps);
    }

    static DefaultAction defaultAction(String spec) {
        return switch (spec.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "tempfail" -> DefaultAction.TEMPFAIL;
            case "reject" -> DefaultAction.REJECT;
            case "accept" -> DefaultAction.ACCEPT;
            case "quarantine" -> throw bad("mxgate.milter-default-action", spec,
                    "tempfail, reject or accept (quarantine needs a hold queue at the ingress, which mxgate lacks)");
            default -> throw bad("mxgate.milter-default-action", spec, "tempfail, reject or accept");
        };
    }

    public static MilterOptions from(MilterSettings s, String myhostname) {
        Protocol protocol = protocol(s.milterProtocol());
        DefaultAction action = defaultAction(s.milterDefaultAction());
        List<Endpoint> endpoints = new ArrayList<>();
        for (String word : words(s.smtpdMilters().orElse(""))) {
            endpoints.add(endpoint(word));
        }
        Map<Integer, List<String>> macros = Map.of(
                MilterProtocol.STAGE_CONNECT, words(s.milterConnectMacros()),
                MilterProtocol.STAGE_HELO, words(s.milterHeloMacros()),
                MilterProtocol.STAGE_MAIL, words(s.milterMailMacros()),
                MilterProtocol.STAGE_RCPT, words(s.milterRcptMacros()),
                MilterProtocol.STAGE_DATA, words(s.milterDataMacros()),
                MilterProtocol.STAGE_EOH, words(s.milterEndOfHeaderMacros()),
                MilterProtocol.STAGE_EOM, words(s.milterEndOfDataMacros()));
        return new MilterOptions(List.copyOf(endpoints), protocol.version(), protocol.steps(), action,
                s.milterConnectTimeout(), s.milterCommandTimeout(), s.milterContentTimeout(), macros,
                s.milterMacroDaemonName().filter(n -> !n.isBlank()).orElse(myhostname), s.milterMacroV());
    }

    static Endpoint endpoint(String spec) {
        int colon = spec.lastIndexOf(':');
        if (!spec.startsWith("inet:") || colon <= 5) {
            throw bad("mxgate.smtpd-milters", spec, "inet:host:port (unix: sockets and per-milter {...} settings are "
                    + "not supported)");
        }
        try {
            int port = Integer.parseInt(spec.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            String host = spec.substring(5, colon);
            return new Endpoint(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
                    : host, port);
        } catch (NumberFormatException e) {
            throw bad("mxgate.smtpd-milters", spec, "inet:host:port with a port from 1 to 65535");
        }
    }

    /** Postfix's list syntax: words separated by commas or whitespace. */
    static List<String> words(String list) {
        List<String> out = new ArrayList<>();
        for (String w : list.strip().split("[,\\s]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return List.copyOf(out);
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException(key + ": expected " + expected + ", got \"" + value + "\"");
    }
}
