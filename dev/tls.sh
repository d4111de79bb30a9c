#!/bin/bash
# tls.sh -- a self-signed certificate for the local SMTP listener's STARTTLS (never for production).
#
#   dev/tls.sh <dir> [<hostname>]     writes <dir>/cert.pem and <dir>/key.pem unless they exist
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 <dir> [<hostname>]"
dir=$(abs_dir "$1"); name=${2:-mx.example.test}
if [ ! -s "$dir/cert.pem" ] || [ ! -s "$dir/key.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" || { tail_logs "$dir/openssl.log"; die "openssl failed"; }
  chmod 600 "$dir/key.pem"
  log "self-signed certificate for $name in $dir"
fi
