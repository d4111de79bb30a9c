#!/bin/bash
# rspamd.sh -- a private rspamd on 127.0.0.1 whose proxy worker speaks the milter protocol, for smtpd_milters.
#
#   dev/rspamd.sh start <rundir> <milter-port> [<dns-server host:port>]
#   dev/rspamd.sh stop|kill|status <rundir>
#
# Debian's /etc/rspamd/rspamd.conf is read, never changed: our settings go to <rundir>/conf (LOCAL_CONFDIR), its
# database, run and log files to <rundir>/db, run and log. Workers: the proxy in milter mode on <milter-port>
# scanning itself (self_scan), the normal and controller workers on free ports (nothing on rspamd's default
# 11332-11334). The milter_headers module adds X-Spamd-Result and X-Spam-Status for every client, loopback
# included (skip_local = false); the rbl, asn and fuzzy_check modules, which need the Internet, are off. DNS goes
# to <dns-server> (default: a closed port on 127.0.0.1, so every lookup fails at once instead of timing out).
# Needs the Debian package rspamd (dev/install.sh rspamd); the system's rspamd service is never started or touched.
. "$(dirname "$0")/lib.sh"

PAT=rspamd
usage() { die "usage: $0 start <rundir> <milter-port> [<dns host:port>] | stop|kill|status <rundir>"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local dir port=$2 dns=${3:-}
  dir=$(abs_dir "$1")
  if running "$dir/rspamd.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  need_free_port "$port"
  command -v rspamd >/dev/null || die "rspamd is not installed (dev/install.sh rspamd)"
  [ -n "$dns" ] || dns=127.0.0.1:$(free_port)
  mkdir -p "$dir/conf/local.d" "$dir/conf/override.d" "$dir/db" "$dir/run" "$dir/log"
  cat >"$dir/conf/override.d/worker-proxy.inc" <<CONF
bind_socket = "127.0.0.1:$port";
milter = yes;
timeout = 120s;
upstream "local" {
  default = yes;
  self_scan = yes;
}
CONF
  printf 'bind_socket = "127.0.0.1:%s";\n' "$(free_port)" >"$dir/conf/override.d/worker-normal.inc"
  printf 'bind_socket = "127.0.0.1:%s";\n' "$(free_port)" >"$dir/conf/override.d/worker-controller.inc"
  cat >"$dir/conf/local.d/milter_headers.conf" <<CONF
use = ["x-spamd-result", "x-spam-status"];
skip_local = false;
skip_authenticated = false;
CONF
  for module in rbl asn fuzzy_check; do echo 'enabled = false;' >"$dir/conf/local.d/$module.conf"; done
  # rspamd compiles its 9628 public suffixes at every start (70-80 s on two cores); the common ones and the test
  # domains start it in seconds (URLs in other TLDs are then not recognised as such)
  printf '%s\n' com net org edu gov info io de uk co.uk eu fr nl ch at test example invalid localhost >"$dir/conf/tld.dat"
  cat >"$dir/conf/local.d/options.inc" <<CONF
url_tld = "$dir/conf/tld.dat";
dns {
  nameserver = ["$dns"];
  timeout = 1s;
  retransmits = 1;
}
CONF
  chown -R _rspamd:_rspamd "$dir/db" "$dir/run" "$dir/log"
  chmod -R a+rX "$dir/conf"
  rm -f "$dir/rspamd.pid"
  setsid nohup rspamd -f -c /etc/rspamd/rspamd.conf --var=LOCAL_CONFDIR="$dir/conf" --var=DBDIR="$dir/db" \
    --var=RUNDIR="$dir/run" --var=LOGDIR="$dir/log" -u _rspamd -g _rspamd \
    </dev/null >>"$dir/rspamd.out" 2>&1 &
  echo $! >"$dir/rspamd.pid"
  wait_up 60 "$dir/rspamd.pid" "$PAT" port_listening "$port" ||
    { tail_logs "$dir/rspamd.out" "$dir/log/rspamd.log"; die "rspamd did not listen on 127.0.0.1:$port"; }
  log "rspamd up: pid $(pidfile_pid "$dir/rspamd.pid"), milter on 127.0.0.1:$port, DNS $dns"
}

case ${1:-} in
  start)  [ $# -ge 3 ] && [ $# -le 4 ] || usage; start "$2" "$3" "${4:-}" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/rspamd.pid" "$PAT" 30 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/rspamd.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/rspamd.pid" "$PAT" ;;
  *) usage ;;
esac
