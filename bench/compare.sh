#!/bin/bash
# compare.sh -- mxgate against the reference Postfix + Dovecot, interleaved on this box, same generator.
#
#   bench/compare.sh                 REPS=3 N=5000 SIZE=10240 SESSIONS=20 WARM=10000 (environment knobs)
#
# Per rep, in turn: the reference's path b (smtp-source -> Postfix -> LMTP -> Dovecot) and d (smtp-source -L ->
# Dovecot LMTP: the backend ceiling), both through ../shared/reference-postfix/throughput.sh, then mxgate's path m
# (smtp-source -> smtp-ingress -> Kafka acks=all -> lmtp-delivery -> LMTP -> its own Dovecot), same shape: SESSIONS
# smtp-source processes, one per bulk user, N/SESSIONS messages each, a new connection per message. Then both
# sides at light load (SESSIONS x 1 msg/s), RCPT latency on a verify-cache hit and on a cold miss (20 new mailboxes
# on each side), and the RSS of every process of each side. Each rep also runs the reference's path a (smtp-source
# -> smtp-sink), the generator's own ceiling.
# mxgate runs as `./mxgate up` does, but in its own run directory and ports (/tmp/mxgate-bench, 26525 SMTP), so a
# running `./mxgate up` stack is not disturbed. Everything listens on 127.0.0.1; every load is bounded.
# Before the first rep mxgate gets WARM unmeasured messages: its JVMs spend the first thousands of messages compiling
# their hot paths (C2), and a long-running gateway is measured in its steady state, as Postfix (no JIT) always is.
# Prints one table and appends it to bench/RESULTS.md with the date, the box and the git commit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${REF:-$ROOT/../shared/reference-postfix}
N=${N:-5000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; REPS=${REPS:-3}
BENCH=compare RUN=${MXGATE_BENCH_DIR:-/tmp/mxgate-bench}
. "$ROOT/bench/lib.sh"
SMTP=26525 SMTP2=26535 LMTP=24440 IMAP=24443 KAFKA=29092 KCTL=29093 REDIS=26379
HTTP=([smtp-ingress]=28080 [verifier]=28081 [queue-worker]=28082 [lmtp-delivery]=28083 [smtp-ingress-2]=28084
      [lmtp-delivery-2]=28085)
mkdir -p "$OUT"

# rcpt_latency PORT ADDR...: RCPT TO -> reply of each address in a session of its own (connect, EHLO, MAIL first,
# unmeasured); prints "p50 max" in ms, and how many were not answered 250.
rcpt_latency() {
  python3 - "$@" <<'PY'
import smtplib, sys
import time
port, addrs = int(sys.argv[1]), sys.argv[2:]
t, bad = [], 0
for a in addrs:
    s = smtplib.SMTP("127.0.0.1", port, timeout=60); s.ehlo("rcpt.test"); s.mail("rcpt@src.test")
    t0 = time.perf_counter(); code = s.rcpt(a)[0]; t.append(time.perf_counter() - t0)
    s.quit()
    bad += code != 250
t.sort(); print("%.1f %.1f %d" % (t[len(t)//2] * 1000, t[-1] * 1000, bad))
PY
}

# cold_addresses SIDE TAG: 20 new mailboxes on SIDE's Dovecot (m: mxgate's, b: the reference's), never asked
# before, so the first RCPT to each is a verify-cache miss that probes
cold_addresses() {
  local side=$1 tag=$2 i us=()
  for i in $(seq 1 20); do us+=("cold$tag$i"); done
  if [ "$side" = m ]; then
    "$DEV/dovecot.sh" users "$RUN/dovecot" "${us[@]}" >/dev/null
  else
    (. "$REF/common.sh"
     for u in "${us[@]}"; do echo "$u@$DOMAIN:{PLAIN}pw:$VMAIL_UID:$VMAIL_GID::$MAILROOT/$DOMAIN/$u::"; done >>"$DC_USERS")
  fi
  sleep 1.1   # a new mtime, so Dovecot's passwd-file is read again
  printf '%s@example.test\n' "${us[@]}"
}

REPLOG=$OUT/reps.$$; : >"$REPLOG"   # run_m and run_ref append their per-rep lines here

# run_ref PATH: one rep of the reference's throughput.sh, its per-rep line
run_ref() {
  REPS=1 N=$N SIZE=$SIZE SESSIONS=$SESSIONS RESULTS=$OUT/reference-results.md "$REF/throughput.sh" "$1" 2>>"$OUT/ref.err" |
    grep -m1 -E "^$1 +rep=" | tee -a "$REPLOG"
}

command -v smtp-source >/dev/null || "$DEV/install.sh" postfix
# The reference stays up for the whole comparison (throughput.sh would otherwise start and stop it on every call).
REF_STARTED=()
stop_all() {
  stop_stack
  local i
  for ((i = ${#REF_STARTED[@]} - 1; i >= 0; i--)); do "$REF/${REF_STARTED[$i]}-down.sh" >/dev/null 2>&1 || true; done
}
trap stop_all EXIT
(. "$REF/common.sh"; dovecot_running) || { "$REF/dovecot-up.sh" --fresh; REF_STARTED+=(dovecot); }
(. "$REF/common.sh"; postfix_running) || { "$REF/postfix-up.sh" --fresh; REF_STARTED+=(postfix); }
(. "$REF/common.sh"; sink_running relay && sink_running lmtp) || { "$REF/sink-up.sh" all; REF_STARTED+=(sink); }
start_stack
warm_mxgate
WARM=${WARM:-10000}
log "JIT and Kafka warm-up: $WARM unmeasured mxgate messages"
for _ in $(seq 1 $(((WARM + N - 1) / N))); do run_m 0 "$N" "$SMTP" "$SIZE" 1 >/dev/null; done
: >"$REPLOG"
for rep in $(seq 1 "$REPS"); do
  run_ref a; run_ref b; run_ref d; run_m "$rep" "$N" "$SMTP" "$SIZE" 1
done
run_ref light
run_m 99 $((SESSIONS * 10)) "$SMTP" "$SIZE" 1 "-w 1"
mapfile -t HOT < <(for i in $(seq 1 20); do echo "$(user "$i")@example.test"; done)   # warmed on both sides
HIT_M=$(rcpt_latency "$SMTP" "${HOT[@]}"); HIT_B=$(rcpt_latency 25250 "${HOT[@]}")
mapfile -t COLD < <(cold_addresses m "m$$"); COLD_M=$(rcpt_latency "$SMTP" "${COLD[@]}")
mapfile -t COLD < <(cold_addresses b "b$$"); COLD_B=$(rcpt_latency 25250 "${COLD[@]}")
sleep 5
RSS_IDLE=$(for m in "${SERVICES[@]}"; do printf '%s=%sMiB ' "$m" "$(rss_of "$(instance_pid "$m")")"; done)
mapfile -t M_PIDS < <(mxgate_pids)
# shellcheck disable=SC2046 # a PID, or nothing when that part does not run
mapfile -t REF_PIDS < <(. "$REF/common.sh"; descendants $(postfix_pid) $(dovecot_pid) $(sink_pid relay) $(sink_pid lmtp))
RSS_M=$(rss_of "${M_PIDS[@]}"); RSS_REF=$(rss_of "${REF_PIDS[@]}")

# measured reps only (rep 0 is the warm-up, rep 99 the light load)
reps() { grep -E "^$1 +rep=" "$REPLOG" | grep -v -E 'rep=(0|99) '; }
acc() { reps "$1" | sed -E 's/.*accepted=[0-9.]+s \(([0-9.]+) msg\/s\).*/\1/' | med; }
e2e() { reps "$1" | sed -E 's/.*e2e=[0-9.]+s delivered=[0-9]+ \(([0-9.]+) msg\/s\).*/\1/' | med; }
field() { reps "$1" | sed -E "s/.*$2.*/\\1/" | med; }   # field PATH REGEX-WITH-ONE-GROUP: its median over reps
B_ACC=$(acc b); B_E2E=$(e2e b); D=$(e2e d); A=$(e2e a); M_ACC=$(acc m); M_E2E=$(e2e m)
B_CPU=$(field b 'cpu=([0-9]+)%'); M_CPU=$(field m 'cpu=([0-9]+)%')
B_LAT="$(field b 'lat_med=([0-9.]+) ') / $(field b 'lat_p90=([0-9.]+) ') / $(field b 'lat_p99=([0-9.]+) ')"
M_LAT="$(field m 'p50\/p90\/p99=([0-9.]+) ') / $(field m 'p50\/p90\/p99=[0-9.]+ ([0-9.]+) ') / $(field m 'p50\/p90\/p99=[0-9.]+ [0-9.]+ ([0-9.]+)')"
L_LINE=$(grep -E '^light +rep=' "$REPLOG" | head -n 1)
B_LIGHT="$(echo "$L_LINE" | sed -E 's/.*lat_med=([0-9.]+) lat_p90=([0-9.]+) lat_p99=([0-9.]+).*/\1 \/ \2 \/ \3/')"
ms() { echo "$1" | awk '{print $1" / "$2 ($3 > 0 ? " (" $3 " not 250)" : "")}'; }
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS REPS=$REPS"
  echo
  echo "| figure | mxgate | reference Postfix | ratio |"
  echo "|---|---|---|---|"
  echo "| accepted msg/s (median of reps) | $M_ACC | $B_ACC | $(ratio "$M_ACC" "$B_ACC") (target >= 1.5) |"
  echo "| end-to-end msg/s to Maildir | $M_E2E | $B_E2E | $(ratio "$M_E2E" "$B_E2E") |"
  echo "| end-to-end / Dovecot LMTP ceiling ($D msg/s) | $(ratio "$M_E2E" "$D") | $(ratio "$B_E2E" "$D") | (target >= 0.85) |"
  echo "| saturation MAIL->Maildir delay p50/p90/p99 (s), median of reps | $M_LAT | $B_LAT | |"
  echo "| CPU busy % of the box while saturated, median | $M_CPU | $B_CPU | |"
  echo "| light load MAIL->Maildir delay p50/p90/p99 (s) | $(grep 'rep=99' "$REPLOG" | sed -E 's/.*delay p50\/p90\/p99=([0-9.]+) ([0-9.]+) ([0-9.]+).*/\1 \/ \2 \/ \3/') | $B_LIGHT | (target p50 <= 0.02) |"
  echo "| RCPT latency, verify-cache hit, p50 / max of 20 (ms) | $(ms "$HIT_M") | $(ms "$HIT_B") | |"
  echo "| RCPT latency, cold miss (probe), p50 / max of 20 (ms) | $(ms "$COLD_M") | $(ms "$COLD_B") | (target p50 <= 100) |"
  echo "| generator ceiling smtp-source -> smtp-sink, msg/s (path a, median) | | $A | |"
  echo "| RSS of the whole side, MiB | $RSS_M | $RSS_REF | |"
  echo "| RSS by process name, MiB (java: the services and the Kafka broker) | $(rss_by_name "${M_PIDS[@]}") | $(rss_by_name "${REF_PIDS[@]}") | |"
  echo "| RSS per service idle | $RSS_IDLE | | (target <= 256 each) |"
  echo
  echo "Per-rep lines (reference lines from throughput.sh; m = mxgate):"
  echo '```'; cat "$REPLOG"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ -s "$OUT/src.err" ] && { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
rm -f "$REPLOG"
