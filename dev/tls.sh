#!/bin/bash
# tls.sh -- certificates for local tests (never for production).
#
#   dev/tls.sh <dir> [<hostname>]
#       a self-signed certificate for the local SMTP listener's STARTTLS: <dir>/cert.pem and <dir>/key.pem
#   dev/tls.sh --ca <cadir> <dir> <hostname>...
#       a certificate for the hostnames (subjectAltName DNS entries) signed by a private test CA, which is made in
#       <cadir> (ca.pem, ca.key) unless it exists there: what a relay at smtp_tls_security_level = verify checks
#       (smtp_tls_CAfile = <cadir>/ca.pem). Writes <dir>/cert.pem and <dir>/key.pem.
#
# Each writes nothing when its files exist.
. "$(dirname "$0")/lib.sh"

ssl() { openssl "$@" 2>>"$LOG" || { tail_logs "$LOG"; die "openssl $1 failed"; }; }

if [ "${1:-}" = --ca ]; then
  [ $# -ge 4 ] || die "usage: $0 --ca <cadir> <dir> <hostname>..."
  ca=$(abs_dir "$2"); dir=$(abs_dir "$3"); shift 3
  LOG=$dir/openssl.log
  if [ ! -s "$ca/ca.pem" ] || [ ! -s "$ca/ca.key" ]; then
    ssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=mxgate test CA $(basename "$ca")" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$ca/ca.key" -out "$ca/ca.pem"
    chmod 600 "$ca/ca.key"
    log "test CA in $ca"
  fi
  if [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
    san=$(printf 'DNS:%s,' "$@")
    ssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$dir/key.pem" -out "$dir/cert.csr"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "${san%,}" >"$dir/cert.ext"
    ssl x509 -req -in "$dir/cert.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial -days 825 \
      -extfile "$dir/cert.ext" -out "$dir/cert.pem"
    chmod 600 "$dir/key.pem"
    rm -f "$dir/cert.csr" "$dir/cert.ext"
    log "certificate for $* signed by $ca/ca.pem in $dir"
  fi
  exit 0
fi

[ $# -ge 1 ] || die "usage: $0 <dir> [<hostname>] | --ca <cadir> <dir> <hostname>..."
dir=$(abs_dir "$1"); name=${2:-mx.example.test}
if [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" || { tail_logs "$dir/openssl.log"; die "openssl failed"; }
  chmod 600 "$dir/key.pem"
  log "self-signed certificate for $name in $dir"
fi
