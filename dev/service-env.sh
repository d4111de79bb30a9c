#!/bin/bash
# service-env.sh -- the environment of the four services of a local mxgate, from the ports and files of its parts:
# one NAME=VALUE a line on stdout, nothing else. ./mxgate, bench/lib.sh (and so bench/faults.sh) and the test kit's
# Stack start the services with it, each adding its own settings on top. A value may hold "[" or spaces: read it
# line by line (mapfile), never word-split it.
#
#   dev/service-env.sh --kafka PORT[,PORT...] --redis PORT --lmtp PORT --smtp PORT --verifier-http PORT
#                      [--proxy PORT] [--tls DIR] [--sasl-auth PORT]
#
# --kafka     the brokers' ports: the bootstrap list, and the durability the services demand of their topics, which
#             is production's (replication factor 3, min.insync.replicas 2) from three brokers on and what the
#             brokers can give below that (one broker: 1 and 1; dev/kafka.sh sets the same broker defaults)
# --redis     Redis (verify cache, queue index);  --lmtp  Dovecot's LMTP (virtual_transport)
# --smtp      smtp-ingress's SMTP port;  --proxy  its PROXY-protocol port (opened when a caller sets
#             MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL=haproxy)
# --verifier-http  the verifier's HTTP port, which smtp-ingress asks
# --tls       a directory with cert.pem and key.pem (dev/tls.sh) for STARTTLS
# --sasl-auth Dovecot's auth port: AUTH on, checked by Dovecot
# Everything listens on 127.0.0.1; peer name lookups are off, so no DNS query leaves the machine.
. "$(dirname "$0")/lib.sh"

usage() {
  die "usage: $0 --kafka PORT[,PORT...] --redis PORT --lmtp PORT --smtp PORT --verifier-http PORT" \
      "[--proxy PORT] [--tls DIR] [--sasl-auth PORT]"
}

declare -A opt=()
while [ $# -gt 0 ]; do
  case $1 in
    --kafka|--redis|--lmtp|--smtp|--verifier-http|--proxy|--tls|--sasl-auth) [ $# -ge 2 ] || usage; opt[${1#--}]=$2; shift 2 ;;
    *) usage ;;
  esac
done
for o in kafka redis lmtp smtp verifier-http; do [ -n "${opt[$o]:-}" ] || usage; done

IFS=, read -r -a brokers <<<"${opt[kafka]}"
bootstrap=$(printf '127.0.0.1:%s,' "${brokers[@]}")
rf=${#brokers[@]} isr=1
if [ "$rf" -ge 3 ]; then rf=3 isr=2; fi

printf '%s\n' \
  "MXGATE_KAFKA_BOOTSTRAP_SERVERS=${bootstrap%,}" \
  "MXGATE_KAFKA_REPLICATION_FACTOR=$rf" \
  "MXGATE_KAFKA_MIN_INSYNC_REPLICAS=$isr" \
  "MXGATE_REDIS_URL=redis://127.0.0.1:${opt[redis]}" \
  "MXGATE_VIRTUAL_TRANSPORT=lmtp:[127.0.0.1]:${opt[lmtp]}" \
  "MXGATE_SMTPD_PORT=${opt[smtp]}" \
  "MXGATE_VERIFIER_URL=http://127.0.0.1:${opt[verifier-http]}" \
  "MXGATE_MYHOSTNAME=mx.example.test" \
  "MXGATE_SMTPD_PEERNAME_LOOKUP=false"
[ -z "${opt[proxy]:-}" ] || echo "MXGATE_SMTPD_PROXY_PORT=${opt[proxy]}"
if [ -n "${opt[tls]:-}" ]; then
  printf '%s\n' "MXGATE_SMTPD_TLS_CERT_FILE=${opt[tls]}/cert.pem" "MXGATE_SMTPD_TLS_KEY_FILE=${opt[tls]}/key.pem"
fi
if [ -n "${opt[sasl-auth]:-}" ]; then
  printf '%s\n' MXGATE_SMTPD_SASL_AUTH_ENABLE=true "MXGATE_SMTPD_SASL_PATH=inet:127.0.0.1:${opt[sasl-auth]}"
fi
