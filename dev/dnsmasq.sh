#!/bin/bash
# dnsmasq.sh -- a private DNS server on 127.0.0.1 for tests: MX, A, PTR, TXT records from a file in
# dnsmasq's own syntax (address=, host-record=, mx-host=, txt-record=, ptr-record=). It answers only from that
# file and forwards nothing, so no query leaves the machine; unknown names are NXDOMAIN.
#
#   dev/dnsmasq.sh start <rundir> <port> <records-file>
#   dev/dnsmasq.sh stop|kill|status <rundir>
#
# <rundir> holds dnsmasq.pid and dnsmasq.log. Needs the Debian package dnsmasq-base (dev/install.sh dnsmasq-base).
. "$(dirname "$0")/lib.sh"

PAT=dnsmasq
usage() { die "usage: $0 start <rundir> <port> <records-file> | stop|kill|status <rundir>"; }

start() {
  local dir port=$2 records
  dir=$(abs_dir "$1"); records=$(realpath "$3")
  if running "$dir/dnsmasq.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  command -v dnsmasq >/dev/null || die "dnsmasq is not installed (dev/install.sh dnsmasq-base)"
  [ -r "$records" ] || die "cannot read $records"
  need_free_port "$port"
  rm -f "$dir/dnsmasq.pid"
  # --keep-in-foreground: we hold the PID; --no-resolv/--no-hosts: answers come from the records file only
  setsid nohup dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --listen-address=127.0.0.1 --bind-interfaces --port="$port" --user=root --group=root \
    --local=/#/ --bogus-priv --log-facility="$dir/dnsmasq.log" --log-queries --conf-file="$records" \
    </dev/null >>"$dir/dnsmasq.log" 2>&1 &
  echo $! >"$dir/dnsmasq.pid"
  wait_up 10 "$dir/dnsmasq.pid" "$PAT" port_listening "$port" ||
    { tail_logs "$dir/dnsmasq.log"; die "dnsmasq did not listen on 127.0.0.1:$port"; }
  log "dnsmasq up: pid $(pidfile_pid "$dir/dnsmasq.pid"), 127.0.0.1:$port, records $records"
}

case ${1:-} in
  start)  [ $# = 4 ] || usage; start "$2" "$3" "$4" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/dnsmasq.pid" "$PAT" 10 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/dnsmasq.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/dnsmasq.pid" "$PAT" ;;
  *) usage ;;
esac
