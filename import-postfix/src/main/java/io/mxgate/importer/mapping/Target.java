package io.mxgate.importer.mapping;

import java.util.ArrayList;
import java.util.List;

/** Where a Postfix parameter goes, or why it goes nowhere. */
public sealed interface Target {

    /**
     * Carried: under {@code scope} as {@code key} (a chart value's path such as {@code smtpIngress.sasl.enabled} for
     * {@link Scope#CHART_VALUE}, else the mxgate.* key without the prefix).
     */
    record Carry(Scope scope, String key, Format format) implements Target {

        /** The path in the values file. */
        public List<String> path() {
            List<String> path = new ArrayList<>(scope.prefix());
            if (scope == Scope.CHART_VALUE) {
                path.addAll(List.of(key.split("\\.")));
            } else {
                path.add(key);
            }
            return path;
        }

        /**
         * The same setting as an override of smtpd alone (master.cf {@code smtp inet ... -o}): smtp-ingress's own
         * chart value when there is one, else its {@code config}, which wins over the shared values.
         */
        public Carry forSmtpdOnly(String parameter) {
            if (scope == Scope.CHART_VALUE && key.startsWith("smtpIngress.")) {
                return this;
            }
            String mxgateKey = scope == Scope.CHART_VALUE ? ParameterMap.mxgateKey(parameter) : key;
            return new Carry(Scope.SMTP_INGRESS, mxgateKey, format);
        }
    }

    /** Not carried: why, and what to do instead. */
    record NotCarried(String reason) implements Target {
    }
}
