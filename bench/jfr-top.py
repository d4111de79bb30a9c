"""Summarises `jfr print --json --events jdk.ExecutionSample` from stdin: the methods most often on CPU (self),
and the share of samples that have a frame of each bucket anywhere on their stack (inclusive)."""
import json
import sys
from collections import Counter

# first matching prefix wins; a sample counts once per bucket
BUCKETS = [
    ("Kafka client", ("org.apache.kafka.",)),
    ("logging", ("org.jboss.logmanager.", "org.jboss.logging.", "java.util.logging.")),
    ("SMTP session (ingress)", ("io.mxgate.ingress.session.",)),
    ("restrictions (ingress)", ("io.mxgate.ingress.restriction.",)),
    ("SMTP/LMTP client (core)", ("io.mxgate.core.client.",)),
    ("DATA reader (core)", ("io.mxgate.core.smtp.InputDecoder",)),
    ("Redis client", ("io.vertx.redis.",)),
    ("HTTP / JSON", ("io.vertx.ext.web.", "io.vertx.core.http.", "io.vertx.core.json.", "com.fasterxml.jackson.")),
    ("Netty I/O", ("io.netty.channel.", "sun.nio.ch.")),
    ("metrics", ("io.micrometer.",)),
]


def frame_name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


def main():
    events = json.load(sys.stdin)["recording"]["events"]
    total = 0
    self_time = Counter()
    inclusive = Counter()
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        if not frames:
            continue
        total += 1
        names = [frame_name(f) for f in frames]
        self_time[names[0]] += 1
        for bucket, prefixes in BUCKETS:
            if any(n.startswith(prefixes) for n in names):
                inclusive[bucket] += 1
    if not total:
        print("no samples")
        return
    print("%d samples. On CPU most often (self):" % total)
    for name, count in self_time.most_common(12):
        print("  %5.1f%%  %s" % (100.0 * count / total, name))
    print("Inclusive, by area:")
    for bucket, count in inclusive.most_common():
        print("  %5.1f%%  %s" % (100.0 * count / total, bucket))


main()
