#!/bin/bash
# lookup.sh -- what recipient table lookups cost at RCPT: RCPT TO -> reply latency (p50/p90/p99) with Postfixadmin's
# maps as hash: text tables, and from MariaDB with smtp-ingress's SQL cache warm and cold.
#
#   bench/lookup.sh      N=2000 SESSIONS=4 CACHE_TTL=300s (environment knobs)
#
# Kafka, a private MariaDB and smtp-ingress alone (nothing else is on the RCPT path here), in /tmp/mxgate-lookup on
# ports 12000+ (SMTP 12525, MariaDB 12306). The client is a stranger: 127.0.0.1 is outside mynetworks, no SASL, and
# smtpd_recipient_restrictions has no reject_unverified_recipient, so a RCPT costs the lookups alone: the domain
# class (reject_unauth_destination), smtpd_reject_unlisted_recipient and virtual_alias_maps expansion.
# The data is Postfixadmin's rows for N/4+N mailboxes userK@example.test (each its own alias, as Postfixadmin
# writes them), as many aliases aliasK@example.test -> userK@example.test and the alias domain alias.test ->
# example.test; each setting reads the same content:
#   text  smtp-ingress with hash: files holding what Postfixadmin's six queries answer (written by this script)
#   sql   the same smtp-ingress with Postfixadmin's six mysql: files (testkit/.../postfixadmin/) on MariaDB
# Two address sets of N each: W = userK, aliasK at both domains for K <= N/4; C = one of those four forms for each
# K above N/4, so a C address shares no table key with any address asked before it but the two domains. In each
# setting: two unmeasured passes over W (the JIT; for sql the first one fills the cache), then the measured passes
#   W  text: the text figure; sql: "warm", every key cached less than CACHE_TTL ago (mxgate.sql.cache-ttl)
#   C  text: the same figure for C; sql: "cold", every key but the domains' never asked (the domain class lookups
#      of example.test and alias.test are cached since the first RCPT), so each RCPT waits for 1 to 3 queries
# Each pass: SESSIONS sessions one after the other, one RCPT at a time, a new transaction every 500 RCPTs; every
# RCPT must get 250; MariaDB's Com_select counts the queries a pass caused. Prints a table and the differences the
# issue's goals name (warm p50 - text p50 <= 1 ms, cold p50 - text p50 <= 5 ms), and appends them to
# bench/RESULTS.md with the date, the box and the git commit.
# Everything listens on 127.0.0.1, and the stack is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-2000}; SESSIONS=${SESSIONS:-4}; CACHE_TTL=${CACHE_TTL:-300s}
BENCH=lookup RUN=${MXGATE_LOOKUP_DIR:-/tmp/mxgate-lookup}
. "$ROOT/bench/lib.sh"
B=${LOOKUP_PORT_BASE:-12000}
bench_ports "$B"
MYSQL_PORT=$((B + 306))
[ $((N % 4)) = 0 ] || { log "N=$N: a multiple of 4 (W has four addresses per user)"; exit 2; }
K=$((N / 4 + N))   # mailboxes, and aliases
DATA=$RUN/data PFA=$ROOT/testkit/src/main/resources/postfixadmin

# generate: Postfixadmin's rows as SQL in chunks (each one argument of mariadb.sh sql), the text tables with the
# same answers, and the address sets W and C
generate() {
  mkdir -p "$DATA"
  python3 - "$DATA" "$K" "$N" <<'PY'
import sys
out, k_max, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
D, A = "example.test", "alias.test"
user = lambda k: "user%05d" % k
alias = lambda k: "alias%05d" % k
maildir = lambda k: "%s/%s/" % (D, user(k))
def write(name, lines):
    with open("%s/%s" % (out, name), "w") as f:
        f.write("".join(l + "\n" for l in lines))
# Postfixadmin's rows: the mailbox, its own alias row, and aliasK -> userK
rows = ["INSERT INTO domain (domain, transport, active) VALUES ('%s', 'virtual', 1), ('%s', 'virtual', 1);" % (D, A),
        "INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES ('%s', '%s', 1);" % (A, D)]
for lo in range(1, k_max + 1, 500):
    ks = range(lo, min(lo + 500, k_max + 1))
    rows.append("INSERT INTO mailbox (username, password, name, maildir, local_part, domain, active) VALUES "
                + ", ".join("('%s@%s', 'x', '', '%s', '%s', '%s', 1)" % (user(k), D, maildir(k), user(k), D) for k in ks) + ";")
    rows.append("INSERT INTO alias (address, goto, domain, active) VALUES "
                + ", ".join("('%s@%s', '%s@%s', '%s', 1), ('%s@%s', '%s@%s', '%s', 1)"
                            % (user(k), D, user(k), D, D, alias(k), D, user(k), D, D) for k in ks) + ";")
write("rows.sql", rows)
# what each of Postfixadmin's six queries answers, as text tables
ks = range(1, k_max + 1)
write("virtual_domains_maps", ["%s %s" % (d, d) for d in (D, A)])
write("virtual_alias_maps", ["%s@%s %s@%s" % (l, D, user(k), D) for k in ks for l in (user(k), alias(k))])
write("virtual_alias_domain_maps", ["%s@%s %s@%s" % (l, A, user(k), D) for k in ks for l in (user(k), alias(k))])
write("virtual_alias_domain_catchall_maps", ["# no @example.test alias, so no @alias.test catch-all"])
write("virtual_mailbox_maps", ["%s@%s %s/%s" % (user(k), D, D, maildir(k)) for k in ks])
write("virtual_alias_domain_mailbox_maps", ["%s@%s %s/%s" % (user(k), A, D, maildir(k)) for k in ks])
forms = lambda k: ["%s@%s" % (user(k), D), "%s@%s" % (alias(k), D), "%s@%s" % (user(k), A), "%s@%s" % (alias(k), A)]
write("W", [a for k in range(1, n // 4 + 1) for a in forms(k)])
write("C", [forms(k)[k % 4] for k in range(n // 4 + 1, k_max + 1)])
PY
}

start_mariadb() {
  local db=$RUN/mariadb pw=bench-$$ m
  "$DEV/mariadb.sh" start "$db" "$MYSQL_PORT"
  "$DEV/mariadb.sh" sql "$db" mysql "CREATE DATABASE postfix CHARACTER SET utf8mb4;
    CREATE USER 'postfix'@'127.0.0.1' IDENTIFIED BY '$pw'; GRANT SELECT ON postfix.* TO 'postfix'@'127.0.0.1';"
  "$DEV/mariadb.sh" sql "$db" postfix "$(cat "$PFA/mysql-schema.sql")"
  while IFS= read -r m; do "$DEV/mariadb.sh" sql "$db" postfix "$m"; done <"$DATA/rows.sql"
  for m in virtual_domains_maps virtual_alias_maps virtual_alias_domain_maps virtual_alias_domain_catchall_maps \
           virtual_mailbox_maps virtual_alias_domain_mailbox_maps; do
    sed -e "s/{user}/postfix/; s/{password}/$pw/; s/{host}/127.0.0.1/; s/{port}/$MYSQL_PORT/; s/{dbname}/postfix/" \
      "$PFA/mysql_$m.cf" >"$DATA/mysql_$m.cf"
  done
}

# ingress hash|mysql: smtp-ingress (re)started with Postfixadmin's main.cf lines, its six maps of that type
ingress() {
  local t=hash: d=$DATA/ x=''
  [ "$1" = hash ] || { t=proxy:mysql: d=$DATA/mysql_ x=.cf; }
  [ ! -d "$RUN/smtp-ingress" ] || "$DEV/service.sh" stop smtp-ingress "$RUN/smtp-ingress"
  # no spaces inside a value: EXTRA_ENV is split into words
  EXTRA_ENV[smtp-ingress]="MXGATE_MYNETWORKS=192.0.2.0/24 MXGATE_SQL_CACHE_TTL=$CACHE_TTL
    MXGATE_SMTPD_RECIPIENT_RESTRICTIONS=permit_mynetworks,permit_sasl_authenticated
    MXGATE_VIRTUAL_MAILBOX_DOMAINS=$t${d}virtual_domains_maps$x
    MXGATE_VIRTUAL_ALIAS_MAPS=$t${d}virtual_alias_maps$x,$t${d}virtual_alias_domain_maps$x,$t${d}virtual_alias_domain_catchall_maps$x
    MXGATE_VIRTUAL_MAILBOX_MAPS=$t${d}virtual_mailbox_maps$x,$t${d}virtual_alias_domain_mailbox_maps$x"
  start_instance smtp-ingress
}

# pass SET: one RCPT per address of SET, SESSIONS sessions one after the other; prints "p50 p90 p99 n seconds" (ms)
# and on a second line the p50 of each of the four address forms; fails when a RCPT is not answered 250
pass() {
  python3 - "$SMTP" "$DATA/$1" "$SESSIONS" <<'PY'
import socket, sys, time
port, addrs, sessions = int(sys.argv[1]), open(sys.argv[2]).read().split(), int(sys.argv[3])
lat, bad, t_start = [], [], time.monotonic()
forms = {}   # form (userK@example.test, ...) -> its latencies
per = -(-len(addrs) // sessions)
for s in range(sessions):
    c = socket.create_connection(("127.0.0.1", port), timeout=60)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = c.makefile("rb")
    def reply():
        while True:
            line = f.readline(4096)
            if not line:
                sys.exit("connection closed by the server")
            if line[3:4] != b"-":
                return line.decode().rstrip()
    def cmd(text, want="250"):
        c.sendall(text.encode() + b"\r\n")
        r = reply()
        if not r.startswith(want):
            sys.exit("%s: %s" % (text, r))
    if not reply().startswith("220"):
        sys.exit("no greeting")
    cmd("EHLO lookup.bench.test")
    mine = addrs[s * per:(s + 1) * per]
    for i in range(0, len(mine), 500):   # smtpd_recipient_limit is 1000
        cmd("MAIL FROM:<bench@src.test>")
        for a in mine[i:i + 500]:
            line = b"RCPT TO:<" + a.encode() + b">\r\n"
            t0 = time.perf_counter_ns()
            c.sendall(line)
            r = reply()
            lat.append((time.perf_counter_ns() - t0) / 1e6)
            local, domain = a.split("@")
            forms.setdefault("%sK@%s" % (local.rstrip("0123456789"), domain), []).append(lat[-1])
            if not r.startswith("250"):
                bad.append("%s: %s" % (a, r))
        cmd("RSET")
    cmd("QUIT", "221")
    c.close()
if bad:
    sys.exit("%d RCPTs not accepted, e.g. %s" % (len(bad), bad[0]))
q = lambda v, p: sorted(v)[min(len(v) - 1, int(len(v) * p))]
print("%.3f %.3f %.3f %d %.1f" % (q(lat, 0.5), q(lat, 0.9), q(lat, 0.99), len(lat), time.monotonic() - t_start))
print(", ".join("%s %.3f (n=%d)" % (f, q(v, 0.5), len(v)) for f, v in sorted(forms.items())))
PY
}

declare -A FIG=()   # setting-set -> "p50 p90 p99 n seconds queries"
declare -A FORMS=() # setting-set -> the p50 per address form
declare -A AGE=()   # setting -> seconds from the start of the first pass over W to the end of the measured one
# selects: SELECTs MariaDB has run so far (only smtp-ingress sends any), so a pass shows how many lookups it queried
selects() { "$DEV/mariadb.sh" sql "$RUN/mariadb" postfix "SHOW GLOBAL STATUS LIKE 'Com_select'" | cut -f2; }
# measured SETTING SET: one measured pass, with the queries it caused
measured() {
  local q0 out; q0=$(selects); out=$(pass "$2")
  FIG[$1-$2]="$(head -1 <<<"$out") $(($(selects) - q0))"; FORMS[$1-$2]=$(tail -1 <<<"$out")
  log "$1 $2: p50 p90 p99 n seconds queries = ${FIG[$1-$2]}; p50 by form: ${FORMS[$1-$2]}"
}
# measure SETTING: the two unmeasured passes over W, then W and C measured
measure() {
  local t0=$SECONDS
  log "$1: two unmeasured passes over W (${N} RCPTs each)"
  pass W >/dev/null; pass W >/dev/null
  measured "$1" W; AGE[$1]=$((SECONDS - t0))
  measured "$1" C
}
row() {
  local f; read -r -a f <<<"${FIG[$2]}"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" "${f[5]}"
}
p50() { echo "${FIG[$1]}" | cut -d' ' -f1; }
# diff A B GOAL: "A-B ms (goal <= GOAL ms: met|missed)"
diff_goal() {
  awk -v a="$(p50 "$1")" -v b="$(p50 "$2")" -v g="$3" \
    'BEGIN{d=a-b; printf "%+.3f ms (goal <= %s ms: %s)", d, g, (d <= g ? "met" : "missed")}'
}

cleanup() { stop_stack; "$DEV/mariadb.sh" stop "$RUN/mariadb" || true; }
trap cleanup EXIT
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$RUN"; mkdir -p "$OUT"
[ -f "$ROOT/smtp-ingress/target/quarkus-app/quarkus-run.jar" ] ||
  (cd "$ROOT" && mvn -q -B -pl smtp-ingress -am package -Dmaven.test.skip=true)
generate
"$DEV/kafka.sh" start "$RUN/kafka" "$KAFKA" "$KCTL"
start_mariadb
ingress hash; measure text
ingress mysql
# the cache must still hold W's answers when the measured W pass ends; measure() logs how long its passes took
measure sql
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo
  echo "## $(date '+%Y-%m-%d %H:%M') -- lookup.sh, commit $COMMIT, $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), N=$N SESSIONS=$SESSIONS CACHE_TTL=$CACHE_TTL, $K mailboxes + $K aliases + 1 alias domain"
  echo
  echo "RCPT TO -> reply as a stranger, no reject_unverified_recipient (lookups only), ms; W: userK/aliasK at"
  echo "example.test and alias.test, C: one address per K, none asked before. Load average $LOAD0 before, $LOAD1 after."
  echo
  echo "| setting | p50 | p90 | p99 | n | SQL queries in the pass |"
  echo "|---|---|---|---|---|---|"
  row "text (hash:), W" text-W
  row "text (hash:), C" text-C
  row "MariaDB, cache warm (W, each asked twice before)" sql-W
  row "MariaDB, cache cold (C; domains cached)" sql-C
  echo
  echo "- warm p50 - text p50 (W): $(diff_goal sql-W text-W 1)"
  echo "- cold p50 - text p50 (C): $(diff_goal sql-C text-C 5)"
  echo "- p50 by address form, text C: ${FORMS[text-C]}"
  echo "- p50 by address form, cold C (queries per cold RCPT: aliasK@alias.test 3, aliasK@example.test 2, userK@alias.test 3, userK@example.test 1): ${FORMS[sql-C]}"
  echo "- the warm pass ended ${AGE[sql]} s after W's first lookups (CACHE_TTL=$CACHE_TTL)"
} | tee -a "$ROOT/bench/RESULTS.md"
