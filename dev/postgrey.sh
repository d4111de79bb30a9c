#!/bin/bash
# postgrey.sh -- a private postgrey (greylisting policy server) on 127.0.0.1, for check_policy_service tests.
#
#   dev/postgrey.sh start <rundir> <port> [<delay-seconds>]   (default delay 300, as postgrey's)
#   dev/postgrey.sh stop|kill|status <rundir>
#
# <rundir> holds its database (dbdir), postgrey.pid and postgrey.log. Needs the Debian package postgrey
# (dev/install.sh postgrey); the system's postgrey service is never started or touched.
. "$(dirname "$0")/lib.sh"

PAT=postgrey
usage() { die "usage: $0 start <rundir> <port> [<delay>] | stop|kill|status <rundir>"; }

start() {
  local dir port=$2 delay=${3:-300}
  dir=$(abs_dir "$1")
  if running "$dir/postgrey.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  need_free_port "$port"
  command -v postgrey >/dev/null || die "postgrey is not installed (dev/install.sh postgrey)"
  mkdir -p "$dir/db"
  chown postgrey:postgrey "$dir/db"
  rm -f "$dir/postgrey.pid"
  # postgrey logs through syslog only; --verbose output on stderr goes to our log file
  setsid nohup postgrey --inet="127.0.0.1:$port" --dbdir="$dir/db" --delay="$delay" --user=postgrey \
    --group=postgrey --whitelist-clients=/dev/null --whitelist-recipients=/dev/null --verbose \
    </dev/null >>"$dir/postgrey.log" 2>&1 &
  echo $! >"$dir/postgrey.pid"
  wait_up 20 "$dir/postgrey.pid" "$PAT" port_listening "$port" ||
    { tail_logs "$dir/postgrey.log"; die "postgrey did not listen on 127.0.0.1:$port"; }
  log "postgrey up: pid $(pidfile_pid "$dir/postgrey.pid"), 127.0.0.1:$port, delay ${delay}s"
}

case ${1:-} in
  start)  [ $# -ge 3 ] && [ $# -le 4 ] || usage; start "$2" "$3" "${4:-}" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/postgrey.pid" "$PAT" 20 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/postgrey.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/postgrey.pid" "$PAT" ;;
  *) usage ;;
esac
