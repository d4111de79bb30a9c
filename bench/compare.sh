#!/bin/bash
# compare.sh -- mxgate against the reference Postfix + Dovecot, interleaved on this box, same generator.
#
#   bench/compare.sh                 REPS=3 N=5000 SIZE=10240 SESSIONS=20 WARM=10000 TOPOLOGIES="1 3" (environment)
#
# Per rep, in turn: the reference's path b (smtp-source -> Postfix -> LMTP -> Dovecot) and d (smtp-source -L ->
# Dovecot LMTP: the backend ceiling), both through ../shared/reference-postfix/throughput.sh, then mxgate's path m
# (smtp-source -> smtp-ingress -> Kafka acks=all -> lmtp-delivery -> LMTP -> its own Dovecot) once per Kafka
# topology, same shape: SESSIONS smtp-source processes, one per bulk user, N/SESSIONS messages each, a new connection
# per message. Then both sides at light load (SESSIONS x 1 msg/s), RCPT latency on a verify-cache hit and on a cold
# miss (20 new mailboxes on each side), and the RSS of every process of each side. Each rep also runs the
# reference's path a (smtp-source -> smtp-sink), the generator's own ceiling.
# TOPOLOGIES: the Kafka shapes mxgate runs on, each a stack of its own, all up for the whole run: 1 (one broker,
# topics at RF 1) and 3 (three KRaft nodes, RF 3 and min.insync.replicas 2: what production promises, and what a
# Postfix that fsyncs every queue file is fairly compared with). Their path m lines are tagged m1 and m3.
# mxgate runs as `./mxgate up` does, but in its own run directories and ports (/tmp/mxgate-bench, 26525 SMTP, for one
# broker; /tmp/mxgate-bench-3, every port 200 up, for three), so a running `./mxgate up` stack is not disturbed.
# Everything listens on 127.0.0.1; every load is bounded.
# Before the first rep mxgate gets WARM unmeasured messages on each topology: its JVMs spend the first thousands of
# messages compiling their hot paths (C2), and a long-running gateway is measured in its steady state, as Postfix
# (no JIT) always is.
# Prints one table and appends it to bench/RESULTS.md with the date, the box, the load average and the git commit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${REF:-$ROOT/../shared/reference-postfix}
N=${N:-5000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; REPS=${REPS:-3}
read -r -a TOPOLOGIES <<<"${TOPOLOGIES:-1 3}"
BASE=${MXGATE_BENCH_DIR:-/tmp/mxgate-bench}
BENCH=compare RUN=$BASE
. "$ROOT/bench/lib.sh"
for t in "${TOPOLOGIES[@]}"; do [[ $t =~ ^[1-9]$ ]] || { log "TOPOLOGIES: numbers of brokers, e.g. \"1 3\""; exit 2; }; done

# topology T: lib.sh's stack is now the one on T Kafka brokers (its run directory, ports and KAFKA_BROKERS)
topology() {
  local o=$((($1 - 1) * 100))
  KAFKA_BROKERS=$1 RUN=$BASE OUT=$BASE/out M_TAG=m$1
  [ "$1" = 1 ] || RUN=$BASE-$1 OUT=$BASE-$1/out
  SMTP=$((26525 + o)) SMTP2=$((26535 + o)) LMTP=$((24440 + o)) IMAP=$((24443 + o)) KAFKA=$((29092 + o))
  KCTL=$((29093 + o)) REDIS=$((26379 + o))
  HTTP=([smtp-ingress]=$((28080 + o)) [verifier]=$((28081 + o)) [queue-worker]=$((28082 + o))
        [lmtp-delivery]=$((28083 + o)) [smtp-ingress-2]=$((28084 + o)) [lmtp-delivery-2]=$((28085 + o))
        [queue-worker-2]=$((28086 + o)))
}
REFOUT=$BASE-ref; mkdir -p "$REFOUT"   # the reference's files (throughput.sh's results and errors)

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

REPLOG=$REFOUT/reps.$$; : >"$REPLOG"   # run_m and run_ref append their per-rep lines here

# run_ref PATH: one rep of the reference's throughput.sh, its per-rep line
run_ref() {
  REPS=1 N=$N SIZE=$SIZE SESSIONS=$SESSIONS RESULTS=$REFOUT/reference-results.md "$REF/throughput.sh" "$1" 2>>"$REFOUT/ref.err" |
    grep -m1 -E "^$1 +rep=" | tee -a "$REPLOG"
}

command -v smtp-source >/dev/null || "$DEV/install.sh" postfix
# The reference stays up for the whole comparison (throughput.sh would otherwise start and stop it on every call).
REF_STARTED=() STARTED=()
stop_all() {
  local i t
  for t in "${STARTED[@]}"; do topology "$t"; stop_stack; done
  for ((i = ${#REF_STARTED[@]} - 1; i >= 0; i--)); do "$REF/${REF_STARTED[$i]}-down.sh" >/dev/null 2>&1 || true; done
}
trap stop_all EXIT
(. "$REF/common.sh"; dovecot_running) || { "$REF/dovecot-up.sh" --fresh; REF_STARTED+=(dovecot); }
(. "$REF/common.sh"; postfix_running) || { "$REF/postfix-up.sh" --fresh; REF_STARTED+=(postfix); }
(. "$REF/common.sh"; sink_running relay && sink_running lmtp) || { "$REF/sink-up.sh" all; REF_STARTED+=(sink); }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
WARM=${WARM:-10000}
for t in "${TOPOLOGIES[@]}"; do
  topology "$t"; STARTED+=("$t"); start_stack
  warm_mxgate
  log "JIT and Kafka warm-up, $t broker(s): $WARM unmeasured mxgate messages"
  for _ in $(seq 1 $(((WARM + N - 1) / N))); do run_m 0 "$N" "$SMTP" "$SIZE" 1 >/dev/null; done
done
: >"$REPLOG"
for rep in $(seq 1 "$REPS"); do
  run_ref a; run_ref b; run_ref d
  for t in "${TOPOLOGIES[@]}"; do topology "$t"; run_m "$rep" "$N" "$SMTP" "$SIZE" 1; done
done
run_ref light
for t in "${TOPOLOGIES[@]}"; do topology "$t"; run_m 99 $((SESSIONS * 10)) "$SMTP" "$SIZE" 1 "-w 1"; done
mapfile -t HOT < <(for i in $(seq 1 20); do echo "$(user "$i")@example.test"; done)   # warmed on both sides
declare -A HIT_M COLD_M RSS_IDLE RSS_M RSS_NAMES
for t in "${TOPOLOGIES[@]}"; do
  topology "$t"; HIT_M[$t]=$(rcpt_latency "$SMTP" "${HOT[@]}")
  mapfile -t COLD < <(cold_addresses m "m$$x$t"); COLD_M[$t]=$(rcpt_latency "$SMTP" "${COLD[@]}")
done
HIT_B=$(rcpt_latency 25250 "${HOT[@]}")
mapfile -t COLD < <(cold_addresses b "b$$"); COLD_B=$(rcpt_latency 25250 "${COLD[@]}")
sleep 5
for t in "${TOPOLOGIES[@]}"; do
  topology "$t"
  RSS_IDLE[$t]=$(for m in "${SERVICES[@]}"; do printf '%s=%sMiB ' "$m" "$(rss_of "$(instance_pid "$m")")"; done)
  mapfile -t M_PIDS < <(mxgate_pids)
  RSS_M[$t]=$(rss_of "${M_PIDS[@]}"); RSS_NAMES[$t]=$(rss_by_name "${M_PIDS[@]}")
done
# shellcheck disable=SC2046 # a PID, or nothing when that part does not run
mapfile -t REF_PIDS < <(. "$REF/common.sh"; descendants $(postfix_pid) $(dovecot_pid) $(sink_pid relay) $(sink_pid lmtp))
RSS_REF=$(rss_of "${REF_PIDS[@]}")
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# measured reps only (rep 0 is the warm-up, rep 99 the light load)
reps() { grep -E "^$1 +rep=" "$REPLOG" | grep -v -E 'rep=(0|99) ' || true; }
acc() { reps "$1" | sed -E 's/.*accepted=[0-9.]+s \(([0-9.]+) msg\/s\).*/\1/' | med; }
e2e() { reps "$1" | sed -E 's/.*e2e=[0-9.]+s delivered=[0-9]+ \(([0-9.]+) msg\/s\).*/\1/' | med; }
field() { reps "$1" | sed -E "s/.*$2.*/\\1/" | med; }   # field PATH REGEX-WITH-ONE-GROUP: its median over reps
# c_lat T, c_light T: mxgate's saturation delays (median of reps) and light-load delays on T brokers
c_lat() { echo "$(field "m$1" 'p50\/p90\/p99=([0-9.]+) ') / $(field "m$1" 'p50\/p90\/p99=[0-9.]+ ([0-9.]+) ') / $(field "m$1" 'p50\/p90\/p99=[0-9.]+ [0-9.]+ ([0-9.]+)')"; }
c_light() { grep -E "^m$1 +rep=99 " "$REPLOG" | sed -E 's/.*delay p50\/p90\/p99=([0-9.]+) ([0-9.]+) ([0-9.]+).*/\1 \/ \2 \/ \3/'; }
B_ACC=$(acc b); B_E2E=$(e2e b); D=$(e2e d); A=$(e2e a)
B_CPU=$(field b 'cpu=([0-9]+)%')
B_LAT="$(field b 'lat_med=([0-9.]+) ') / $(field b 'lat_p90=([0-9.]+) ') / $(field b 'lat_p99=([0-9.]+) ')"
L_LINE=$(grep -E '^light +rep=' "$REPLOG" | head -n 1)
B_LIGHT="$(echo "$L_LINE" | sed -E 's/.*lat_med=([0-9.]+) lat_p90=([0-9.]+) lat_p99=([0-9.]+).*/\1 \/ \2 \/ \3/')"
ms() { echo "$1" | awk '{print $1" / "$2 ($3 > 0 ? " (" $3 " not 250)" : "")}'; }
# row LABEL REFERENCE NOTE CMD: a table row, CMD T giving the mxgate cell of topology T
row() {
  local label=$1 refcell=$2 note=$3 t line; shift 3
  line="| $label |"; for t in "${TOPOLOGIES[@]}"; do line+=" $("$@" "$t") |"; done
  echo "$line $refcell | $note |"
}
ratios() { local t r=(); for t in "${TOPOLOGIES[@]}"; do r+=("$("$@" "$t")"); done; (IFS=/; echo "${r[*]}" | sed 's:/: / :g'); }
c_acc() { acc "m$1"; }; c_e2e() { e2e "m$1"; }; c_cpu() { field "m$1" 'cpu=([0-9]+)%'; }
r_acc() { ratio "$(acc "m$1")" "$B_ACC"; }; r_e2e() { ratio "$(e2e "m$1")" "$B_E2E"; }; c_ceil() { ratio "$(e2e "m$1")" "$D"; }
c_hit() { ms "${HIT_M[$1]}"; }; c_cold() { ms "${COLD_M[$1]}"; }; c_none() { :; }
c_rss() { echo "${RSS_M[$1]}"; }; c_names() { echo "${RSS_NAMES[$1]}"; }; c_idle() { echo "${RSS_IDLE[$1]}"; }
TOPS=$(for t in "${TOPOLOGIES[@]}"; do printf '%s / ' "$t"; done); TOPS=${TOPS% / }
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SIZE=$SIZE SESSIONS=$SESSIONS REPS=$REPS TOPOLOGIES=\"${TOPOLOGIES[*]}\""
  echo
  echo "Kafka brokers per mxgate column; every mxgate stack stays up (idle while another is measured) for the whole run."
  echo "Load average $LOAD0 before, $LOAD1 after."
  echo
  echo "| figure |$(for t in "${TOPOLOGIES[@]}"; do printf ' mxgate, %s broker(s) |' "$t"; done) reference Postfix | ratio, mxgate on $TOPS broker(s) |"
  echo "|---|$(for _ in "${TOPOLOGIES[@]}"; do printf -- '---|'; done)---|---|"
  row "accepted msg/s (median of reps)" "$B_ACC" "$(ratios r_acc) (target >= 1.5 on 3 brokers)" c_acc
  row "end-to-end msg/s to Maildir" "$B_E2E" "$(ratios r_e2e)" c_e2e
  row "end-to-end / Dovecot LMTP ceiling ($D msg/s)" "$(ratio "$B_E2E" "$D")" "(target >= 0.85 on 3 brokers)" c_ceil
  row "saturation MAIL->Maildir delay p50/p90/p99 (s), median of reps" "$B_LAT" "" c_lat
  row "CPU busy % of the box while saturated, median" "$B_CPU" "" c_cpu
  row "light load MAIL->Maildir delay p50/p90/p99 (s)" "$B_LIGHT" "(target: p50 <= the reference's)" c_light
  row "RCPT latency, verify-cache hit, p50 / max of 20 (ms)" "$(ms "$HIT_B")" "" c_hit
  row "RCPT latency, cold miss (probe), p50 / max of 20 (ms)" "$(ms "$COLD_B")" "(target p50 <= 100)" c_cold
  row "generator ceiling smtp-source -> smtp-sink, msg/s (path a, median)" "$A" "" c_none
  row "RSS of the whole side, MiB" "$RSS_REF" "" c_rss
  row "RSS by process name, MiB (java: the services and the Kafka brokers)" "$(rss_by_name "${REF_PIDS[@]}")" "" c_names
  row "RSS per service idle" "" "(target <= 256 each)" c_idle
  echo
  echo "Per-rep lines (reference lines from throughput.sh; mN = mxgate on N brokers):"
  echo '```'; cat "$REPLOG"; echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
for t in "${TOPOLOGIES[@]}"; do
  topology "$t"; [ ! -s "$OUT/src.err" ] || { log "smtp-source errors, $t broker(s):"; sort "$OUT/src.err" | uniq -c | head; }
done
rm -f "$REPLOG"
