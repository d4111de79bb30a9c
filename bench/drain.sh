#!/bin/bash
# drain.sh -- how fast lmtp-delivery empties a backlog into Dovecot, against the smtp-source -> Dovecot LMTP ceiling
# on the same box: the delivery stage alone, without smtp-ingress and Kafka's writes competing for the CPU as they
# do in compare.sh's end-to-end figure.
#
#   bench/drain.sh      N=5000 SIZE=10240 SESSIONS=20 WARM_N=10000 REPS=3 (environment knobs)
#
# One mxgate stack as `./mxgate up` runs it, in /tmp/mxgate-drain on ports 16000+ (SMTP 16525), lmtp-delivery
# retrying a backend that is down every second at most. After WARM_N unmeasured messages (the JVMs' JIT), each rep:
#   ceiling  smtp-source -> Dovecot LMTP directly, SESSIONS sessions, N messages (compare.sh's path d)
#   drain    Dovecot stopped; N messages accepted by mxgate into Kafka; Dovecot started; the rate is the messages
#            delivered over the time from the first file in the Maildirs to the last (file names carry microseconds)
# Prints one line per rep and the medians with their ratio, and appends them to bench/RESULTS.md with the date, the
# box and the git commit. Everything listens on 127.0.0.1, every load is bounded, and the stack is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5000}; SIZE=${SIZE:-10240}; WARM_N=${WARM_N:-10000}; REPS=${REPS:-3}
BENCH=drain RUN=${MXGATE_DRAIN_DIR:-/tmp/mxgate-drain}
. "$ROOT/bench/lib.sh"
bench_ports "${DRAIN_PORT_BASE:-16000}"
EXTRA_ENV[lmtp-delivery]=MXGATE_LMTP_BACKEND_RETRY_MAX_DELAY=1s

# span USER...: seconds from the first to the last message file in the users' Maildirs (Dovecot names a file
# <seconds>.M<microseconds>P<pid>...)
span() {
  local u
  for u; do find "$RUN/dovecot/mail/example.test/$u/Maildir/new" "$RUN/dovecot/mail/example.test/$u/Maildir/cur" \
    -type f -printf '%f\n' 2>/dev/null || true; done |
    sed -E 's/^([0-9]+)\.M([0-9]+)P.*/\1 \2/' | awk '{t=$1+$2/1e6; if (NR==1||t<a) a=t; if (NR==1||t>b) b=t} END{printf "%.3f", b-a}'
}

# ceiling REP: smtp-source straight into Dovecot's LMTP port, to the rep's users
ceiling() {
  local users u per=$((N / SESSIONS)) t0 t1 n
  mapfile -t users < <(rep_users "$1")
  for u in "${users[@]}"; do rm -rf "${RUN:?}/dovecot/mail/example.test/$u"; done
  t0=$(now)
  for u in "${users[@]}"; do
    timeout "$SRC_TIMEOUT" smtp-source -L -s 1 -m "$per" -l "$SIZE" -M bench.src.test -f "bench-d@src.test" \
      -t "$u@example.test" "127.0.0.1:$LMTP" 2>>"$OUT/src.err" & LOAD_PIDS+=($!)
  done
  load_wait
  t1=$(now); n=$(maildir_count "${users[@]}")
  echo "$t1 $t0 $n" | awk '{printf "%.1f", $3/($1-$2)}'
}

# drain REP: the backlog of N messages, delivered once Dovecot is back
drain() {
  local users u per=$((N / SESSIONS)) n s
  mapfile -t users < <(rep_users "$1")
  for u in "${users[@]}"; do rm -rf "${RUN:?}/dovecot/mail/example.test/$u"; done
  "$DEV/dovecot.sh" stop "$RUN/dovecot" >/dev/null
  load_start "$1" "$SMTP" "$SIZE" 1 "$per" "" "${users[@]}"
  load_wait
  [ "$LOAD_FAILS" = 0 ] || log "rep $1: $LOAD_FAILS smtp-source processes failed"
  "$DEV/dovecot.sh" start "$RUN/dovecot" "$LMTP" "$IMAP" >/dev/null
  n=$(wait_delivered $((per * SESSIONS)) 0 "${users[@]}")
  s=$(span "${users[@]}")
  echo "$n $s" | awk '{printf "%.1f", ($2>0 ? ($1-1)/$2 : 0)}'
}

trap stop_stack EXIT
start_stack 1 1
warm_mxgate
REPLOG='' run_m 1 "$WARM_N" "$SMTP" "$SIZE" 1 >/dev/null
LINES=()
for rep in $(seq 2 $((REPS + 1))); do
  d=$(ceiling "$((rep * 2))"); m=$(drain "$((rep * 2 + 1))")
  LINES+=("rep=$((rep - 1)) ceiling=$d msg/s drain=$m msg/s ratio=$(ratio "$m" "$d")")
  log "${LINES[-1]}"
done
D=$(printf '%s\n' "${LINES[@]}" | sed -E 's/.*ceiling=([0-9.]+).*/\1/' | med)
M=$(printf '%s\n' "${LINES[@]}" | sed -E 's/.*drain=([0-9.]+).*/\1/' | med)
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- drain.sh, commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS REPS=$REPS"
  echo
  echo "Backlog drained by lmtp-delivery: $M msg/s (median); smtp-source -> Dovecot LMTP: $D msg/s; ratio $(ratio "$M" "$D")."
  echo '```'; printf '%s\n' "${LINES[@]}"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ ! -s "$OUT/src.err" ] || { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
