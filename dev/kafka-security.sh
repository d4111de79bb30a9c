#!/bin/bash
# kafka-security.sh -- a test CA, a broker certificate and SCRAM users for a local SASL_SSL Kafka (never for production).
#
#   dev/kafka-security.sh <dir> [<user>=<password>...]
#
# Writes into <dir>, unless it is already there: ca.crt and ca.key (the CA, PEM), ca.p12 and ca.password (the CA
# as a PKCS12 truststore, as a Strimzi cluster CA Secret has them), broker.p12 and broker.password (the broker's
# key and certificate for 127.0.0.1 and localhost, signed by the CA), and scram-users: one <user>=<password> a line,
# the given users plus kafka-broker (the broker's own inter-broker login, random password).
# `KAFKA_SECURITY_DIR=<dir> dev/kafka.sh start ...` then makes the broker's client listener SASL_SSL with
# SCRAM-SHA-512 and creates those users at format time. Passwords: letters, digits, '-' and '_' only (the
# --add-scram syntax has no quoting).
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 <dir> [<user>=<password>...]"
dir=$(abs_dir "$1"); shift
for u in "$@"; do
  [[ $u =~ ^[A-Za-z0-9_-]+=[A-Za-z0-9_-]+$ ]] || die "user '$u': want <user>=<password> of letters, digits, - and _"
done

ssl() { openssl "$@" 2>>"$dir/openssl.log" || { tail_logs "$dir/openssl.log"; die "openssl $1 failed"; }; }
secret() { head -c 18 /dev/urandom | base64 | tr '+/' '-_'; }

if [ ! -s "$dir/broker.p12" ]; then
  ssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=mxgate test Kafka CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt"
  secret >"$dir/ca.password"
  # keytool, not openssl 3.0: Java reads a certificate in PKCS12 as trusted only with Oracle's trust attribute
  keytool -importcert -noprompt -alias ca -file "$dir/ca.crt" -keystore "$dir/ca.p12" -storetype PKCS12 \
    -storepass "$(cat "$dir/ca.password")" >>"$dir/openssl.log" 2>&1 || { tail_logs "$dir/openssl.log"; die "keytool failed"; }
  ssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/broker.key" -out "$dir/broker.csr"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$dir/broker.ext"
  ssl x509 -req -in "$dir/broker.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
    -extfile "$dir/broker.ext" -out "$dir/broker.crt"
  secret >"$dir/broker.password"
  ssl pkcs12 -export -in "$dir/broker.crt" -inkey "$dir/broker.key" -certfile "$dir/ca.crt" -name broker \
    -out "$dir/broker.p12" -passout "file:$dir/broker.password"
  chmod 600 "$dir"/*.key "$dir"/*.password
  log "test CA and broker certificate for 127.0.0.1 in $dir"
fi
if [ ! -s "$dir/scram-users" ]; then
  { echo "kafka-broker=$(secret)"; printf '%s\n' "$@"; } >"$dir/scram-users"
  chmod 600 "$dir/scram-users"
fi
