#!/bin/bash
# faults.sh -- nothing accepted is ever lost: mail under load while parts are killed with SIGKILL and restarted.
#
#   bench/faults.sh                       N=10000 SESSIONS=20 PACE=1 CHAOS_MIN=4 CHAOS_MAX=10 (environment knobs)
#
# Starts its own mxgate (two smtp-ingress replicas, verifier, queue-worker, lmtp-delivery, Kafka, Redis, Dovecot)
# under /tmp/mxgate-faults on its own ports. SESSIONS clients send N messages with unique ids (each recorded as
# 250, 4xx/5xx, or a dropped connection) while a chaos loop kill -9s, at random moments, one of: an ingress replica,
# lmtp-delivery, queue-worker, verifier, the Kafka broker, Redis, Dovecot, and starts it again. Then everything is
# up, the delivery settles, and every message is accounted for at the Maildirs. Prints sent, 250'd, delivered,
# lost (must be 0), duplicated (count and %), deferred-then-delivered; exits 1 when anything was lost.
# All on 127.0.0.1; the load and the chaos stop by themselves.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}; SESSIONS=${SESSIONS:-20}; SEED=${SEED:-$RANDOM}
# seconds each session waits between messages: at 1 the default run lasts about 9 minutes, long enough for some
# 70 kills (unpaced, 10,000 messages pass in 20 s and meet one or two)
PACE=${PACE:-1}
CHAOS_MIN=${CHAOS_MIN:-4}; CHAOS_MAX=${CHAOS_MAX:-10}   # seconds between kills
BENCH=faults RUN=${MXGATE_FAULTS_DIR:-/tmp/mxgate-faults}
. "$ROOT/bench/lib.sh"
bench_ports "${FAULTS_PORT_BASE:-17000}"   # so two runs can coexist
PARTS=(smtp-ingress-2 smtp-ingress verifier queue-worker lmtp-delivery)
# short timeouts, so that deferred mail is retried and a lost broker answered within the run
for p in "${PARTS[@]}"; do
  EXTRA_ENV[$p]="MXGATE_KAFKA_ACK_TIMEOUT=10s MXGATE_LMTP_BACKEND_RETRY_MAX_DELAY=2s MXGATE_MINIMAL_BACKOFF_TIME=10s
                 MXGATE_MAXIMAL_BACKOFF_TIME=60s MXGATE_QUEUE_RUN_DELAY=5s"
done

start_part() {
  case $1 in
    kafka) "$DEV/kafka.sh" start "$RUN/kafka" "$KAFKA" "$KCTL" ;;
    redis) "$DEV/redis.sh" start "$RUN/redis" "$REDIS" ;;
    dovecot) "$DEV/dovecot.sh" start "$RUN/dovecot" "$LMTP" "$IMAP" ;;
    *) start_instance "$1" ;;
  esac
}
kill_part() {
  case $1 in
    kafka|redis|dovecot) "$DEV/$1.sh" kill "$RUN/$1" ;;
    *) "$DEV/service.sh" kill "${MODULE[$1]}" "$RUN/$1" ;;
  esac
}
trap stop_stack EXIT

start_stack 2 >/dev/null   # two ingress replicas: the clients move to the other one when theirs is killed
mapfile -t USERS < <(for i in $(seq 1 "$SESSIONS"); do user "$i"; done)
log "stack up; sending $N messages in $SESSIONS sessions while parts are killed (seed $SEED)"

# The clients: each message has a unique id in its Subject; the result of every attempt is written down.
python3 - "$N" "$SESSIONS" "$SMTP" "$SMTP2" "$RUN/results.tsv" "$PACE" "${USERS[@]}" <<'PY' &
import smtplib, socket, sys, threading, time
n, sessions, p1, p2, out, pace, users = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
                                         sys.argv[5], float(sys.argv[6]), sys.argv[7:])
lock = threading.Lock(); next_id = [0]; results = []
body = "x" * 2000
def take():
    with lock:
        if next_id[0] >= n: return None
        next_id[0] += 1; return next_id[0]
def client(k):
    port = p1 if k % 2 == 0 else p2
    s = None
    while True:
        i = take()
        if i is None: break
        for attempt in range(2):
            try:
                if s is None:
                    s = smtplib.SMTP("127.0.0.1", port, timeout=30); s.ehlo("fault%d.test" % k)
                s.mail("s@src.test")
                code, msg = s.rcpt("%s@example.test" % users[k])
                if code != 250:
                    s.rset(); res = str(code); break
                code, msg = s.data("Subject: fault-%d-\r\n\r\n%s\r\n" % (i, body))
                # "250 2.0.0 Ok: queued as ID": keep the queue id to follow the message through the logs
                res = "250 " + msg.decode().split()[-1] if code == 250 else str(code)
                break
            except smtplib.SMTPResponseException as e:
                res = str(e.smtp_code); break
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as e:
                res = "refused"; s = None; break
            except (OSError, smtplib.SMTPException) as e:
                res = "dropped"; s = None
                port = p2 if port == p1 else p1   # the other replica
                time.sleep(0.2)
                break
        with lock: results.append((i, res))
        if pace: time.sleep(pace)
    try:
        s and s.quit()
    except Exception:
        pass
ts = [threading.Thread(target=client, args=(k,)) for k in range(sessions)]
[t.start() for t in ts]; [t.join() for t in ts]
with open(out, "w") as f:
    for i, r in sorted(results): f.write("%d\t%s\n" % (i, r))
PY
LOAD=$!

# The chaos loop: until the load is done, every CHAOS_MIN-CHAOS_MAX s kill -9 one part, start it again 1-3 s later.
CHAOS_PARTS=(smtp-ingress-2 lmtp-delivery queue-worker verifier kafka redis dovecot)
RANDOM=$SEED; kills=0
declare -A KILLED=()
while kill -0 $LOAD 2>/dev/null; do
  sleep $((CHAOS_MIN + RANDOM % (CHAOS_MAX - CHAOS_MIN + 1)))
  kill -0 $LOAD 2>/dev/null || break
  p=${CHAOS_PARTS[$((RANDOM % ${#CHAOS_PARTS[@]}))]}
  log "kill -9 $p"; kill_part "$p" >/dev/null 2>&1 || true; kills=$((kills + 1)); KILLED[$p]=$(( ${KILLED[$p]:-0} + 1 ))
  sleep $((1 + RANDOM % 3))
  start_part "$p" >/dev/null 2>&1 || { sleep 3; start_part "$p" >/dev/null; }
done
wait $LOAD
for p in kafka redis dovecot "${PARTS[@]}"; do start_part "$p" >/dev/null 2>&1 || true; done

# Settle: wait until as many messages arrived as got 250, or nothing arrived for 180 s (a consumer that was killed
# is replaced only after its group session times out), bounded by 15 minutes. Deferred mail is retried after
# 10-60 s here (minimal/maximal_backoff_time), so a settled run has nothing left waiting.
# find's complaints are not errors here: no mailbox directory exists before Dovecot's first delivery (it may have
# been killed before it made one), and a file Dovecot renames while find walks the tree vanishes under it.
count() { { find "$RUN/dovecot/mail/example.test" -path '*/Maildir/*' -type f \( -path '*/new/*' -o -path '*/cur/*' \) \
  2>/dev/null || true; } | wc -l; }
accepted=$(grep -c $'\t250' "$RUN/results.tsv" || true)
last=-1; still=0
for i in $(seq 1 900); do
  c=$(count); if [ "$c" = "$last" ]; then still=$((still + 1)); else still=0; last=$c; fi
  [ "$c" -ge "$accepted" ] && break
  [ $still -ge 180 ] && break; sleep 1
done

python3 - "$RUN" "$N" "$kills" "$(for p in "${!KILLED[@]}"; do printf '%s=%s ' "$p" "${KILLED[$p]}"; done)" <<'PY'
import glob, os, re, sys
run, n, kills, killed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
res = dict(line.rstrip("\n").split("\t") for line in open(run + "/results.tsv"))
qid = {i: r.split()[1] for i, r in res.items() if r.startswith("250 ")}
res = {i: ("250" if r.startswith("250") else r) for i, r in res.items()}
seen = {}
for f in glob.glob(run + "/dovecot/mail/example.test/*/Maildir/*/*"):
    with open(f, "rb") as fh:
        m = re.search(rb"^Subject: fault-(\d+)-", fh.read(4096), re.M)
    if m: seen[m.group(1).decode()] = seen.get(m.group(1).decode(), 0) + 1
ok = [i for i, r in res.items() if r == "250"]
delivered = [i for i in ok if seen.get(i, 0) >= 1]
deferred_ids = set()
for f in glob.glob(run + "/lmtp-delivery/*.log") + glob.glob(run + "/queue-worker/*.log"):
    for line in open(f, errors="replace"):
        m = re.search(r": ([0-9A-Za-z]+): to=<.*status=deferred", line)
        if m: deferred_ids.add(m.group(1))
# not delivered but deferred: the message is in the deferred queue (Kafka), waiting for its retry
waiting = [i for i in ok if seen.get(i, 0) == 0 and qid.get(i) in deferred_ids]
lost = [i for i in ok if seen.get(i, 0) == 0 and qid.get(i) not in deferred_ids]
deferred_then_delivered = [i for i in ok if seen.get(i, 0) > 0 and qid.get(i) in deferred_ids]
dup = [i for i in ok if seen.get(i, 0) > 1]
not_ok_but_delivered = [i for i, r in res.items() if r != "250" and seen.get(i, 0) > 0]
print("faults: kills=%s (%s)" % (kills, killed.strip()))
print("sent=%d  250'd=%d  4xx/5xx=%d  dropped=%d" % (len(res), len(ok), sum(1 for r in res.values() if r not in ("250", "dropped")),
      sum(1 for r in res.values() if r == "dropped")))
print("delivered=%d  lost=%d  duplicated=%d (%.2f%%)  deferred-then-delivered=%d  still-deferred-in-queue=%d  "
      "refused-but-delivered-anyway=%d" % (len(delivered), len(lost), len(dup), 100.0 * len(dup) / max(1, len(ok)),
      len(deferred_then_delivered), len(waiting), len(not_ok_but_delivered)))
if waiting: print("still deferred (in mxgate.deferred, waiting for a retry): " + ", ".join(sorted(waiting, key=int)[:20]))
if lost: print("LOST ids (first 20): " + ", ".join(sorted(lost, key=int)[:20]))
sys.exit(1 if lost else 0)
PY
