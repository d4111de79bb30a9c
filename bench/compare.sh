#!/bin/bash
# compare.sh -- mxgate against the reference Postfix + Dovecot, interleaved on this box, same generator.
#
#   bench/compare.sh                 REPS=3 N=5000 SIZE=10240 SESSIONS=20 WARM=10000 (environment knobs)
#
# Per rep, in turn: the reference's path b (smtp-source -> Postfix -> LMTP -> Dovecot) and d (smtp-source -L ->
# Dovecot LMTP: the backend ceiling), both through ../shared/reference-postfix/throughput.sh, then mxgate's path m
# (smtp-source -> smtp-ingress -> Kafka acks=all -> lmtp-delivery -> LMTP -> its own Dovecot), same shape: SESSIONS
# smtp-source processes, one per bulk user, N/SESSIONS messages each, a new connection per message. Then both
# sides at light load (SESSIONS x 1 msg/s), cold-miss RCPT latency, and the RSS of every process of each side.
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
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
for rep in $(seq 1 "$REPS"); do
  run_ref b; run_ref d; run_m "$rep" "$N" "$SMTP" "$SIZE" 1
done
run_ref light
run_m 99 $((SESSIONS * 10)) "$SMTP" "$SIZE" 1 "-w 1"
COLD=$(cold_misses "$$")
sleep 5
RSS_IDLE=$(for m in "${SERVICES[@]}"; do printf '%s=%sMiB ' "$m" "$(rss_of "$(instance_pid "$m")")"; done)
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
