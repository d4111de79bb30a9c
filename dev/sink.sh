#!/bin/bash
# sink.sh -- Postfix's smtp-sink as a private SMTP (or LMTP) peer for tests: it accepts every transaction and
# writes each message, with X-Mail-Args / X-Rcpt-Args lines in front, to a file of its own under <dumpdir>.
#
#   dev/sink.sh start <rundir> <address:port> <dumpdir> [smtp-sink option...]    (IPv6: [::1]:port)
#   dev/sink.sh stop|kill|status <rundir>
#
# <rundir> holds sink.pid and sink.log. Extra options go to smtp-sink as they are (e.g. -r RCPT for 4xx to every
# RCPT, -f DATA for 5xx to DATA, -L for LMTP; see man smtp-sink). Needs smtp-sink from the Debian package
# postfix (dev/install.sh postfix; its policy-rc.d keeps the system Postfix from starting).
. "$(dirname "$0")/lib.sh"

PAT=smtp-sink
usage() { die "usage: $0 start <rundir> <address:port> <dumpdir> [smtp-sink option...] | stop|kill|status <rundir>"; }

start() {
  local dir listen=$2 dump port family=-4; dir=$(abs_dir "$1"); dump=$(abs_dir "$3"); shift 3
  port=${listen##*:}
  [[ $listen != \[* ]] || family=-6
  if running "$dir/sink.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  command -v smtp-sink >/dev/null || [ -x /usr/sbin/smtp-sink ] || die "smtp-sink is not installed (dev/install.sh postfix)"
  rm -f "$dir/sink.pid"
  # -u: smtp-sink refuses to run as root without a user to switch to; %Y%m%d%H/%M. plus a random suffix per file
  setsid nohup "$(command -v smtp-sink || echo /usr/sbin/smtp-sink)" -u "$(id -un)" "$family" \
    -d "$dump/%Y%m%d%H/%M." "$@" "$listen" 100 </dev/null >>"$dir/sink.log" 2>&1 &
  echo $! >"$dir/sink.pid"
  sleep 0.1  # let setsid and nohup exec into smtp-sink before its command line is checked
  wait_up 10 "$dir/sink.pid" "$PAT" listening "${listen%:*}" "$port" ||
    { tail_logs "$dir/sink.log"; die "smtp-sink did not listen on $listen"; }
  log "smtp-sink up: pid $(pidfile_pid "$dir/sink.pid"), $listen, messages in $dump"
}

# listening ADDRESS PORT : something listens on exactly that address and port
listening() { [ -n "$(ss -ltnH "src $1 and sport = :$2")" ]; }

case ${1:-} in
  start)  [ $# -ge 4 ] || usage; shift; start "$@" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/sink.pid" "$PAT" 10 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/sink.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/sink.pid" "$PAT" ;;
  *) usage ;;
esac
