#!/bin/bash
# scale.sh -- how mxgate's throughput and CPU cost move with replicas, message size and recipients per message.
#
#   bench/scale.sh       N=5000 SIZE=10240 SESSIONS=20 N_1M=200 N_R10=1000 N_R100=200 WARM_N=10000
#                        PARTS="replicas size rcpt" DELIVERY_WAIT=300 REBALANCE=12 (environment knobs)
#
# One mxgate stack as `./mxgate up` runs it, in /tmp/mxgate-scale on ports 11000+ (SMTP 11525, a second
# smtp-ingress on 11535), so other stacks are not disturbed. Every measurement has the shape of compare.sh's path m:
# SESSIONS smtp-source processes (-s 1, a new connection per message), one per bulk user, N/SESSIONS messages each,
# spread evenly over the ingress ports; it ends when every copy is in the Maildirs (DELIVERY_WAIT s at most).
#   a. replicas (smtp-ingress, lmtp-delivery) = (1,1) (2,1) (1,2) (2,2), N messages of SIZE bytes: accepted msg/s
#      (to the last 250) and end-to-end msg/s (to the last Maildir file). A delivery replica that joins gets
#      REBALANCE s for the consumer group, and every new replica an unmeasured run of WARM_N for its JIT.
#   b. message size 1 KB (N), SIZE (the (1,1) run), 1 MB (N_1M), one recipient: msg/s, MiB/s, CPU-ms per message.
#   c. recipients per message 1 (the (1,1) run), 10 (N_R10 messages), 100 (N_R100): smtp-source -r K sends to
#      userNNNN and 2userNNNN..KuserNNNN; those Dovecot users are made and verified (one RCPT each) beforehand.
#      Accepted msg/s, delivered copies/s, CPU-ms per message and per copy.
# CPU-ms is the busy time of the whole box from /proc/stat (all cores, from the first connection to the last copy):
# it includes Kafka, Redis, Dovecot, the generator and anything else running, so read it on a quiet box.
# Prints one table and appends it to bench/RESULTS.md with the date, the box and the git commit. Everything listens
# on 127.0.0.1, every load is bounded, and the stack is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; N_1M=${N_1M:-200}; N_R10=${N_R10:-1000}
N_R100=${N_R100:-200}; WARM_N=${WARM_N:-10000}; PARTS=${PARTS:-replicas size rcpt}
BENCH=scale RUN=${MXGATE_SCALE_DIR:-/tmp/mxgate-scale}
. "$ROOT/bench/lib.sh"
bench_ports "${SCALE_PORT_BASE:-11000}"
[ $((8 * SESSIONS + SESSIONS)) -le 1000 ] || { log "SESSIONS=$SESSIONS: at most 111 (9 groups of bulk users)"; exit 2; }
part() { [[ " $PARTS " == *" $1 "* ]]; }

REPLOG=$OUT/runs.$$   # run_m's per-run lines
declare -A ROW=()     # measurement name -> its table row
# measure NAME REP N PORTS SIZE RCPTS: one run_m, its row kept under NAME
measure() {
  local name=$1 size=$5 k=$6
  log "$name: $3 messages of $size bytes, $k recipient(s) each, to port(s) $4"
  run_m "$2" "$3" "$4" "$size" "$k" >&2
  ROW[$name]=$(awk -v n="$M_N" -v k="$k" -v s="$size" -v f="$M_FAILS" -v d="$M_DELIVERED" -v a="$M_ACC_S" \
      -v e="$M_E2E_S" -v ms="$M_BUSY_MS" \
    'BEGIN{printf "%d x %d | %d | %d / %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f |", n, k, f, d, n*k, n/a, n/e,
           n*s/a/1048576, d/e, ms/n, (d>0 ? ms/d : 0)}')
}
# warm_run PORTS: an unmeasured run, so a replica that just started has compiled its hot paths
warm_run() { log "warm-up run of $WARM_N"; REPLOG='' run_m 0 "$WARM_N" "$1" "$SIZE" 1 >/dev/null; }
# rcpt_prepare K REP: Dovecot users for the K recipients per message of rep REP, and their verify cache entries
rcpt_prepare() {
  local users rcpts
  mapfile -t users < <(rep_users "$2")
  mapfile -t rcpts < <(rcpt_users "$1" "${users[@]}")
  log "making and verifying ${#rcpts[@]} recipients for -r $1"
  "$DEV/dovecot.sh" users "$RUN/dovecot" "${rcpts[@]}" >/dev/null
  sleep 1.1   # Dovecot re-reads its passwd-file only when the mtime moved (dev/dovecot.sh)
  warm_rcpts "${rcpts[@]/%/@example.test}"
}

trap stop_stack EXIT
start_stack 1 1
warm_mxgate
warm_run "$SMTP"
: >"$REPLOG"
measure base 1 "$N" "$SMTP" "$SIZE" 1
if part size; then
  measure size-1k 2 "$N" "$SMTP" 1024 1
  measure size-1m 3 "$N_1M" "$SMTP" 1048576 1
fi
if part rcpt; then
  rcpt_prepare 10 4; measure rcpt-10 4 "$N_R10" "$SMTP" "$SIZE" 10
  rcpt_prepare 100 5; measure rcpt-100 5 "$N_R100" "$SMTP" "$SIZE" 100
fi
if part replicas; then
  start_replica smtp-ingress-2; warm_run "$SMTP $SMTP2"
  measure repl-2-1 6 "$N" "$SMTP $SMTP2" "$SIZE" 1
  stop_replica smtp-ingress-2; start_replica lmtp-delivery-2; warm_run "$SMTP"
  measure repl-1-2 7 "$N" "$SMTP" "$SIZE" 1
  start_replica smtp-ingress-2; warm_run "$SMTP $SMTP2"
  measure repl-2-2 8 "$N" "$SMTP $SMTP2" "$SIZE" 1
fi

{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- scale.sh, commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS N_1M=$N_1M N_R10=$N_R10 N_R100=$N_R100"
  echo
  echo "| measurement | messages x rcpts | failed sessions | copies delivered / expected | accepted msg/s | end-to-end msg/s | accepted MiB/s | delivered copies/s | CPU ms / msg | CPU ms / copy |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  if part replicas; then
    echo "| replicas ingress 1, delivery 1 | ${ROW[base]}"
    echo "| replicas ingress 2, delivery 1 | ${ROW[repl-2-1]}"
    echo "| replicas ingress 1, delivery 2 | ${ROW[repl-1-2]}"
    echo "| replicas ingress 2, delivery 2 | ${ROW[repl-2-2]}"
  fi
  if part size; then
    echo "| size 1 KB | ${ROW[size-1k]}"
    echo "| size $((SIZE / 1024)) KB (the 1+1 run) | ${ROW[base]}"
    echo "| size 1 MB | ${ROW[size-1m]}"
  fi
  if part rcpt; then
    echo "| 1 recipient (the 1+1 run) | ${ROW[base]}"
    echo "| 10 recipients | ${ROW[rcpt-10]}"
    echo "| 100 recipients | ${ROW[rcpt-100]}"
  fi
  echo
  echo "CPU ms = busy CPU time of the whole box (all cores, /proc/stat) from the first connection to the last copy."
  echo "Per-run lines (rep 1: 1+1, 2: 1 KB, 3: 1 MB, 4: 10 rcpts, 5: 100 rcpts, 6-8: 2+1, 1+2, 2+2; delivered = copies):"
  echo '```'; cat "$REPLOG"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ ! -s "$OUT/src.err" ] || { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
rm -f "$REPLOG"
