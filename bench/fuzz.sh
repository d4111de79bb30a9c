#!/bin/bash
# fuzz.sh -- coverage-guided fuzzing of the wire parsers with Jazzer (core/src/test/java/io/mxgate/core/fuzz).
#
#   bench/fuzz.sh [-t DURATION | -n RUNS] [TARGET...]
#
#   -t DURATION   fuzz each target this long (Jazzer duration: 30s, 10m, 1h; default 2m)
#   -n RUNS       fuzz each target for this many executions instead (then -t, if given, is only a cap)
#   TARGET        command-parser input-decoder reply-parser address envelope-codec header-section milter-reply
#                 (default: all),
#                 or any Class#method of a @FuzzTest under io.mxgate.core.fuzz
#
# Compiles core once, then runs one target after the other, each in its own `mvn -pl core surefire:test` with
# JAZZER_FUZZ=1 (never two fuzzing JVMs at a time). Limits that turn a hang or an unbounded allocation into a finding:
#   FUZZ_XMX      heap of the fuzzing JVM (default 512m): an OutOfMemoryError is a finding
#   FUZZ_RSS_MB   libFuzzer -rss_limit_mb (default 2048): the whole process growing past it is a finding
#   FUZZ_TIMEOUT  libFuzzer -timeout in seconds (default 10): one input running longer is a finding (hang)
#   FUZZ_VALUE_PROFILE  libFuzzer -use_value_profile (default true): guidance from how close compared values
#                 are, which is what gets the fuzzer past byte comparisons with magic values
#   FUZZ_MVN_ARGS extra Maven arguments, e.g. -o
#   FUZZ_WORK     work directory (default /tmp/mxgate-fuzz): a copy of the compiled classes the runs use (so a build
#                 at the same time in this tree cannot pull them away), corpus/<Class>/<method> with the inputs the
#                 fuzzer found interesting (kept between runs, not checked in) and logs/<target>.log
# The checked-in seeds in core/src/test/resources/io/mxgate/core/fuzz/<Class>Inputs/<method> are read, never
# written, except that Jazzer writes a finding there as crash-*, timeout-* or oom-*: there it becomes a regression
# test of plain `mvn test`; report it, fix the code, keep the file.
# Prints per target the executions and the verdict; exits 1 on a finding.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION='' RUNS=
while getopts "t:n:h" opt; do
  case $opt in
    t) DURATION=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    *) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ -z "$DURATION" ] && { [ -n "$RUNS" ] && DURATION=2h || DURATION=2m; }
XMX=${FUZZ_XMX:-512m}; RSS_MB=${FUZZ_RSS_MB:-2048}; TIMEOUT=${FUZZ_TIMEOUT:-10}; VALUE_PROFILE=${FUZZ_VALUE_PROFILE:-true}

# name -> Class#method max_len
declare -A TARGET=(
  [command-parser]="CommandParserFuzzTest#parse 4096"
  [input-decoder]="InputDecoderFuzzTest#session 8192"
  [reply-parser]="ReplyParserFuzzTest#accept 4096"
  [address]="AddressFuzzTest#paths 1024"
  [envelope-codec]="EnvelopeCodecFuzzTest#decode 4096"
  [header-section]="HeaderSectionFuzzTest#limit 8192"
  [milter-reply]="MilterReplyFuzzTest#decode 8192"
)
ORDER=(command-parser input-decoder reply-parser address envelope-codec header-section milter-reply)
[ $# -eq 0 ] && set -- "${ORDER[@]}"

log() { printf '[%s] fuzz: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

CORE=$ROOT/core
RES=$CORE/src/test/resources/io/mxgate/core/fuzz
WORK=${FUZZ_WORK:-/tmp/mxgate-fuzz}
LOGS=$WORK/logs
mkdir -p "$LOGS" "$WORK/corpus"

log "compiling core and its tests"
for attempt in 1 2 3; do # a build running at the same time in this tree can make one attempt fail
  # shellcheck disable=SC2086 # FUZZ_MVN_ARGS are words
  (cd "$ROOT" && mvn -q -B ${FUZZ_MVN_ARGS:-} -pl core test-compile) && break
  [ $attempt = 3 ] && { log "build failed"; exit 2; }
  log "build failed, trying again"; sleep 10
done
rm -rf "$WORK/classes" "$WORK/test-classes"
if ! cp -a "$CORE/target/classes" "$WORK/classes" || ! cp -a "$CORE/target/test-classes" "$WORK/test-classes" \
    || [ ! -f "$WORK/test-classes/io/mxgate/core/fuzz/FuzzSupport.class" ]; then
  log "could not copy the compiled classes"; exit 2
fi

findings_in() { # the finding files under an inputs directory
  find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \
    -o -name 'slow-unit-*' \) 2>/dev/null | sort
}

declare -a REPORT=()
TOTAL=0 FOUND=0
for name in "$@"; do
  spec=${TARGET[$name]:-"$name 4096"}
  test=${spec% *}; maxlen=${spec##* }
  class=${test%#*}; method=${test#*#}
  if [ ! -f "$CORE/src/test/java/io/mxgate/core/fuzz/$class.java" ]; then
    log "no fuzz test $class in core/src/test/java/io/mxgate/core/fuzz"; exit 2
  fi
  inputs=$RES/${class}Inputs/$method
  corpus=$WORK/corpus/$class/$method
  mkdir -p "$corpus" "$inputs"
  before=$(findings_in "$inputs")
  logfile=$LOGS/$name.log
  limit="-Djazzer.max_duration=$DURATION"
  [ -n "$RUNS" ] && limit="$limit -Djazzer.max_executions=$RUNS"
  log "$name ($class#$method): ${RUNS:+$RUNS runs, at most }$DURATION; -Xmx$XMX -rss_limit_mb=$RSS_MB -timeout=$TIMEOUT -max_len=$maxlen; log $logfile"
  start=$(date +%s)
  # jazzer.internal.arg.N are Jazzer's libFuzzer arguments (argv[0], the corpus to grow, then flags, which
  # override Jazzer's own defaults such as -rss_limit_mb=0).
  # shellcheck disable=SC2086 # $limit and FUZZ_MVN_ARGS are words on purpose
  (cd "$ROOT" && JAZZER_FUZZ=1 mvn -B ${FUZZ_MVN_ARGS:-} -pl core surefire:test -Dtest="$test" \
      -Dsurefire.failIfNoSpecifiedTests=false \
      -Dfuzz.classesDirectory="$WORK/classes" -Dfuzz.testClassesDirectory="$WORK/test-classes" \
      -DtrimStackTrace=false -DargLine="-Xmx$XMX -XX:+UseSerialGC -XX:-OmitStackTraceInFastThrow" $limit \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="$corpus" \
      -Djazzer.internal.arg.2=-timeout="$TIMEOUT" -Djazzer.internal.arg.3=-rss_limit_mb="$RSS_MB" \
      -Djazzer.internal.arg.4=-max_len="$maxlen" -Djazzer.internal.arg.5=-print_final_stats=1 \
      -Djazzer.valueprofile="$VALUE_PROFILE") >"$logfile" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  # executions: libFuzzer's final "Done N runs", else its final stats, else its last status line
  runs=$(grep -aoE '^Done [0-9]+ runs' "$logfile" | tail -1 | awk '{print $2}')
  [ -z "$runs" ] && runs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$logfile" | tail -1 | grep -oE '[0-9]+$')
  [ -z "$runs" ] && runs=$(grep -aoE '^#[0-9]+' "$logfile" | tail -1 | tr -d '#')
  runs=${runs:-0}
  TOTAL=$((TOTAL + runs))
  new=$(comm -13 <(echo "$before") <(findings_in "$inputs") | sed '/^$/d')
  if [ -n "$new" ] || grep -aqE 'FuzzTestFindingException|ERROR: libFuzzer' "$logfile"; then
    verdict="FOUND: $(echo "$new" | sed "s|^$ROOT/||" | paste -sd' ' -)"
    grep -aE -m3 'FuzzTestFindingException|ERROR: libFuzzer|Caused by' "$logfile" | sed 's/^/    /' >&2
    FOUND=1
  elif [ $rc -ne 0 ]; then
    verdict="ERROR (mvn exit $rc, no finding file; see $logfile)"
    FOUND=1
  else
    verdict="nothing found"
  fi
  corp=$(find "$corpus" -type f | wc -l)
  REPORT+=("$(printf '%-16s %-36s %12s executions %6ss  corpus %5s  %s' "$name" "$class#$method" "$runs" "$secs" "$corp" "$verdict")")
  log "$name: $runs executions in ${secs}s, $verdict"
done

echo
echo "fuzz results (Jazzer $(sed -n 's:.*<jazzer.version>\(.*\)</jazzer.version>.*:\1:p' "$CORE/pom.xml"), -Xmx$XMX, -rss_limit_mb=$RSS_MB, -timeout=${TIMEOUT}s)"
for line in "${REPORT[@]}"; do echo "  $line"; done
echo "  total executions: $TOTAL"
exit $FOUND
