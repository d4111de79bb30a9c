#!/bin/bash
# faults.sh -- nothing accepted is ever lost: mail under load while parts are killed with SIGKILL and restarted.
#
#   bench/faults.sh                       N=10000 SESSIONS=20 PACE=1 CHAOS_MIN=4 CHAOS_MAX=10 (environment knobs)
#   KAFKA_BROKERS=3 bench/faults.sh       the same on a replicated Kafka of three KRaft nodes (RF 3, min ISR 2)
#
# Starts its own mxgate (two smtp-ingress replicas, verifier, queue-worker, lmtp-delivery, Kafka, Redis, Dovecot)
# under /tmp/mxgate-faults on its own ports. SESSIONS clients send N messages with unique ids (each recorded as
# 250, 4xx/5xx, or a dropped connection, with the times the attempt began and ended) while a chaos loop, every
# CHAOS_MIN-CHAOS_MAX s, takes one step:
#   - most steps kill -9, at random, one of: an ingress replica, lmtp-delivery, queue-worker, verifier, a Kafka broker
#     (on a cluster, one of the nodes at random: partition leaders included), Redis, Dovecot, and start it again;
#   - steps 3-7: a rolling restart, one service a step: SIGTERM, start, next (smtp-ingress-2, smtp-ingress, verifier,
#     queue-worker, lmtp-delivery);
#   - from step 9, once the queue holds mail: Redis FLUSHALL, then POST /v1/queue/reindex to queue-worker (what
#     `./mxgate queue reindex` does), so the index is rebuilt from Kafka;
#   - step 11 (or the next free one): scale-up, a second lmtp-delivery and queue-worker; step 16: scale-down, both
#     stopped with SIGTERM.
# Then everything is up, the delivery settles, and every message is accounted for at the Maildirs. Prints the kills
# per part (and on a cluster how many broker kills hit a partition leader), what else was done, the 4xx answered
# while a broker was dead against the rest, sent, 250'd, delivered, lost (must be 0), duplicated (count and %, goal
# <= 0.1 %), deferred-then-delivered; exits 1 when anything was lost. All on 127.0.0.1; the load and the chaos stop
# by themselves.
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
SCALED=(lmtp-delivery-2 queue-worker-2)
# short retry timers, so that deferred mail is retried within the run. The ack timeout stays the production default
# (30 s): a shorter one ran out during the election after a broker's kill -9 (KRaft fences it after 9 s) and the
# ingress answered 451 for records the brokers did store (ADR 0003).
for p in "${PARTS[@]}" "${SCALED[@]}"; do
  EXTRA_ENV[$p]="MXGATE_LMTP_BACKEND_RETRY_MAX_DELAY=2s MXGATE_MINIMAL_BACKOFF_TIME=10s
                 MXGATE_MAXIMAL_BACKOFF_TIME=60s MXGATE_QUEUE_RUN_DELAY=5s"
done
EVENTS=$RUN/events.tsv   # epoch seconds, what (kill|stop|up|scale-up|scale-down|flushall|reindexed), part, detail
event() { printf '%s\t%s\t%s\t%s\n' "$(date +%s.%N)" "$1" "$2" "${3:-}" >>"$EVENTS"; }
QUEUE_API=http://127.0.0.1:${HTTP[queue-worker]}/v1/queue

start_part() {
  case $1 in
    kafka*) start_kafka_node "$RUN/$1" ;;
    redis) "$DEV/redis.sh" start "$RUN/redis" "$REDIS" ;;
    dovecot) "$DEV/dovecot.sh" start "$RUN/dovecot" "$LMTP" "$IMAP" ;;
    *) start_instance "$1" ;;
  esac
}
kill_part() {
  case $1 in
    kafka*) "$DEV/kafka.sh" kill "$RUN/$1" ;;
    redis|dovecot) "$DEV/$1.sh" kill "$RUN/$1" ;;
    *) "$DEV/service.sh" kill "${MODULE[$1]}" "$RUN/$1" ;;
  esac
}
# led_by NODE: how many partitions of the mxgate topics node NODE of the cluster leads now, from the brokers' logs
# (no JVM to start): a partition's leader is the node that logged "Leader P ... starts at leader epoch E" with the
# highest E (server.log.1 is the log before a node's last restart)
led_by() {
  python3 - "$RUN" "$1" <<'PY'
import glob, re, sys
run, node = sys.argv[1], sys.argv[2]
best = {}
for f in glob.glob(run + "/kafka-*/server.log*"):
    n = re.search(r"/kafka-(\d+)/", f).group(1)
    for line in open(f, errors="replace"):
        m = re.search(r"Leader (mxgate\S+) with topic id \S+ starts at leader epoch (\d+)", line)
        if m and int(m.group(2)) >= best.get(m.group(1), (-1, ""))[0]: best[m.group(1)] = (int(m.group(2)), n)
print(sum(1 for e, n in best.values() if n == node))
PY
}
# queued: how many messages queue-worker's queue lists (its API), "?" when it does not answer
queued() { curl -fsS --max-time 10 "$QUEUE_API" 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["messages"]))' || echo '?'; }
# flushall: the Redis dataset lost (FLUSHALL) while the queue holds mail, then the index rebuilt from Kafka
flushall() {
  local q=$1 r
  redis-cli -h 127.0.0.1 -p "$REDIS" FLUSHALL >/dev/null; event flushall redis "queue=$q"
  r=$(curl -sS --max-time 120 --fail-with-body -X POST "$QUEUE_API/reindex" 2>&1 | tr -d '\n') || r="FAILED: $r"
  event reindexed queue-worker "$r"; log "FLUSHALL with $q messages queued; reindex: $r"
  FLUSHED="FLUSHALL with $q messages in the queue, then POST /v1/queue/reindex: $r; $(queued) queued after"
}
trap stop_stack EXIT

start_stack 2 >/dev/null   # two ingress replicas: the clients move to the other one when theirs is killed
: >"$EVENTS"
mapfile -t USERS < <(for i in $(seq 1 "$SESSIONS"); do user "$i"; done)
log "stack up ($KAFKA_BROKERS Kafka broker(s)); sending $N messages in $SESSIONS sessions while parts are killed (seed $SEED)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# The clients: each message has a unique id in its Subject; the result of every attempt is written down, with the
# epoch seconds it began and ended and the stage it ended in.
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
        t0 = time.time(); stage = "connect"
        try:
            if s is None:
                s = smtplib.SMTP("127.0.0.1", port, timeout=30); s.ehlo("fault%d.test" % k)
            stage = "MAIL"; s.mail("s@src.test")
            stage = "RCPT"; code, msg = s.rcpt("%s@example.test" % users[k])
            if code != 250:
                s.rset(); res = str(code)
            else:
                stage = "DATA"; code, msg = s.data("Subject: fault-%d-\r\n\r\n%s\r\n" % (i, body))
                # "250 2.0.0 Ok: queued as ID": keep the queue id to follow the message through the logs
                res = "250 " + msg.decode().split()[-1] if code == 250 else str(code)
        except smtplib.SMTPResponseException as e:
            res = str(e.smtp_code)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as e:
            res = "refused"; s = None
        except (OSError, smtplib.SMTPException) as e:
            res = "dropped"; s = None
            port = p2 if port == p1 else p1   # the other replica
            time.sleep(0.2)
        with lock: results.append((i, res, t0, time.time(), stage))
        if pace: time.sleep(pace)
    try:
        s and s.quit()
    except Exception:
        pass
ts = [threading.Thread(target=client, args=(k,)) for k in range(sessions)]
[t.start() for t in ts]; [t.join() for t in ts]
with open(out, "w") as f:
    for r in sorted(results): f.write("%d\t%s\t%.3f\t%.3f\t%s\n" % r)
PY
LOAD=$!

# The chaos loop, until the load is done: every CHAOS_MIN-CHAOS_MAX s one step (see the header). A killed part is
# started again 1-3 s later; "up" is when its start script saw it ready.
CHAOS_PARTS=(smtp-ingress-2 lmtp-delivery queue-worker verifier kafka redis dovecot)
ROLL=(smtp-ingress-2 smtp-ingress verifier queue-worker lmtp-delivery)
RANDOM=$SEED; kills=0 step=0 FLUSHED="" SCALE="" ROLLED=() LEADER_KILLS=0 LED_TOTAL=0
declare -A KILLED=()
while kill -0 $LOAD 2>/dev/null; do
  sleep $((CHAOS_MIN + RANDOM % (CHAOS_MAX - CHAOS_MIN + 1)))
  kill -0 $LOAD 2>/dev/null || break
  step=$((step + 1))
  if [ $step -ge 3 ] && [ $step -le 7 ]; then
    p=${ROLL[$((step - 3))]}
    log "rolling restart: SIGTERM $p"; event stop "$p"
    "$DEV/service.sh" stop "${MODULE[$p]}" "$RUN/$p" >>"$OUT/roll.log" 2>&1 || log "$p did not stop (roll.log)"
    start_part "$p" >/dev/null 2>&1 || { sleep 3; start_part "$p" >/dev/null; }
    event up "$p"; ROLLED+=("$p")
    continue
  fi
  if [ -z "$FLUSHED" ] && [ $step -ge 9 ]; then
    q=$(queued)
    if [ "$q" != '?' ] && [ "$q" -gt 0 ]; then flushall "$q"; continue; fi
  fi
  if [ $step -ge 11 ] && [ -z "$SCALE" ]; then
    log "scale-up: ${SCALED[*]}"
    for p in "${SCALED[@]}"; do start_instance "$p" >/dev/null 2>&1 || log "$p did not start"; done
    event scale-up "${SCALED[*]}"; SCALE="up at step $step"
    continue
  fi
  if [ $step -ge 16 ] && [[ $SCALE != *down* ]]; then
    log "scale-down: SIGTERM ${SCALED[*]}"; event scale-down "${SCALED[*]}"
    for p in "${SCALED[@]}"; do
      "$DEV/service.sh" stop "${MODULE[$p]}" "$RUN/$p" >>"$OUT/roll.log" 2>&1 || log "$p did not stop (roll.log)"
    done
    SCALE+=", down (SIGTERM) at step $step"
    continue
  fi
  p=${CHAOS_PARTS[$((RANDOM % ${#CHAOS_PARTS[@]}))]}
  led=""
  if [ "$p" = kafka ] && [ "$KAFKA_BROKERS" -gt 1 ]; then
    p=kafka-$((1 + RANDOM % KAFKA_BROKERS)); led=$(led_by "${p#kafka-}" || echo 0)
    LED_TOTAL=$((LED_TOTAL + led)); [ "$led" = 0 ] || LEADER_KILLS=$((LEADER_KILLS + 1))
  fi
  log "kill -9 $p${led:+ (leads $led mxgate partitions)}"; event kill "$p" "${led:+led=$led}"
  kill_part "$p" >/dev/null 2>&1 || true; kills=$((kills + 1)); KILLED[$p]=$(( ${KILLED[$p]:-0} + 1 ))
  sleep $((1 + RANDOM % 3))
  start_part "$p" >/dev/null 2>&1 || { sleep 3; start_part "$p" >/dev/null; }
  event up "$p"
done
wait $LOAD
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
for p in $(kafka_dirs); do start_part "${p##*/}" >/dev/null 2>&1 || true; done
for p in redis dovecot "${PARTS[@]}"; do start_part "$p" >/dev/null 2>&1 || true; done

# Settle: wait until as many messages arrived as got 250, or nothing arrived for 180 s (a consumer that was killed
# is replaced only after its group session times out), bounded by 15 minutes. Deferred mail is retried after
# 10-60 s here (minimal/maximal_backoff_time), so a settled run has nothing left waiting.
# find's complaints are not errors here: no mailbox directory exists before Dovecot's first delivery (it may have
# been killed before it made one), and a file Dovecot renames while find walks the tree vanishes under it.
count() { { find "$RUN/dovecot/mail/example.test" -path '*/Maildir/*' -type f \( -path '*/new/*' -o -path '*/cur/*' \) \
  2>/dev/null || true; } | wc -l; }
accepted=$(awk -F'\t' '$2 ~ /^250/' "$RUN/results.tsv" | wc -l)
last=-1; still=0
for i in $(seq 1 900); do
  c=$(count); if [ "$c" = "$last" ]; then still=$((still + 1)); else still=0; last=$c; fi
  [ "$c" -ge "$accepted" ] && break
  [ $still -ge 180 ] && break; sleep 1
done

python3 - "$RUN" "$KAFKA_BROKERS" "$kills" "$(for p in "${!KILLED[@]}"; do printf '%s=%s ' "$p" "${KILLED[$p]}"; done)" \
  "$LEADER_KILLS" "$LED_TOTAL" "${ROLLED[*]:-}" "$SCALE" "$FLUSHED" "$LOAD0" "$LOAD1" <<'PY'
import glob, os, re, sys
run, brokers, kills, killed, leader_kills, led_total, rolled, scale, flushed, load0, load1 = sys.argv[1:12]
brokers = int(brokers)
rows = [line.rstrip("\n").split("\t") for line in open(run + "/results.tsv")]
res = {r[0]: r[1] for r in rows}
span = {r[0]: (float(r[2]), float(r[3]), r[4]) for r in rows}
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
for f in glob.glob(run + "/lmtp-delivery*/*.log") + glob.glob(run + "/queue-worker*/*.log"):
    for line in open(f, errors="replace"):
        m = re.search(r": ([0-9A-Za-z]+): to=<.*status=deferred", line)
        if m: deferred_ids.add(m.group(1))
# not delivered but deferred: the message is in the deferred queue (Kafka), waiting for its retry
waiting = [i for i in ok if seen.get(i, 0) == 0 and qid.get(i) in deferred_ids]
lost = [i for i in ok if seen.get(i, 0) == 0 and qid.get(i) not in deferred_ids]
deferred_then_delivered = [i for i in ok if seen.get(i, 0) > 0 and qid.get(i) in deferred_ids]
dup = [i for i in ok if seen.get(i, 0) > 1]
not_ok_but_delivered = [i for i, r in res.items() if r != "250" and seen.get(i, 0) > 0]

# Windows in which a part was down: from its kill (or SIGTERM) to the moment its start script saw it up again.
windows, down = [], {}
for line in open(run + "/events.tsv"):
    t, what, part, _ = line.rstrip("\n").split("\t", 3)
    if what in ("kill", "stop"): down[part] = (float(t), what)
    elif what == "up" and part in down:
        t0, how = down.pop(part); windows.append((t0, float(t), part, how))
def parts_down(i):
    a, b, _ = span[i]
    return sorted({p for t0, t1, p, _ in windows if a <= t1 and b >= t0})
four = [i for i, r in res.items() if r.startswith("4")]
broker_s = sum(t1 - t0 for t0, t1, p, _ in windows if p.startswith("kafka"))
in_broker = [i for i in res if any(p.startswith("kafka") for p in parts_down(i))]
four_broker = [i for i in four if i in set(in_broker)]
by_part = {}
for i in four:
    k = ",".join(parts_down(i)) or "nothing down"
    k = re.sub(r"kafka-\d", "kafka-N", k)
    by_part[k] = by_part.get(k, 0) + 1
stages = {}
for i in four_broker:
    k = "%s at %s" % (res[i], span[i][2]); stages[k] = stages.get(k, 0) + 1

print("faults: kills=%s (%s)" % (kills, killed.strip()))
if brokers > 1:
    print("kafka: %d brokers; broker kills=%d, of which %s hit a partition leader (the victim led %s mxgate partitions "
          "in all at its kills)" % (brokers, sum(1 for t0, t1, p, h in windows if p.startswith("kafka") and h == "kill"),
                                    leader_kills, led_total))
print("rolling restarts (SIGTERM, start, next): %s" % (rolled or "none (the load ended first)"))
print("scale lmtp-delivery and queue-worker to 2 and back: %s" % (scale or "not reached (the load ended first)"))
print("redis: kill -9 keeps the index (appendfsync always); %s" % (flushed or "no FLUSHALL (no mail was queued by then)"))
print("4xx while %s broker was dead (%.0f s in %d windows): %d of %d attempts (%s); 4xx the rest of the time: %d of %d"
      % ("exactly one" if brokers > 1 else "the", broker_s, sum(1 for w in windows if w[2].startswith("kafka")),
         len(four_broker), len(in_broker), ", ".join("%s=%d" % kv for kv in sorted(stages.items())) or "-",
         len(four) - len(four_broker), len(res) - len(in_broker)))
print("4xx by what was down during the attempt: " + ", ".join("%s=%d" % kv for kv in sorted(by_part.items())))
print("sent=%d  250'd=%d  4xx/5xx=%d  dropped=%d" % (len(res), len(ok), sum(1 for r in res.values() if r not in ("250", "dropped")),
      sum(1 for r in res.values() if r == "dropped")))
print("delivered=%d  lost=%d  duplicated=%d (%.2f%%, goal <= 0.1%%)  deferred-then-delivered=%d  still-deferred-in-queue=%d  "
      "refused-but-delivered-anyway=%d" % (len(delivered), len(lost), len(dup), 100.0 * len(dup) / max(1, len(ok)),
      len(deferred_then_delivered), len(waiting), len(not_ok_but_delivered)))
print("load average at the start %s, at the end of the load %s" % (load0, load1))
if waiting: print("still deferred (in mxgate.deferred, waiting for a retry): " + ", ".join(sorted(waiting, key=int)[:20]))
if dup: print("duplicated ids (first 20): " + ", ".join("%s(%s)x%d" % (i, qid.get(i), seen[i]) for i in sorted(dup, key=int)[:20]))
if lost: print("LOST ids (first 20): " + ", ".join("%s(%s)" % (i, qid.get(i)) for i in sorted(lost, key=int)[:20]))
sys.exit(1 if lost else 0)
PY
