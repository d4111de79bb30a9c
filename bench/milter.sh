#!/bin/bash
# milter.sh -- accepted msg/s with rspamd as the one smtpd_milter: mxgate against the reference Postfix with the same
# rspamd, interleaved on this box, same generator (compare.sh's path m and the reference's path b).
#
#   bench/milter.sh                  REPS=3 N=2000 SIZE=10240 SESSIONS=20 WARM=4000 (environment)
#
# One private rspamd (dev/rspamd.sh, milter on 127.0.0.1:17332) serves both sides. mxgate runs one broker, as
# `./mxgate up`, in /tmp/mxgate-milter on ports 17000+ (SMTP 17525) with MXGATE_SMTPD_MILTERS pointing at it; the
# reference Postfix gets REF_POSTCONF='smtpd_milters = inet:127.0.0.1:17332'; a reference that is already running
# (someone else's) is left alone and the script stops. Everything it started is stopped on exit. After WARM unmeasured messages for mxgate's JIT, each rep runs the reference's path b, then mxgate's.
# Every message passes rspamd once (no GTUBE: all are accepted). Prints the per-rep lines and the medians with their
# ratio, and appends them to bench/RESULTS.md with the date, the box and the git commit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${REF:-$ROOT/../shared/reference-postfix}
N=${N:-2000}; SIZE=${SIZE:-10240}; SESSIONS=${SESSIONS:-20}; REPS=${REPS:-3}; WARM=${WARM:-4000}
RSPAMD_PORT=${RSPAMD_PORT:-17332}
BENCH=milter RUN=${MXGATE_MILTER_BENCH_DIR:-/tmp/mxgate-milter}
. "$ROOT/bench/lib.sh"
bench_ports 17000
EXTRA_ENV[smtp-ingress]=MXGATE_SMTPD_MILTERS=inet:127.0.0.1:$RSPAMD_PORT
REFOUT=$RUN-ref; mkdir -p "$REFOUT"
REPLOG=$REFOUT/reps.$$; : >"$REPLOG"

stop_all() {
  stop_stack || true
  "$REF/postfix-down.sh" >/dev/null 2>&1 || true
  "$REF/dovecot-down.sh" >/dev/null 2>&1 || true
  "$DEV/rspamd.sh" stop "$RUN-rspamd" >/dev/null 2>&1 || true
}
trap stop_all EXIT

(. "$REF/common.sh"; ! postfix_running && ! dovecot_running) || { log "the reference Postfix or Dovecot runs: in use"; exit 2; }
"$DEV/install.sh" rspamd postfix
"$DEV/rspamd.sh" start "$RUN-rspamd" "$RSPAMD_PORT"
"$REF/dovecot-up.sh" --fresh
REF_POSTCONF="smtpd_milters = inet:127.0.0.1:$RSPAMD_PORT" "$REF/postfix-up.sh" --fresh
start_stack
warm_mxgate
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq 1 $(((WARM + N - 1) / N))); do run_m 0 "$N" "$SMTP" "$SIZE" 1 >/dev/null; done
for rep in $(seq 1 "$REPS"); do
  REPS=1 N=$N SIZE=$SIZE SESSIONS=$SESSIONS RESULTS=$REFOUT/reference-results.md "$REF/throughput.sh" b \
    2>>"$REFOUT/ref.err" | grep -m1 -E "^b +rep=" | tee -a "$REPLOG"
  M_TAG=m run_m "$rep" "$N" "$SMTP" "$SIZE" 1
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

reps() { grep -E "^$1 +rep=" "$REPLOG"; }
acc() { reps "$1" | sed -E 's/.*accepted=[0-9.]+s \(([0-9.]+) msg\/s\).*/\1/' | med; }
M=$(acc m) B=$(acc b)
{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') milter.sh -- commit $COMMIT, $(nproc) cores, N=$N SIZE=$SIZE SESSIONS=$SESSIONS REPS=$REPS, rspamd $(rspamd --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1) as smtpd_milters on both sides"
  echo
  echo "Load average $LOAD0 before, $LOAD1 after."
  echo
  echo "| figure | mxgate, 1 broker | reference Postfix | ratio (goal >= 1) |"
  echo "|---|---|---|---|"
  echo "| accepted msg/s with rspamd (median of reps) | $M | $B | $(ratio "$M" "$B") |"
  echo
  echo "Per-rep lines (b: reference Postfix, m: mxgate):"
  echo '```'
  cat "$REPLOG"
  echo '```'
} | tee -a "$ROOT/bench/RESULTS.md"
