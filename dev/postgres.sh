#!/bin/bash
# postgres.sh -- private PostgreSQL server on 127.0.0.1 for the pgsql: lookup tables (ADR 0008); never the system
# cluster, never /etc/postgresql. PostgreSQL refuses to run as root: as root it runs as the postgres user.
#
#   dev/postgres.sh start <rundir> <port>
#   dev/postgres.sh stop|kill|status <rundir>
#   dev/postgres.sh sql <rundir> <database> <statements>   as the superuser over the instance's socket; prints rows
#
# <rundir> holds data/, the socket, postgres.log and postgres.pid (the postmaster's PID). Local socket
# connections are trusted, TCP ones need a password (scram-sha-256).
. "$(dirname "$0")/lib.sh"

PAT=postgres   # command-line check for the PID in <rundir>/postgres.pid
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

usage() { die "usage: $0 start <rundir> <port> | stop|kill|status <rundir> | sql <rundir> <database> <statements>"; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_of() { sed -n 4p "$1/data/postmaster.pid" 2>/dev/null; }

client() {
  local dir=$1 db=$2; shift 2
  as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(port_of "$dir")" -U postgres -d "$db" "$@"
}

ready() { as_owner "$BIN/pg_isready" -q -h "$1" -p "$2"; }

start() {
  local dir port=$2 try
  [ -n "$BIN" ] || die "PostgreSQL is not installed (dev/install.sh postgresql)"
  dir=$(abs_dir "$1")
  if running "$dir/postgres.pid" "$PAT"; then
    log "already running: pid $(pidfile_pid "$dir/postgres.pid") ($dir)"; return 0
  fi
  need_free_port "$port"
  [ "$(id -u)" != 0 ] || chown postgres: "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=trust \
      --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || { tail_logs "$dir/initdb.log"; die "initdb failed"; }
  fi
  # The server runs through setpriv, which execs, rather than runuser, which stays as the parent: the PID file
  # must name the postmaster itself, for stop and for the fault tests' SIGKILL.
  # After a SIGKILL the old backends may still hold the shared memory for a moment: try again then.
  for try in 1 2 3 4 5 6 7 8 9 10; do
    setsid $( [ "$(id -u)" = 0 ] && echo setpriv --reuid=postgres --regid=postgres --init-groups ) \
      "$BIN/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 -p "$port" \
      -c unix_socket_directories="$dir" -c logging_collector=off -c shared_buffers=16MB \
      </dev/null >>"$dir/postgres.log" 2>&1 &
    echo $! >"$dir/postgres.pid"
    if wait_up 60 "$dir/postgres.pid" "$PAT" ready "$dir" "$port"; then
      log "postgres up: pid $(pidfile_pid "$dir/postgres.pid"), 127.0.0.1:$port, ${SECONDS}s"; return 0
    fi
    grep -q "shared memory block is still in use\|lock file .* already exists" "$dir/postgres.log" || break
    sleep 1
  done
  tail_logs "$dir/postgres.log"
  stop_pid "$dir/postgres.pid" "$PAT" 10 INT
  die "postgres did not start on 127.0.0.1:$port"
}

case ${1:-} in
  start)  [ $# = 3 ] || usage; start "$2" "$3" ;;
  # SIGINT is the fast shutdown; SIGTERM would wait for the lookup pools to disconnect
  stop)   [ $# = 2 ] || usage; stop_pid "$2/postgres.pid" "$PAT" 60 INT ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/postgres.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/postgres.pid" "$PAT" ;;
  sql)    [ $# = 4 ] || usage; client "$2" "$3" -A -t -c "$4" ;;
  *) usage ;;
esac
