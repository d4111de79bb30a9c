#!/bin/bash
# tls-sink.sh -- an SMTP peer that offers STARTTLS with a given certificate (aiosmtpd, Debian's python3-aiosmtpd),
# for tests of the relay's TLS levels: it accepts every transaction, in plaintext or over TLS, and writes each
# message to a file of its own under <dumpdir> with X-TLS, X-Mail-Args and X-Rcpt-Args lines in front
# (dev/tls_sink.py), so a test sees whether anything arrived and whether it came encrypted.
#
#   dev/tls-sink.sh start <rundir> <address:port> <dumpdir> <certdir>    (<certdir>/cert.pem, key.pem: dev/tls.sh)
#   dev/tls-sink.sh stop|kill|status <rundir>
. "$(dirname "$0")/lib.sh"

PAT=aiosmtpd
usage() { die "usage: $0 start <rundir> <address:port> <dumpdir> <certdir> | stop|kill|status <rundir>"; }

start() {
  local dir listen=$2 dump certs port; dir=$(abs_dir "$1"); dump=$(abs_dir "$3"); certs=$(realpath "$4")
  port=${listen##*:}
  if running "$dir/sink.pid" "$PAT"; then log "already running ($dir)"; return 0; fi
  /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || die "aiosmtpd is not installed (dev/install.sh python3-aiosmtpd)"
  [ -s "$certs/cert.pem" ] && [ -s "$certs/key.pem" ] || die "no cert.pem and key.pem in $certs (dev/tls.sh)"
  rm -f "$dir/sink.pid"
  # -n: stay the user we are; --no-requiretls: plaintext is accepted too, so a client that falls back to it is seen
  PYTHONPATH=$(realpath "$(dirname "$0")") setsid nohup /usr/bin/python3 -m aiosmtpd -n -l "$listen" \
    --tlscert "$certs/cert.pem" --tlskey "$certs/key.pem" --no-requiretls -c tls_sink.Dump "$dump" \
    </dev/null >>"$dir/sink.log" 2>&1 &
  echo $! >"$dir/sink.pid"
  wait_up 15 "$dir/sink.pid" "$PAT" listening "${listen%:*}" "$port" ||
    { tail_logs "$dir/sink.log"; die "aiosmtpd did not listen on $listen"; }
  log "TLS sink up: pid $(pidfile_pid "$dir/sink.pid"), $listen, certificate $certs/cert.pem, messages in $dump"
}

# listening ADDRESS PORT : something listens on exactly that address and port
listening() { [ -n "$(ss -ltnH "src $1 and sport = :$2")" ]; }

case ${1:-} in
  start)  [ $# = 5 ] || usage; shift; start "$@" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/sink.pid" "$PAT" 10 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/sink.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/sink.pid" "$PAT" ;;
  *) usage ;;
esac
