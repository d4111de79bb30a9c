# shellcheck shell=bash
# lib.sh -- what the bench/ scripts share (sourced, not run): a local mxgate stack, the smtp-source load, counters.
#
# The caller sets BENCH (its name, for log lines) and RUN (its run directory) before sourcing, and then its ports,
# either explicitly or with bench_ports BASE. Each script has its own run directory and port block, so they can run
# side by side and next to a `./mxgate up` stack.
#
#   start_stack [INGRESS [DELIVERY]]   fresh RUN: Kafka, Redis, Dovecot (user0001..user1000), the four services, and
#                                      a second smtp-ingress / lmtp-delivery replica when INGRESS / DELIVERY is 2
#   start_replica | stop_replica smtp-ingress-2|lmtp-delivery-2|queue-worker-2
#   stop_stack                         stops whatever of it runs (trap it on EXIT)
#   kafka_ports, kafka_dirs, start_kafka_node DIR   the broker(s): one in $RUN/kafka, or with KAFKA_BROKERS=3 (env) a
#                                      cluster of KRaft nodes in $RUN/kafka-1..3 on KAFKA, KAFKA+2, ... (controller: +1)
#   warm_mxgate, warm_rcpts ADDR...    one RCPT per address, so a measured window has no verify probes
#   run_m REP N PORTS SIZE RCPTS [EXTRA]  one measured load (see there); results in M_* variables
#   load_start / load_wait / wait_delivered   its parts, for a load that is watched while it runs (soak.sh)
#   med, ratio, maildir_count, cpu_ticks, busy, busy_ms, rss_of, rss_by_name, mxgate_pids, descendants, ingress_accepted
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV=$ROOT/dev
OUT=$RUN/out
SESSIONS=${SESSIONS:-20}
SRC_TIMEOUT=${SRC_TIMEOUT:-300}       # seconds one smtp-source process may run
DELIVERY_WAIT=${DELIVERY_WAIT:-300}   # seconds to wait for the Maildirs after the load
REBALANCE=${REBALANCE:-12}            # seconds the delivery consumer group gets after a replica joins or leaves
# Kafka brokers: 1 (the default, light), or 3 and more for production's shape (topics at RF 3, min.insync.replicas 2)
KAFKA_BROKERS=${KAFKA_BROKERS:-1}
[[ $KAFKA_BROKERS =~ ^[1-9]$ ]] || { echo "KAFKA_BROKERS must be a number of brokers, 1 or 3" >&2; exit 2; }
SERVICES=(smtp-ingress verifier queue-worker lmtp-delivery)
# Service instances: the four services, then the second replicas. An instance runs in $RUN/<instance>.
INSTANCES=("${SERVICES[@]}" smtp-ingress-2 lmtp-delivery-2 queue-worker-2)
declare -A MODULE=([smtp-ingress]=smtp-ingress [verifier]=verifier [queue-worker]=queue-worker
                   [lmtp-delivery]=lmtp-delivery [smtp-ingress-2]=smtp-ingress [lmtp-delivery-2]=lmtp-delivery
                   [queue-worker-2]=queue-worker)
declare -A HTTP=()
declare -A EXTRA_ENV=()   # INSTANCE -> more NAME=VALUE words (space-separated) for its next start (tuning.sh)
LOAD_PIDS=()
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)   # read at the start: a commit made during a long run is not what it measures

log() { printf '[%s] %s: %s\n' "$(date +%H:%M:%S)" "$BENCH" "$*" >&2; }
now() { date +%s.%N; }
user() { printf 'user%04d\n' "$1"; }

# bench_ports BASE: every port is BASE + a fixed offset (the same offsets as faults.sh); Kafka node N listens on
# BASE+90+2N, its controller on the port above (see kafka_ports)
bench_ports() {
  local b=$1
  SMTP=$((b + 525)) SMTP2=$((b + 535)) LMTP=$((b + 424)) IMAP=$((b + 143)) KAFKA=$((b + 92)) KCTL=$((b + 93))
  REDIS=$((b + 379))
  HTTP=([smtp-ingress]=$((b + 80)) [verifier]=$((b + 81)) [queue-worker]=$((b + 82)) [lmtp-delivery]=$((b + 83))
        [smtp-ingress-2]=$((b + 84)) [lmtp-delivery-2]=$((b + 85)) [queue-worker-2]=$((b + 86)))
}

# --- Kafka: one broker, or a cluster of KAFKA_BROKERS KRaft nodes (dev/kafka.sh cluster) ---------------------------

# kafka_ports: the port of broker N (1..KAFKA_BROKERS) on line N; its controller listens on the port above (KCTL for
# the single broker)
kafka_ports() { local i; for ((i = 0; i < KAFKA_BROKERS; i++)); do echo $((KAFKA + 2 * i)); done; }
# kafka_dirs: the run directory of each broker, node N on line N
kafka_dirs() { local i; if [ "$KAFKA_BROKERS" = 1 ]; then echo "$RUN/kafka"; else for ((i = 1; i <= KAFKA_BROKERS; i++)); do echo "$RUN/kafka-$i"; done; fi; }
start_kafka() {
  local p pairs=()
  if [ "$KAFKA_BROKERS" = 1 ]; then "$DEV/kafka.sh" start "$RUN/kafka" "$KAFKA" "$KCTL"; return; fi
  for p in $(kafka_ports); do pairs+=("$p:$((p + 1))"); done
  "$DEV/kafka.sh" cluster "$RUN" "${pairs[@]}"
}
# start_kafka_node DIR: (re)start the broker of that run directory alone, into the running cluster
start_kafka_node() {
  local n p voters=""
  if [ "$KAFKA_BROKERS" = 1 ]; then "$DEV/kafka.sh" start "$1" "$KAFKA" "$KCTL"; return; fi
  for ((n = 1; n <= KAFKA_BROKERS; n++)); do voters+=${voters:+,}$n@127.0.0.1:$((KAFKA + 2 * (n - 1) + 1)); done
  n=${1##*/kafka-}; p=$((KAFKA + 2 * (n - 1)))
  "$DEV/kafka.sh" start "$1" "$p" $((p + 1)) "$n" "$voters"
}
# stop_kafka: every broker at once (a cluster's last nodes would otherwise wait for a quorum that is gone)
stop_kafka() {
  local d pids=()
  for d in $(kafka_dirs); do "$DEV/kafka.sh" stop "$d" & pids+=($!); done
  for d in "${pids[@]}"; do wait "$d" || true; done
}

# --- the stack ---------------------------------------------------------------------------------------------------

# service_env INSTANCE: its NAME=VALUE words, one a line (a value holds "[...]", so no word splitting by the caller):
# dev/service-env.sh's, with no connection count limit (the load comes from one address), then EXTRA_ENV
service_env() {
  local smtp=$SMTP; [ "$1" = smtp-ingress-2 ] && smtp=$SMTP2
  "$DEV/service-env.sh" --kafka "$(kafka_ports | paste -sd,)" --redis "$REDIS" --lmtp "$LMTP" --smtp "$smtp" --proxy $((smtp + 1)) \
    --verifier-http "${HTTP[verifier]}"
  echo MXGATE_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT=0
  # shellcheck disable=SC2086 # a list of words
  [ -z "${EXTRA_ENV[$1]:-}" ] || printf '%s\n' ${EXTRA_ENV[$1]}
}

start_instance() {
  local env; env=$(service_env "$1"); mapfile -t env <<<"$env"
  "$DEV/service.sh" start "${MODULE[$1]}" "$RUN/$1" "${HTTP[$1]}" "${env[@]}"
}

# instance_up INSTANCE: its PID file names a live process (service.sh removes the file when it stops it)
instance_up() { [ -s "$RUN/$1/${MODULE[$1]}.pid" ] && kill -0 "$(cat "$RUN/$1/${MODULE[$1]}.pid")" 2>/dev/null; }
# up_instances [MODULE]: the running instances (of MODULE)
up_instances() {
  local i
  for i in "${INSTANCES[@]}"; do
    [ -n "${1:-}" ] && [ "${MODULE[$i]}" != "$1" ] && continue
    if instance_up "$i"; then echo "$i"; fi
  done
}

start_stack() {
  local ingress=${1:-1} delivery=${2:-1} m users
  command -v smtp-source >/dev/null || "$DEV/install.sh" postfix
  rm -rf "$RUN"; mkdir -p "$OUT"   # a fresh queue, verify cache and mailboxes every run
  [ -f "$ROOT/smtp-ingress/target/quarkus-app/quarkus-run.jar" ] || (cd "$ROOT" && mvn -q -B -Dmaven.test.skip=true package)
  "$DEV/tls.sh" "$RUN/tls" >/dev/null
  start_kafka
  "$DEV/redis.sh" start "$RUN/redis" $REDIS
  "$DEV/dovecot.sh" start "$RUN/dovecot" $LMTP $IMAP
  mapfile -t users < <(for i in $(seq 1 1000); do user "$i"; done)
  "$DEV/dovecot.sh" users "$RUN/dovecot" "${users[@]}" >/dev/null
  for m in "${SERVICES[@]}"; do start_instance "$m"; done
  [ "$ingress" -lt 2 ] || start_replica smtp-ingress-2
  [ "$delivery" -lt 2 ] || start_replica lmtp-delivery-2
}

# A delivery or queue replica that joins or leaves moves partitions between the consumers: give the group time to
# settle.
start_replica() {
  start_instance "$1"
  if [ "${MODULE[$1]}" != smtp-ingress ]; then log "$1 up; ${REBALANCE}s for the consumer group"; sleep "$REBALANCE"; fi
}
stop_replica() {
  "$DEV/service.sh" stop "${MODULE[$1]}" "$RUN/$1"
  if [ "${MODULE[$1]}" != smtp-ingress ]; then log "$1 stopped; ${REBALANCE}s for the consumer group"; sleep "$REBALANCE"; fi
}

stop_stack() {
  local i
  load_stop
  for ((i = ${#INSTANCES[@]} - 1; i >= 0; i--)); do
    [ -d "$RUN/${INSTANCES[$i]}" ] || continue   # a replica that was never started
    "$DEV/service.sh" stop "${MODULE[${INSTANCES[$i]}]}" "$RUN/${INSTANCES[$i]}" || true
  done
  "$DEV/dovecot.sh" stop "$RUN/dovecot" || true
  "$DEV/redis.sh" stop "$RUN/redis" || true
  stop_kafka
}

# warm_rcpts ADDR...: one RCPT per address, so the measured window has no probes (the reference warms its cache the
# same way). Fails when one is not verified.
warm_rcpts() {
  python3 - "$SMTP" "$@" <<'PY'
import smtplib, sys
addrs = sys.argv[2:]
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=120); s.ehlo("warm.test")
bad = []
for i in range(0, len(addrs), 500):   # a new transaction every 500: smtpd_recipient_limit is 1000
    s.mail("warm@src.test")
    bad += [a for a in addrs[i:i + 500] if s.rcpt(a)[0] != 250]
    s.rset()
s.quit()
if bad: sys.exit("not verified: %d, e.g. %s" % (len(bad), bad[0]))
PY
}
warm_mxgate() { local a; mapfile -t a < <(for i in $(seq 1 1000); do echo "$(user "$i")@example.test"; done); warm_rcpts "${a[@]}"; }

# --- counters ----------------------------------------------------------------------------------------------------

# med: the median of the numbers on stdin, one a line (nan when there are none)
med() { sort -g | awk '{v[NR]=$1} END{ if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
# ratio A B: A/B to two places (nan when B is 0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "nan" }'; }
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }   # busy idle, all cores
busy() { echo "$1 $2" | awk '{b=$3-$1; i=$4-$2; printf "%.0f", ((b+i)>0 ? 100*b/(b+i) : 0)}'; }   # TICKS0 TICKS1: %
busy_ms() { echo "$1 $2" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($3-$1)*1000/hz}'; }   # CPU-ms, all cores

maildir_count() { # users... : files in new/ and cur/ of mxgate's Dovecot (one find: there may be thousands of users)
  local u d dirs=()
  for u in "$@"; do
    for d in new cur; do
      [ -d "$RUN/dovecot/mail/example.test/$u/Maildir/$d" ] && dirs+=("$RUN/dovecot/mail/example.test/$u/Maildir/$d")
    done
  done
  if [ ${#dirs[@]} -eq 0 ]; then echo 0; else find "${dirs[@]}" -type f | wc -l; fi
}

rss_of() { # pids... : total RSS in MiB
  local p t=0
  for p in "$@"; do [ -r /proc/$p/status ] && t=$((t + $(awk '/VmRSS/{print $2}' /proc/$p/status))); done
  echo $((t / 1024))
}
instance_pid() { cat "$RUN/$1/${MODULE[$1]}.pid"; }
mxgate_pids() {
  local i d
  for i in $(up_instances); do instance_pid "$i"; done
  for d in $(kafka_dirs); do cat "$d/kafka.pid"; done
  cat "$RUN/redis/redis.pid"
  [ ! -s "$RUN/dovecot/run/master.pid" ] || descendants "$(cat "$RUN/dovecot/run/master.pid")"
}
# descendants PID...: the PIDs and every process below them (Dovecot's and Postfix's workers)
descendants() {
  local p c
  for p; do
    echo "$p"
    for c in $(pgrep -P "$p" || true); do descendants "$c"; done
  done
}
# rss_by_name PID...: "name=MiB" per process name ("namexN" when N processes share it), largest first
rss_by_name() {
  local p
  for p; do [ -r "/proc/$p/status" ] && awk '/^Name:/{n=$2} /^VmRSS:/{r=$2} END{if (r) print n, r}' "/proc/$p/status"; done |
    awk '{s[$1]+=$2; c[$1]++} END{for (k in s) printf "%d %s%s=%d\n", s[k], k, (c[k]>1 ? "x" c[k] : ""), s[k]/1024}' |
    sort -rn | cut -d' ' -f2 | tr '\n' ' '
}

# log_sizes MODULE: "file size" for the log of each running instance of MODULE; log_since reads what came after
log_sizes() { local i; for i in $(up_instances "$1"); do echo "$RUN/$i/$1.log $(stat -c %s "$RUN/$i/$1.log")"; done; }
log_since() { local f o; while read -r f o; do [ -z "$f" ] || tail -c +$((o + 1)) "$f"; done <<<"$1"; }
# ingress_accepted SIZES: messages that got 250 since log_sizes smtp-ingress gave SIZES
ingress_accepted() { log_since "$1" | grep -c ' (queue active)$' || true; }

# --- load --------------------------------------------------------------------------------------------------------

# rep_users REP: the SESSIONS bulk users a rep sends to (a rep's mailboxes are fresh: 40 groups rotate)
rep_users() { local i; for i in $(seq $((($1 % 40) * SESSIONS + 1)) $((($1 % 40) * SESSIONS + SESSIONS))); do user "$i"; done; }
# rcpt_users RCPTS USER...: the local parts smtp-source -r RCPTS -t USER@... sends to: USER, then 2USER..RCPTSUSER
rcpt_users() { local k=$1 u j; shift; for u; do echo "$u"; for ((j = 2; j <= k; j++)); do echo "$j$u"; done; done; }

# load_start TAG PORTS SIZE RCPTS PER EXTRA USER...: one smtp-source process per user (-s 1, a new connection per
# message), PER messages each, the users spread round-robin over the PORTS; their PIDs in LOAD_PIDS
load_start() {
  local tag=$1 port_list i; read -r -a port_list <<<"$2"; local size=$3 k=$4 per=$5 extra=$6; shift 6
  local users=("$@")
  LOAD_PIDS=()
  for i in "${!users[@]}"; do
    # shellcheck disable=SC2086 # extra is a list of smtp-source flags
    timeout "$SRC_TIMEOUT" smtp-source -s 1 -m "$per" -l "$size" -r "$k" -M bench.src.test $extra -f "bench-m-$tag@src.test" \
      -t "${users[$i]}@example.test" "127.0.0.1:${port_list[$((i % ${#port_list[@]}))]}" 2>>"$OUT/src.err" & LOAD_PIDS+=($!)
  done
}
load_wait() { # sets LOAD_FAILS, how many smtp-source processes failed (not in $(...): a subshell cannot wait for them)
  local p
  LOAD_FAILS=0
  for p in "${LOAD_PIDS[@]}"; do wait "$p" || LOAD_FAILS=$((LOAD_FAILS + 1)); done
  LOAD_PIDS=()
}
load_stop() { local p; for p in "${LOAD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; LOAD_PIDS=(); }

# wait_delivered WANT BASE USER...: until the users' Maildirs hold WANT files more than BASE, DELIVERY_WAIT s at most;
# prints how many arrived
wait_delivered() {
  local want=$1 base=$2 n=0 end=$((SECONDS + DELIVERY_WAIT)); shift 2
  while :; do
    n=$(( $(maildir_count "$@") - base ))
    [ $n -ge "$want" ] || [ $SECONDS -ge $end ] && break
    sleep 0.1
  done
  echo $n
}

# run_m REP N PORTS SIZE RCPTS [EXTRA]: mxgate path, SESSIONS smtp-source processes to their own users (rep_users
# REP), N/SESSIONS messages each of SIZE bytes with RCPTS recipients, spread over the SMTP PORTS; waits for all
# copies in the Maildirs. Prints one line tagged M_TAG (default m), appended to REPLOG when set; sets M_N messages,
# M_FAILS, M_ACC_S and M_E2E_S (seconds to the last 250 and to the last copy), M_DELIVERED copies, M_CPU busy %,
# M_BUSY_MS CPU-ms, M_LAT.
run_m() {
  local rep=$1 n=$2 ports=$3 size=$4 k=$5 extra=${6:-} per users rcpts u t0 t1 t2 cpu0 cpu1 base offs
  per=$((n / SESSIONS)); n=$((per * SESSIONS))
  [ $per -ge 1 ] || { log "run_m: N=$2 is below SESSIONS=$SESSIONS"; return 1; }   # every session sends at least one
  [ $((rep % 40 * SESSIONS + SESSIONS)) -le 1000 ] || { log "run_m: rep $rep needs users above user1000"; return 1; }
  mapfile -t users < <(rep_users "$rep")
  mapfile -t rcpts < <(rcpt_users "$k" "${users[@]}")
  for u in "${rcpts[@]}"; do rm -rf "${RUN:?}/dovecot/mail/example.test/$u"; done
  sleep 1
  offs=$(log_sizes lmtp-delivery)
  base=$(maildir_count "${rcpts[@]}"); cpu0=$(cpu_ticks); t0=$(now)
  load_start "$rep" "$ports" "$size" "$k" "$per" "$extra" "${users[@]}"
  load_wait; M_FAILS=$LOAD_FAILS
  t1=$(now)
  M_DELIVERED=$(wait_delivered $((n * k)) "$base" "${rcpts[@]}")
  t2=$(now); cpu1=$(cpu_ticks)
  # shellcheck disable=SC2034 # the M_* results are for the caller
  M_N=$n M_ACC_S=$(echo "$t1 $t0" | awk '{print $1-$2}') M_E2E_S=$(echo "$t2 $t0" | awk '{print $1-$2}')
  # shellcheck disable=SC2034
  M_CPU=$(busy "$cpu0" "$cpu1") M_BUSY_MS=$(busy_ms "$cpu0" "$cpu1")
  M_LAT=$(log_since "$offs" | { grep -o 'delay=[0-9.]*' || true; } | cut -d= -f2 |
    sort -g | awk '{v[NR]=$1} END{ if (NR) printf "%.3f %.3f %.3f", v[int(NR*0.5)+1], v[int(NR*0.9)+1], v[int(NR*0.99)+1]; else print "- - -"}')
  awk -v t="${M_TAG:-m}" -v r="$rep" -v n="$n" -v a="$M_ACC_S" -v e="$M_E2E_S" -v d="$M_DELIVERED" -v f="$M_FAILS" \
      -v c="$M_CPU" -v l="$M_LAT" -v x="$extra" \
      'BEGIN{printf "%-5s rep=%d n=%d fails=%d accepted=%.3fs (%.1f msg/s) e2e=%.3fs delivered=%d (%.1f msg/s) cpu=%s%% delay p50/p90/p99=%s %s\n", t, r, n, f, a, n/a, e, d, d/e, c, l, x}' |
    tee -a "${REPLOG:-/dev/null}"
}
