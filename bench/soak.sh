#!/bin/bash
# soak.sh -- does mxgate's memory stay flat under a long steady load, and is every accepted message delivered?
#
#   bench/soak.sh        DURATION=600 SESSIONS=40 SIZE=10240 INTERVAL=30 GROWTH_WARN=10 (environment knobs)
#
# One mxgate stack as `./mxgate up` runs it, in /tmp/mxgate-soak on ports 13000+ (SMTP 13525). After the verify
# cache and the JITs are warm (one RCPT per bulk user, an unmeasured run of 1000), SESSIONS smtp-source processes
# each send one SIZE-byte message a second for DURATION seconds (-s 1 -w 1 -m DURATION: a new connection per
# message), SESSIONS msg/s in all. Every INTERVAL s it samples the RSS of the four services, Kafka and Redis. At the
# first sample (after the warm-up, before the load) and after the load has stopped and been delivered, it also
# takes the JVM heap used after a full GC of each service and of the Kafka broker (jcmd PID GC.run, then
# GC.heap_info): a JVM's RSS grows towards its -Xmx without a leak, its heap after a full GC does not.
# Prints the RSS table, one verdict line per process: RSS in the first minute of load against the last sample under
# load, heap after GC before against after the load, growth in % ("grows" above GROWTH_WARN %), and the delivery
# check: every message smtp-ingress accepted ("(queue active)" log lines) is in the Maildirs. Appends it all to
# bench/RESULTS.md with the date, the box and the git commit. All on 127.0.0.1; the load stops by itself
# (smtp-source runs under timeout) and the stack is stopped on exit. Exits 1 when a message is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-600}; SESSIONS=${SESSIONS:-40}; SIZE=${SIZE:-10240}; INTERVAL=${INTERVAL:-30}
GROWTH_WARN=${GROWTH_WARN:-10}
BENCH=soak RUN=${MXGATE_SOAK_DIR:-/tmp/mxgate-soak}
SRC_TIMEOUT=${SRC_TIMEOUT:-$((DURATION * 3 / 2 + 120))}   # -w 1 paces a session at a little under 1 msg/s
. "$ROOT/bench/lib.sh"
bench_ports "${SOAK_PORT_BASE:-13000}"
[ $((2 * SESSIONS)) -le 1000 ] || { log "SESSIONS=$SESSIONS: at most 500"; exit 2; }
COLS=(smtp-ingress verifier queue-worker lmtp-delivery kafka redis)

pid_of() { case $1 in kafka|redis) cat "$RUN/$1/$1.pid" ;; *) instance_pid "$1" ;; esac; }
# heap_after_gc SERVICE: MiB of Java heap in use right after a full GC (the sum of the generations' "used")
heap_after_gc() {
  local pid; pid=$(pid_of "$1")
  jcmd "$pid" GC.run >/dev/null
  jcmd "$pid" GC.heap_info | awk '/(generation|heap|Gen) +total/ && match($0, /used [0-9]+K/) {
      u += substr($0, RSTART + 5, RLENGTH - 6) } END { printf "%.1f", u / 1024 }'
}
SAMPLES=$RUN/out/samples   # one line per sample: label, then RSS MiB of each of COLS
sample() {
  local c line=$1
  for c in "${COLS[@]}"; do line+=" $(rss_of "$(pid_of "$c")")"; done
  echo "$line" >>"$SAMPLES"
  log "sample $line"
}
declare -A HEAP0=() HEAP1=()
# growth A B: B against A in %
growth() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0) printf "%+.1f", 100 * (b - a) / a; else print "nan" }'; }
judge() { awk -v g="$1" -v w="$GROWTH_WARN" 'BEGIN{ print (g == "nan" ? "?" : (g + 0 > w ? "GROWS" : "flat")) }'; }

trap stop_stack EXIT
start_stack 1 1
warm_mxgate
log "warm-up: one unmeasured run of 1000"
run_m 0 1000 "$SMTP" "$SIZE" 1 >/dev/null
sleep 5
: >"$SAMPLES"
sample 0
for c in "${SERVICES[@]}" kafka; do HEAP0[$c]=$(heap_after_gc "$c"); done

mapfile -t USERS < <(rep_users 1)
for u in "${USERS[@]}"; do rm -rf "${RUN:?}/dovecot/mail/example.test/$u"; done
BASE=$(maildir_count "${USERS[@]}"); OFFS=$(log_sizes smtp-ingress)
log "load: $SESSIONS sessions x 1 msg/s for ${DURATION}s"
T0=$SECONDS
load_start 1 "$SMTP" "$SIZE" 1 "$DURATION" "-w 1" "${USERS[@]}"
alive() { local p; for p in "${LOAD_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
next=$INTERVAL
while alive; do
  sleep 1
  if [ $((SECONDS - T0)) -ge $next ]; then sample $((SECONDS - T0)); next=$((next + INTERVAL)); fi
done
LOAD_S=$((SECONDS - T0))
load_wait
ACCEPTED=$(ingress_accepted "$OFFS")
DELIVERED=$(wait_delivered "$ACCEPTED" "$BASE" "${USERS[@]}")
log "load done after ${LOAD_S}s: accepted $ACCEPTED, delivered $DELIVERED"
sleep 5
sample end
for c in "${SERVICES[@]}" kafka; do HEAP1[$c]=$(heap_after_gc "$c"); done

# The first minute: the last sample under load at most 60 s in; the last: the last sample under load.
FIRST=$(awk '$1 != "0" && $1 != "end" && $1 <= 60' "$SAMPLES" | tail -n 1)
LAST=$(grep -v -E '^(0|end) ' "$SAMPLES" | tail -n 1)
[ -n "$FIRST" ] || FIRST=$LAST
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- soak.sh, commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), DURATION=$DURATION SESSIONS=$SESSIONS SIZE=$SIZE"
  echo
  echo "| time (s) |$(printf ' %s |' "${COLS[@]}")"
  echo "|---|$(printf -- '---|%.0s' "${COLS[@]}")"
  awk '{ t = $1 == "0" ? "0 (warm, before load)" : ($1 == "end" ? "end (load stopped, delivered)" : $1)
         printf "| %s |", t; for (i = 2; i <= NF; i++) printf " %s |", $i; print "" }' "$SAMPLES"
  echo "| heap after full GC, MiB: before / after load |$(for c in "${SERVICES[@]}" kafka; do printf ' %s / %s |' "${HEAP0[$c]}" "${HEAP1[$c]}"; done) |"
  echo
  echo "RSS in MiB. Verdicts: RSS at ${FIRST%% *} s against ${LAST%% *} s under load; heap after a full GC before against after the load."
  echo '```'
  for i in "${!COLS[@]}"; do
    c=${COLS[$i]}
    r0=$(echo "$FIRST" | awk -v k=$((i + 2)) '{print $k}'); r1=$(echo "$LAST" | awk -v k=$((i + 2)) '{print $k}')
    g=$(growth "$r0" "$r1"); line="$c: RSS $r0 -> $r1 MiB ($g%)"; verdict=$(judge "$g")
    if [ -n "${HEAP0[$c]:-}" ]; then
      h=$(growth "${HEAP0[$c]}" "${HEAP1[$c]}"); line+=", heap after GC ${HEAP0[$c]} -> ${HEAP1[$c]} MiB ($h%)"
      [ "$(judge "$h")" = flat ] || verdict=$(judge "$h")
    fi
    echo "$line: $verdict"
  done
  MISSING=$((ACCEPTED - DELIVERED))
  echo "delivery: accepted $ACCEPTED (of $((SESSIONS * DURATION)) planned, load ran ${LOAD_S}s, $LOAD_FAILS smtp-source failed), delivered $DELIVERED: $( [ $MISSING -le 0 ] && echo "all delivered" || echo "MISSING $MISSING")"
  echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
[ ! -s "$OUT/src.err" ] || { log "smtp-source errors:"; sort "$OUT/src.err" | uniq -c | head; }
[ $((ACCEPTED - DELIVERED)) -le 0 ]
