# shellcheck shell=bash
# lib.sh -- helpers shared by the dev/ scripts (sourced, not run).
set -euo pipefail

log() { printf '[%s] %s: %s\n' "$(date +%H:%M:%S)" "${0##*/}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# abs_dir DIR : create DIR if needed and print its absolute path
abs_dir() { mkdir -p "$1" && realpath "$1"; }

# pid_alive PID PATTERN : true if PID is a live process whose command line contains PATTERN
pid_alive() {
  local pid=$1 pat=$2
  [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
  grep -qF -- "$pat" <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
}
pid_dead() { ! pid_alive "$@"; }

# pidfile_pid PIDFILE : print the PID stored in PIDFILE (empty if none)
pidfile_pid() { if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi; }

# pid_exists PID : true while the process exists and is not a zombie, whatever its command line
pid_exists() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }

# running PIDFILE PATTERN : true if the process named in PIDFILE is alive and matches PATTERN
running() { pid_alive "$(pidfile_pid "$1")" "$2"; }

# status PIDFILE PATTERN : report whether it runs; false if not
status() {
  if running "$1" "$2"; then log "running: pid $(pidfile_pid "$1")"; else log "not running"; return 1; fi
}

# port_listening PORT : true if some process listens on TCP port PORT
port_listening() { [ -n "$(ss -ltnH "sport = :$1")" ]; }

# need_free_port PORT... : die if one of the ports is already taken
need_free_port() {
  local p
  for p in "$@"; do ! port_listening "$p" || die "port $p is already in use"; done
}

# wait_until SECONDS CMD... : run CMD every 0.2 s until it succeeds; false after SECONDS
wait_until() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# wait_up SECONDS PIDFILE PATTERN CMD... : like wait_until, but false at once if the process dies. The PID was
# started just before, so PATTERN is not checked: under load the forked shell may not yet have exec'd the program
# (its command line is still the script's), which is not an exit.
wait_up() {
  local t=$1 file=$2 end=$((SECONDS + $1)); shift 3
  until "$@"; do
    pid_exists "$(pidfile_pid "$file")" || { log "the process has exited"; return 1; }
    [ "$SECONDS" -lt "$end" ] || { log "not ready after ${t}s"; return 1; }
    sleep 0.2
  done
}

# stop_pid PIDFILE PATTERN [SECONDS] [SIGNAL] : SIGNAL (default TERM), after SECONDS (default 30) SIGKILL;
# remove PIDFILE
stop_pid() {
  local file=$1 pat=$2 t=${3:-30} sig=${4:-TERM} pid
  pid=$(pidfile_pid "$file")
  if ! pid_alive "$pid" "$pat"; then
    log "not running ($file)"; rm -f "$file"; return 0
  fi
  kill -"$sig" "$pid"
  if ! wait_until "$t" pid_dead "$pid" "$pat"; then
    log "pid $pid still alive after ${t}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 10 pid_dead "$pid" "$pat" || die "pid $pid does not die"
  fi
  rm -f "$file"
  log "stopped pid $pid"
}

# kill_pid PIDFILE PATTERN : SIGKILL at once (fault tests); remove PIDFILE
kill_pid() {
  local file=$1 pat=$2 pid
  pid=$(pidfile_pid "$file")
  pid_alive "$pid" "$pat" || { log "not running ($file)"; rm -f "$file"; return 0; }
  kill -KILL "$pid"
  wait_until 10 pid_dead "$pid" "$pat" || die "pid $pid does not die"
  rm -f "$file"
  log "killed pid $pid"
}

# tail_logs FILE... : print the last 30 lines of each existing FILE to stderr
tail_logs() {
  local f
  for f in "$@"; do
    if [ -s "$f" ]; then echo "--- last 30 lines of $f:"; tail -n 30 "$f"; fi >&2
  done
}
