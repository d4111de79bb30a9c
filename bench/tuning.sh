#!/bin/bash
# tuning.sh -- what each throughput setting buys: the Kafka producer of smtp-ingress and the LMTP concurrency of
# lmtp-delivery, each moved away from its default alone, measured against the defaults on one stack.
#
#   bench/tuning.sh      N=5000 SIZE=10240 SESSIONS=20 WARM_N=10000 PASSES=2 (environment knobs)
#
# One mxgate stack as `./mxgate up` runs it, in /tmp/mxgate-tuning on ports 15000+ (SMTP 15525). Settings, each a
# list of words for the environment of one service or two (the others keep their defaults):
#   defaults                 batch.size 256 KiB, linger.ms 1, no compression, 20 LMTP transactions in parallel
#   batch-16k                MXGATE_KAFKA_BATCH_SIZE=16384 (Kafka's default: one 10 KB message per produce request)
#   linger-0 / linger-5ms    MXGATE_KAFKA_LINGER
#   lz4                      MXGATE_KAFKA_COMPRESSION_TYPE=lz4
#   lmtp-5 / lmtp-10 / lmtp-40   MXGATE_LMTP_DESTINATION_CONCURRENCY_LIMIT
#   sync-log                 QUARKUS_LOG_CONSOLE_ASYNC_ENABLED=false for both services (each log line written by the
#                            thread that logs it, instead of a background thread)
# SETTINGS="defaults sync-log" measures just those (defaults must be among them: the ratios are to it).
# For each setting smtp-ingress and lmtp-delivery start afresh (the one the setting concerns with it), get WARM_N
# unmeasured messages (their JIT), and then one measurement of compare.sh's path m: SESSIONS smtp-source processes,
# N messages of SIZE bytes, a new connection per message, until every message is in the Maildirs. The settings run
# PASSES times, in order and then in reverse order, so that a drift of the box over the run does not favour the
# settings measured first.
# Prints one table (accepted and end-to-end msg/s, median over the passes, and the ratio to the defaults' median)
# and appends it to bench/RESULTS.md with the date, the box and the git commit. Everything listens on 127.0.0.1,
# every load is bounded, and the stack is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5000}; SIZE=${SIZE:-10240}; WARM_N=${WARM_N:-10000}; PASSES=${PASSES:-2}
BENCH=tuning RUN=${MXGATE_TUNING_DIR:-/tmp/mxgate-tuning}
. "$ROOT/bench/lib.sh"
bench_ports "${TUNING_PORT_BASE:-15000}"

read -r -a NAMES <<<"${SETTINGS:-defaults batch-16k linger-0 linger-5ms lz4 lmtp-5 lmtp-10 lmtp-40 sync-log}"
declare -A SERVICE=([defaults]="" [batch-16k]=smtp-ingress [linger-0]=smtp-ingress [linger-5ms]=smtp-ingress
                    [lz4]=smtp-ingress [lmtp-5]=lmtp-delivery [lmtp-10]=lmtp-delivery [lmtp-40]=lmtp-delivery
                    [sync-log]="smtp-ingress lmtp-delivery")
declare -A WORDS=([defaults]="" [batch-16k]=MXGATE_KAFKA_BATCH_SIZE=16384 [linger-0]=MXGATE_KAFKA_LINGER=0ms
                  [linger-5ms]=MXGATE_KAFKA_LINGER=5ms [lz4]=MXGATE_KAFKA_COMPRESSION_TYPE=lz4
                  [lmtp-5]=MXGATE_LMTP_DESTINATION_CONCURRENCY_LIMIT=5
                  [lmtp-10]=MXGATE_LMTP_DESTINATION_CONCURRENCY_LIMIT=10
                  [lmtp-40]=MXGATE_LMTP_DESTINATION_CONCURRENCY_LIMIT=40
                  [sync-log]=QUARKUS_LOG_CONSOLE_ASYNC_ENABLED=false)

# apply NAME: smtp-ingress and lmtp-delivery start again, the one the setting concerns with its words, so that every
# measurement has services equally warm (a JVM's throughput keeps rising over its first thousands of messages)
apply() {
  local s
  for s in smtp-ingress lmtp-delivery; do
    EXTRA_ENV[$s]=""; [[ " ${SERVICE[$1]} " != *" $s "* ]] || EXTRA_ENV[$s]=${WORDS[$1]}
    "$DEV/service.sh" stop "$s" "$RUN/$s"; start_instance "$s"
  done
}

trap stop_stack EXIT
start_stack 1 1
warm_mxgate
REPLOG=$OUT/reps; : >"$REPLOG"
rep=0
for pass in $(seq 1 "$PASSES"); do
  order=("${NAMES[@]}")
  if [ $((pass % 2)) -eq 0 ]; then mapfile -t order < <(printf '%s\n' "${NAMES[@]}" | tac); fi
  for name in "${order[@]}"; do
    apply "$name"
    log "pass $pass: $name ${WORDS[$name]}"
    rep=$((rep + 1)); REPLOG='' run_m "$rep" "$WARM_N" "$SMTP" "$SIZE" 1 >/dev/null
    rep=$((rep + 1)); echo "$name $(REPLOG='' run_m "$rep" "$N" "$SMTP" "$SIZE" 1)" >>"$REPLOG"
  done
done

rate() { grep "^$1 " "$REPLOG" | sed -E "s/.*$2=[0-9.]+s( delivered=[0-9]+)? \(([0-9.]+) msg\/s\).*/\2/" | med; }
BASE_ACC=$(rate defaults accepted); BASE_E2E=$(rate defaults e2e)
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- tuning.sh, commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS PASSES=$PASSES"
  echo
  echo "| setting | changed | accepted msg/s | vs defaults | end-to-end msg/s | vs defaults |"
  echo "|---|---|---|---|---|---|"
  for name in "${NAMES[@]}"; do
    acc=$(rate "$name" accepted); e2e=$(rate "$name" e2e)
    echo "| $name | ${WORDS[$name]:-(none)} | $acc | $(ratio "$acc" "$BASE_ACC") | $e2e | $(ratio "$e2e" "$BASE_E2E") |"
  done
  echo
  echo "Median over the passes; each line below is one measured run (the unmeasured warm-up runs are not shown):"
  echo '```'; cat "$REPLOG"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ ! -s "$OUT/src.err" ] || { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
