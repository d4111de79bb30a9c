#!/bin/bash
# compare.sh -- mxgate against the reference Postfix + Dovecot, interleaved on this box, same generator.
#
#   bench/compare.sh                 REPS=3 N=5000 SIZE=10240 SESSIONS=20 (environment knobs)
#
# Per rep, in turn: the reference's path b (smtp-source -> Postfix -> LMTP -> Dovecot) and d (smtp-source -L ->
# Dovecot LMTP: the backend ceiling), both through ../shared/reference-postfix/throughput.sh, then mxgate's path m
# (smtp-source -> smtp-ingress -> Kafka acks=all -> lmtp-delivery -> LMTP -> its own Dovecot), same shape: SESSIONS
# smtp-source processes, one per bulk user, N/SESSIONS messages each, a new connection per message. Then both
# sides at light load (SESSIONS x 1 msg/s), cold-miss RCPT latency, and the RSS of every process of each side.
# mxgate runs as `./mxgate up` does, but in its own run directory and ports (/tmp/mxgate-bench, 26525 SMTP), so a
# running `./mxgate up` stack is not disturbed. Everything listens on 127.0.0.1; every load is bounded.
# Prints one table and appends it to bench/RESULTS.md with the date, the box and the git commit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${REF:-$ROOT/../shared/reference-postfix}
DEV=$ROOT/dev
N=${N:-5000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; REPS=${REPS:-3}
RUN=${MXGATE_BENCH_DIR:-/tmp/mxgate-bench}
SMTP=26525 LMTP=24440 IMAP=24443 KAFKA=29092 KCTL=29093 REDIS=26379
declare -A HTTP=([smtp-ingress]=28080 [verifier]=28081 [queue-worker]=28082 [lmtp-delivery]=28083)
SERVICES=(smtp-ingress verifier queue-worker lmtp-delivery)
OUT=$RUN/out; mkdir -p "$OUT"
log() { printf '[%s] compare: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }
busy() { echo "$1 $2" | awk '{b=$3-$1; i=$4-$2; printf "%.0f", ((b+i)>0 ? 100*b/(b+i) : 0)}'; }
user() { printf 'user%04d\n' "$1"; }
maildir_count() { # users... : files in new/ and cur/ of mxgate's Dovecot
  local u d n=0
  for u in "$@"; do
    for d in new cur; do
      [ -d "$RUN/dovecot/mail/example.test/$u/Maildir/$d" ] && n=$((n + $(find "$RUN/dovecot/mail/example.test/$u/Maildir/$d" -type f | wc -l)))
    done
  done
  echo $n
}

start_mxgate() {
  local m
  rm -rf "$RUN"; mkdir -p "$OUT"   # a fresh queue, verify cache and mailboxes every run
  [ -f "$ROOT/smtp-ingress/target/quarkus-app/quarkus-run.jar" ] || (cd "$ROOT" && mvn -q -B -Dmaven.test.skip=true install)
  "$DEV/tls.sh" "$RUN/tls" >/dev/null
  "$DEV/kafka.sh" start "$RUN/kafka" $KAFKA $KCTL
  "$DEV/redis.sh" start "$RUN/redis" $REDIS
  "$DEV/dovecot.sh" start "$RUN/dovecot" $LMTP $IMAP
  mapfile -t users < <(for i in $(seq 1 1000); do user "$i"; done)
  "$DEV/dovecot.sh" users "$RUN/dovecot" "${users[@]}" >/dev/null
  for m in "${SERVICES[@]}"; do
    "$DEV/service.sh" start "$m" "$RUN/$m" "${HTTP[$m]}" MXGATE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA \
      MXGATE_REDIS_URL=redis://127.0.0.1:$REDIS MXGATE_VIRTUAL_TRANSPORT="lmtp:[127.0.0.1]:$LMTP" \
      MXGATE_SMTPD_PORT=$SMTP MXGATE_SMTPD_PROXY_PORT=$((SMTP + 1)) MXGATE_MYHOSTNAME=mx.example.test \
      MXGATE_SMTPD_PEERNAME_LOOKUP=false MXGATE_VERIFIER_URL=http://127.0.0.1:${HTTP[verifier]} \
      MXGATE_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT=0
  done
}

stop_mxgate() {
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do "$DEV/service.sh" stop "${SERVICES[$i]}" "$RUN/${SERVICES[$i]}" || true; done
  "$DEV/dovecot.sh" stop "$RUN/dovecot" || true
  "$DEV/redis.sh" stop "$RUN/redis" || true
  "$DEV/kafka.sh" stop "$RUN/kafka" || true
}

# One RCPT per bulk user, so the measured window has no probes (the reference warms its cache the same way).
warm_mxgate() {
  python3 - "$SMTP" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1])); s.ehlo("warm.test"); s.mail("warm@src.test")
bad = [u for u in ("user%04d@example.test" % i for i in range(1, 1001)) if s.rcpt(u)[0] != 250]
s.rset(); s.quit()
if bad: sys.exit("not verified: %d, e.g. %s" % (len(bad), bad[0]))
PY
}

# cold-miss RCPT latency: RCPT TO -> reply, 20 addresses never asked before (Dovecot users made just now)
cold_misses() {
  local tag=$1 i us=()
  for i in $(seq 1 20); do us+=("cold$tag$i"); done
  "$DEV/dovecot.sh" users "$RUN/dovecot" "${us[@]}" >/dev/null; sleep 1.1
  python3 - "$SMTP" "${us[@]}" <<'PY'
import smtplib, sys, time
port, users = int(sys.argv[1]), sys.argv[2:]
t = []
for u in users:
    s = smtplib.SMTP("127.0.0.1", port); s.ehlo("cold.test"); s.mail("cold@src.test")
    t0 = time.perf_counter(); code = s.rcpt(u + "@example.test")[0]; t.append(time.perf_counter() - t0)
    s.quit()
    assert code == 250, (u, code)
t.sort(); print("%.1f %.1f" % (t[len(t)//2] * 1000, t[-1] * 1000))
PY
}

REPLOG=$OUT/reps.$$; : >"$REPLOG"
# run_m REP N EXTRA: mxgate path, SESSIONS smtp-source processes to their own users
run_m() {
  local rep=$1 n=$2 extra=${3:-} per users=() i pids=() fails=0 t0 t1 t2 cpu0 cpu1 base done_n=0 off
  per=$((n / SESSIONS)); n=$((per * SESSIONS))
  for i in $(seq $(((rep % 40) * SESSIONS + 1)) $(((rep % 40) * SESSIONS + SESSIONS))); do users+=("$(user "$i")"); done
  for u in "${users[@]}"; do rm -rf "${RUN:?}/dovecot/mail/example.test/$u"; done
  sleep 1
  off=$(stat -c %s "$RUN/lmtp-delivery/lmtp-delivery.log")
  base=$(maildir_count "${users[@]}"); cpu0=$(cpu_ticks); t0=$(now)
  for u in "${users[@]}"; do
    timeout 300 smtp-source -s 1 -m $per -l "$SIZE" -M bench.src.test $extra -f "bench-m-$rep@src.test" \
      -t "$u@example.test" 127.0.0.1:$SMTP 2>>"$OUT/src.err" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
  t1=$(now)
  for i in $(seq 1 3000); do
    done_n=$(( $(maildir_count "${users[@]}") - base )); [ $done_n -ge $n ] && break; sleep 0.1
  done
  t2=$(now); cpu1=$(cpu_ticks)
  local lat; lat=$(tail -c +$((off + 1)) "$RUN/lmtp-delivery/lmtp-delivery.log" | grep -o 'delay=[0-9.]*' | cut -d= -f2 |
    sort -g | awk '{v[NR]=$1} END{ if (NR) printf "%.3f %.3f %.3f", v[int(NR*0.5)+1], v[int(NR*0.9)+1], v[int(NR*0.99)+1]; else print "- - -"}')
  awk -v r="$rep" -v n="$n" -v a="$(echo "$t1 $t0" | awk '{print $1-$2}')" -v e="$(echo "$t2 $t0" | awk '{print $1-$2}')" \
      -v d="$done_n" -v f="$fails" -v c="$(busy "$cpu0" "$cpu1")" -v l="$lat" -v x="${extra:-}" \
      'BEGIN{printf "m     rep=%d n=%d fails=%d accepted=%.3fs (%.1f msg/s) e2e=%.3fs delivered=%d (%.1f msg/s) cpu=%s%% delay p50/p90/p99=%s %s\n", r, n, f, a, n/a, e, d, d/e, c, l, x}' |
    tee -a "$REPLOG"
}

# run_ref PATH: one rep of the reference's throughput.sh, its per-rep line
run_ref() {
  REPS=1 N=$N SIZE=$SIZE SESSIONS=$SESSIONS RESULTS=$OUT/reference-results.md "$REF/throughput.sh" "$1" 2>>"$OUT/ref.err" |
    grep -m1 -E "^$1 +rep=" | tee -a "$REPLOG"
}

rss_of() { # pids... : total RSS in MiB
  local p t=0
  for p in "$@"; do [ -r /proc/$p/status ] && t=$((t + $(awk '/VmRSS/{print $2}' /proc/$p/status))); done
  echo $((t / 1024))
}
mxgate_pids() { local m; for m in "${SERVICES[@]}"; do cat "$RUN/$m/$m.pid"; done; cat "$RUN/kafka/kafka.pid" "$RUN/redis/redis.pid"; pgrep -f "dovecot-$(basename "$RUN")" || true; }

command -v smtp-source >/dev/null || "$DEV/install.sh" postfix
# The reference stays up for the whole comparison (throughput.sh would otherwise start and stop it on every call).
REF_STARTED=()
stop_all() {
  stop_mxgate
  local i
  for ((i = ${#REF_STARTED[@]} - 1; i >= 0; i--)); do "$REF/${REF_STARTED[$i]}-down.sh" >/dev/null 2>&1 || true; done
}
trap stop_all EXIT
(. "$REF/common.sh"; dovecot_running) || { "$REF/dovecot-up.sh" --fresh; REF_STARTED+=(dovecot); }
(. "$REF/common.sh"; postfix_running) || { "$REF/postfix-up.sh" --fresh; REF_STARTED+=(postfix); }
(. "$REF/common.sh"; sink_running relay && sink_running lmtp) || { "$REF/sink-up.sh" all; REF_STARTED+=(sink); }
start_mxgate
warm_mxgate
log "warm-up and Kafka/JIT warm: one unmeasured mxgate rep of 1000"
run_m 0 1000 >/dev/null
: >"$REPLOG"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
for rep in $(seq 1 "$REPS"); do
  run_ref b; run_ref d; run_m "$rep" "$N"
done
run_ref light
run_m 99 $((SESSIONS * 10)) "-w 1"
COLD=$(cold_misses "$$")
sleep 5
RSS_IDLE=$(for m in "${SERVICES[@]}"; do printf '%s=%sMiB ' "$m" "$(rss_of "$(cat "$RUN/$m/$m.pid")")"; done)
RSS_M=$(rss_of $(mxgate_pids))
RSS_REF=$(rss_of $(pgrep -f 'refmail|postfix -c /tmp/refmail' || true) $(pgrep -x master || true))

med() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
# measured reps only (rep 0 is the warm-up, rep 99 the light load)
reps() { grep -E "^$1 +rep=" "$REPLOG" | grep -v -E 'rep=(0|99) '; }
acc() { reps "$1" | sed -E 's/.*accepted=[0-9.]+s \(([0-9.]+) msg\/s\).*/\1/' | med; }
e2e() { reps "$1" | sed -E 's/.*e2e=[0-9.]+s delivered=[0-9]+ \(([0-9.]+) msg\/s\).*/\1/' | med; }
B_ACC=$(acc b); B_E2E=$(e2e b); D=$(e2e d); M_ACC=$(acc m); M_E2E=$(e2e m)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "nan" }'; }
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS REPS=$REPS"
  echo
  echo "| figure | mxgate | reference Postfix | ratio |"
  echo "|---|---|---|---|"
  echo "| accepted msg/s (median of reps) | $M_ACC | $B_ACC | $(ratio "$M_ACC" "$B_ACC") (target >= 1.5) |"
  echo "| end-to-end msg/s to Maildir | $M_E2E | $B_E2E | $(ratio "$M_E2E" "$B_E2E") |"
  echo "| end-to-end / Dovecot LMTP ceiling ($D msg/s) | $(ratio "$M_E2E" "$D") | $(ratio "$B_E2E" "$D") | (target >= 0.85) |"
  echo "| light load MAIL->Maildir delay p50/p90/p99 (s) | $(grep 'rep=99' "$REPLOG" | sed -E 's/.*delay p50\/p90\/p99=([0-9.]+) ([0-9.]+) ([0-9.]+).*/\1 \/ \2 \/ \3/') | see light line below | (target p50 <= 0.02) |"
  echo "| cold-miss RCPT latency p50 / max (ms) | $(echo "$COLD" | awk '{print $1" / "$2}') | 3000 (address_verify_poll_delay) | (target p50 <= 100) |"
  echo "| RSS of every process, MiB | $RSS_M | $RSS_REF | |"
  echo "| RSS per service idle | $RSS_IDLE | | (target <= 256 each) |"
  echo
  echo "Per-rep lines (reference lines from throughput.sh; m = mxgate):"
  echo '```'; cat "$REPLOG"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ -s "$OUT/src.err" ] && { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
rm -f "$REPLOG"
