#!/bin/bash
# haproxy.sh -- a private HAProxy on 127.0.0.1 in front of smtp-ingress's PROXY-protocol listener, as a cloud
# load balancer would be: TCP mode, each connection forwarded with a PROXY v2 header (send-proxy-v2) that carries
# the client's address. Tests use it to show that a trusted proxy's header is believed.
#
#   dev/haproxy.sh start <rundir> <listen-port> <backend-port>
#   dev/haproxy.sh stop|kill|status <rundir>
#
# <rundir> holds haproxy.cfg, haproxy.pid and haproxy.log (one tcplog line per connection, with the client's
# address). Needs the Debian package haproxy (dev/install.sh haproxy); the system's haproxy service is never
# started or touched.
. "$(dirname "$0")/lib.sh"

PAT=haproxy
usage() { die "usage: $0 start <rundir> <listen-port> <backend-port> | stop|kill|status <rundir>"; }

start() {
  local dir port=$2 backend=$3
  dir=$(abs_dir "$1")
  if running "$dir/haproxy.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || die "haproxy is not installed (dev/install.sh haproxy)"
  need_free_port "$port"
  cat >"$dir/haproxy.cfg" <<EOF
global
    log stderr format raw local0 info
    maxconn 512

defaults
    mode tcp
    log global
    option tcplog
    timeout connect 5s
    timeout client 5m
    timeout server 5m

frontend smtp
    bind 127.0.0.1:$port
    default_backend mxgate

backend mxgate
    server smtp-ingress 127.0.0.1:$backend send-proxy-v2
EOF
  haproxy -c -q -f "$dir/haproxy.cfg" >>"$dir/haproxy.log" 2>&1 ||
    { tail_logs "$dir/haproxy.log"; die "haproxy rejects $dir/haproxy.cfg"; }
  rm -f "$dir/haproxy.pid"
  # -db: stay in the foreground, so the PID we hold is HAProxy's own
  PATH=$PATH:/usr/sbin setsid nohup haproxy -db -f "$dir/haproxy.cfg" </dev/null >>"$dir/haproxy.log" 2>&1 &
  echo $! >"$dir/haproxy.pid"
  wait_up 10 "$dir/haproxy.pid" "$PAT" port_listening "$port" ||
    { tail_logs "$dir/haproxy.log"; die "haproxy did not listen on 127.0.0.1:$port"; }
  log "haproxy up: pid $(pidfile_pid "$dir/haproxy.pid"), 127.0.0.1:$port -> 127.0.0.1:$backend (send-proxy-v2)"
}

case ${1:-} in
  start)  [ $# = 4 ] || usage; start "$2" "$3" "$4" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/haproxy.pid" "$PAT" 10 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/haproxy.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/haproxy.pid" "$PAT" ;;
  *) usage ;;
esac
