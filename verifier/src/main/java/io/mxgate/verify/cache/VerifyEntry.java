package io.mxgate.verify.cache;

import io.mxgate.core.verify.VerifyStatus;

import java.util.HashMap;
import java.util.Map;

/**
 * One verify cache entry, Postfix's {@code status:probed:updated:text}: {@code probed} is when the last probe was
 * sent (0 when none is outstanding), {@code updated} when its result was stored (0 while none is known).
 */
public record VerifyEntry(VerifyStatus status, long probed, long updated, String text) {

    public VerifyEntry withProbed(long now) {
        return new VerifyEntry(status, now, updated, text);
    }

    /** The Redis hash fields. */
    Map<String, String> toHash() {
        Map<String, String> h = new HashMap<>(4);
        h.put("status", status.name());
        h.put("probed", Long.toString(probed));
        h.put("updated", Long.toString(updated));
        h.put("text", text);
        return h;
    }

    /** An entry from its Redis hash; null when absent or unreadable (treated as "not found", as Postfix does). */
    static VerifyEntry fromHash(Map<String, String> h) {
        if (h == null || h.isEmpty()) {
            return null;
        }
        try {
            return new VerifyEntry(VerifyStatus.valueOf(h.get("status")), Long.parseLong(h.get("probed")),
                    Long.parseLong(h.get("updated")), h.getOrDefault("text", ""));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
