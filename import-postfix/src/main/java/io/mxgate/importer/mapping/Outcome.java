package io.mxgate.importer.mapping;

import java.util.List;

/** What became of one {@link Setting}. */
public sealed interface Outcome {

    Setting setting();

    /**
     * Carried into the values file at {@code path} (e.g. {@code [smtpIngress, config, permit-mx-backup-networks]}) as
     * {@code value}.
     */
    record Carried(Setting setting, List<String> path, Object value) implements Outcome {
    }

    /** Not carried: why, and what to do instead. */
    record Skipped(Setting setting, String reason) implements Outcome {
    }

    /** Equal to Postfix's default, so left out (mxgate's defaults follow Postfix's). */
    record AtDefault(Setting setting) implements Outcome {
    }
}
