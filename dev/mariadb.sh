#!/bin/bash
# mariadb.sh -- private MariaDB server on 127.0.0.1 for the mysql: lookup tables (ADR 0008); never the system
# instance, never /etc/mysql (--no-defaults everywhere).
#
#   dev/mariadb.sh start <rundir> <port>
#   dev/mariadb.sh stop|kill|status <rundir>
#   dev/mariadb.sh sql <rundir> <database> <statements>    as root over the instance's socket; prints the rows
#
# <rundir> holds data/, mysqld.sock, mariadb.log and mariadb.pid. Root logs in over the socket only.
. "$(dirname "$0")/lib.sh"

PAT=mariadbd   # command-line check for the PID in <rundir>/mariadb.pid

usage() { die "usage: $0 start <rundir> <port> | stop|kill|status <rundir> | sql <rundir> <database> <statements>"; }

client() { local dir=$1; shift; mariadb --no-defaults --protocol=socket -S "$dir/mysqld.sock" -uroot "$@"; }

alive() { mariadb-admin --no-defaults --protocol=socket -S "$1/mysqld.sock" -uroot ping >/dev/null 2>&1; }

start() {
  local dir port=$2
  dir=$(abs_dir "$1")
  if running "$dir/mariadb.pid" "$PAT"; then
    log "already running: pid $(pidfile_pid "$dir/mariadb.pid") ($dir)"; return 0
  fi
  need_free_port "$port"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" --skip-test-db \
      --auth-root-authentication-method=socket >"$dir/install.log" 2>&1 \
      || { tail_logs "$dir/install.log"; die "mariadb-install-db failed"; }
  fi
  # --user is only honoured (and needed) when running as root
  setsid mariadbd --no-defaults --datadir="$dir/data" --user="$(id -un)" --bind-address=127.0.0.1 \
    --port="$port" --socket="$dir/mysqld.sock" --pid-file="$dir/data/mariadbd.pid" \
    --log-error="$dir/mariadb.log" --skip-name-resolve --innodb-buffer-pool-size=32M \
    </dev/null >>"$dir/mariadb.log" 2>&1 &
  echo $! >"$dir/mariadb.pid"
  if ! wait_up 60 "$dir/mariadb.pid" "$PAT" alive "$dir"; then
    tail_logs "$dir/mariadb.log"
    stop_pid "$dir/mariadb.pid" "$PAT" 10
    die "mariadb did not answer on $dir/mysqld.sock"
  fi
  log "mariadb up: pid $(pidfile_pid "$dir/mariadb.pid"), 127.0.0.1:$port, ${SECONDS}s"
}

case ${1:-} in
  start)  [ $# = 3 ] || usage; start "$2" "$3" ;;
  stop)   [ $# = 2 ] || usage; stop_pid "$2/mariadb.pid" "$PAT" 60 ;;
  kill)   [ $# = 2 ] || usage; kill_pid "$2/mariadb.pid" "$PAT" ;;
  status) [ $# = 2 ] || usage; status "$2/mariadb.pid" "$PAT" ;;
  sql)    [ $# = 4 ] || usage; client "$2" --batch --skip-column-names "$3" -e "$4" ;;
  *) usage ;;
esac
