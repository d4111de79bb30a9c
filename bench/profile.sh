#!/bin/bash
# profile.sh -- where the CPU goes per message: every process of a running mxgate stack, and inside each service.
#
#   ./mxgate up && bench/profile.sh          N=5000 SIZE=10240 SESSIONS=20 SMTP=2525 RUN=/tmp/mxgate (knobs)
#
# Against a stack that already runs (by default the one `./mxgate up` started), sends N messages of SIZE bytes
# from SESSIONS smtp-source processes (one per bulk user, created in its Dovecot) while JFR samples the four
# services every millisecond (jcmd JFR.start, bench/sampling.jfc). Prints, per process (the services, Kafka, Redis, Dovecot and the
# generator), the CPU milliseconds spent per message, read from /proc/PID/stat; then, per service, the methods
# that were on CPU most often (self), and the share of samples under a few inclusive buckets (Kafka client,
# logging, Netty I/O, SMTP session, LMTP client, JSON/HTTP). The load is bounded; JFR files stay in $RUN/profile.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEV=$ROOT/dev
N=${N:-5000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; SMTP=${SMTP:-2525}; RUN=${RUN:-/tmp/mxgate}
SERVICES=(smtp-ingress verifier queue-worker lmtp-delivery)
OUT=$RUN/profile; mkdir -p "$OUT"
log() { printf '[%s] profile: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
for m in "${SERVICES[@]}"; do
  [ -r "$RUN/$m/$m.pid" ] && kill -0 "$(cat "$RUN/$m/$m.pid")" 2>/dev/null || { log "$m is not running under $RUN"; exit 1; }
done
command -v smtp-source >/dev/null || "$DEV/install.sh" postfix

mapfile -t USERS < <(for i in $(seq 1 "$SESSIONS"); do printf 'prof%04d\n' "$i"; done)
"$DEV/dovecot.sh" users "$RUN/dovecot" "${USERS[@]}" >/dev/null
sleep 1.1   # Dovecot rereads its passwd-file only when its mtime moved on
python3 - "$SMTP" "${USERS[@]}" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1])); s.ehlo("warm.test"); s.mail("warm@src.test")
bad = [u for u in sys.argv[2:] if s.rcpt(u + "@example.test")[0] != 250]
s.rset(); s.quit()
if bad: sys.exit("not verified: " + ", ".join(bad))
PY

# name=pid for every process of the stack and the generator's parent shell (smtp-source is counted via children)
declare -A PID=()
for m in "${SERVICES[@]}"; do PID[$m]=$(cat "$RUN/$m/$m.pid"); done
PID[kafka]=$(cat "$RUN/kafka/kafka.pid"); PID[redis]=$(cat "$RUN/redis/redis.pid")
dovecot_pids() { local m; m=$(cat "$RUN/dovecot/run/master.pid"); echo "$m" $(pgrep -P "$m"); }
ticks() { # pids... : utime+stime+cutime+cstime of all, in clock ticks
  local p t=0
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15+$16+$17}' "/proc/$p/stat"))); done
  echo $t
}
snapshot() { local k; for k in "${!PID[@]}"; do echo "$k $(ticks "${PID[$k]}")"; done; echo "dovecot $(ticks $(dovecot_pids))"; }

for m in "${SERVICES[@]}"; do jcmd "${PID[$m]}" JFR.start name=mxgate-profile settings="$ROOT/bench/sampling.jfc" >/dev/null; done
maildir_files() { for u in "${USERS[@]}"; do find "$RUN/dovecot/mail/example.test/$u/Maildir/new" "$RUN/dovecot/mail/example.test/$u/Maildir/cur" -type f 2>/dev/null || true; done | wc -l; }
base=$(maildir_files)
before=$(snapshot); t0=$(date +%s.%N)
per=$((N / SESSIONS)); gen0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
pids=()
for u in "${USERS[@]}"; do
  timeout 600 smtp-source -s 1 -m $per -l "$SIZE" -M bench.src.test -f profile@src.test -t "$u@example.test" \
    127.0.0.1:"$SMTP" 2>>"$OUT/src.err" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
t1=$(date +%s.%N)
# wait for delivery too: the delivery side's CPU belongs to the same messages
want=$((per * SESSIONS)); got=0
for i in $(seq 1 1200); do
  got=$(( $(maildir_files) - base ))
  [ "$got" -ge "$want" ] && break; sleep 0.25
done
t2=$(date +%s.%N); after=$(snapshot)
gen1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
for m in "${SERVICES[@]}"; do
  jcmd "${PID[$m]}" JFR.stop name=mxgate-profile filename="$OUT/$m.jfr" >/dev/null
done

HZ=$(getconf CLK_TCK)
echo "profile: $want messages of $SIZE bytes, $SESSIONS sessions; accepted in $(echo "$t1 $t0" | awk '{printf "%.1f", $1-$2}') s, all $got delivered after $(echo "$t2 $t0" | awk '{printf "%.1f", $1-$2}') s"
echo
echo "| process | CPU ms per message |"
echo "|---|---|"
{ echo "$before" | sed 's/^/b /'; echo "$after" | sed 's/^/a /'; echo "a generator $((gen1 - gen0))"; echo "b generator 0"; } |
  awk -v hz="$HZ" -v n="$want" '$1=="b"{b[$2]=$3} $1=="a"{a[$2]=$3}
    END{for (k in a) {ms=(a[k]-b[k])*1000/hz/n; tot+=ms; printf "| %s | %.2f |\n", k, ms}; printf "| all | %.2f |\n", tot}' | sort -t'|' -k3 -gr
echo
for m in "${SERVICES[@]}"; do
  echo "### $m"
  jfr print --json --events jdk.ExecutionSample --stack-depth 64 "$OUT/$m.jfr" | python3 "$ROOT/bench/jfr-top.py"
  echo
done
