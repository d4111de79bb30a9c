#!/bin/bash
# service.sh -- one mxgate service (a Quarkus fast-jar built by Maven) as a background process.
#
#   dev/service.sh start <module> <rundir> <http-port> [NAME=VALUE...]
#   dev/service.sh stop|kill|status <module> <rundir>
#
# <module> is smtp-ingress, verifier, queue-worker or lmtp-delivery; its jar is
# <module>/target/quarkus-app/quarkus-run.jar.  NAME=VALUE pairs become the process environment
# (MXGATE_* configuration, see docs/configuration.md).  <rundir> holds <module>.log and <module>.pid.
# start waits until /q/health/ready on 127.0.0.1:<http-port> answers UP (60 s at most).
# Env: MXGATE_JAVA_OPTS (default: serial GC, 256 MiB heap at most).
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA_OPTS=${MXGATE_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx256m -XX:+ExitOnOutOfMemoryError}

usage() { die "usage: $0 start <module> <rundir> <http-port> [NAME=VALUE...] | stop|kill|status <module> <rundir>"; }

ready() { curl -fsS -m 2 "http://127.0.0.1:$1/q/health/ready" >/dev/null 2>&1; }

start() {
  local module=$1 dir jar pidfile; dir=$(abs_dir "$2"); local port=$3; shift 3
  jar=$ROOT/$module/target/quarkus-app/quarkus-run.jar
  pidfile=$dir/$module.pid
  [ -f "$jar" ] || die "$jar is not built (mvn -DskipTests install)"
  if running "$pidfile" "$jar"; then log "$module already running (pid $(pidfile_pid "$pidfile"))"; return 0; fi
  need_free_port "$port"
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  env "$@" QUARKUS_HTTP_PORT="$port" setsid nohup java $JAVA_OPTS -jar "$jar" \
    </dev/null >>"$dir/$module.log" 2>&1 &
  echo $! >"$pidfile"
  if ! wait_up 60 "$pidfile" "$jar" ready "$port"; then
    [ -s "$dir/$module.log" ] || log "$dir/$module.log is empty"
    tail_logs "$dir/$module.log"
    stop_pid "$pidfile" "$jar" 10
    die "$module did not become ready (log: $dir/$module.log)"
  fi
  log "$module up: pid $(pidfile_pid "$pidfile"), health http://127.0.0.1:$port/q/health"
}

[ $# -ge 3 ] || usage
case $1 in
  start)  [ $# -ge 4 ] || usage; shift; start "$@" ;;
  stop)   stop_pid "$3/$2.pid" "$ROOT/$2/target/quarkus-app/quarkus-run.jar" 30 ;;
  kill)   kill_pid "$3/$2.pid" "$ROOT/$2/target/quarkus-app/quarkus-run.jar" ;;
  status) status "$3/$2.pid" "$ROOT/$2/target/quarkus-app/quarkus-run.jar" ;;
  *) usage ;;
esac
