#!/bin/bash
# redis-tls.sh -- a private test CA and a Redis server certificate signed by it, for a TLS-only local Redis
# (dev/redis.sh --tls) and the clients that check it against the CA (mxgate.redis-tls-ca-file). Never for production.
#
#   dev/redis-tls.sh <dir> [<subjectAltName>]   writes <dir>/ca.pem, ca.key, redis.pem, redis.key unless they exist
#
# The default subjectAltName is IP:127.0.0.1 alone, so that a client that reaches the same server as "localhost"
# fails host name verification (RedisSecurityTest shows verification is on).
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 <dir> [<subjectAltName>]"
dir=$(abs_dir "$1"); san=${2:-IP:127.0.0.1}
if [ ! -s "$dir/redis.pem" ] || [ ! -s "$dir/redis.key" ] || [ ! -s "$dir/ca.pem" ]; then
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=mxgate test Redis CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=redis" -keyout "$dir/redis.key" -out "$dir/redis.csr" &&
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/redis.ext" &&
    openssl x509 -req -in "$dir/redis.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 825 \
      -extfile "$dir/redis.ext" -out "$dir/redis.pem"
  } 2>"$dir/openssl.log" || { tail_logs "$dir/openssl.log"; die "openssl failed"; }
  chmod 600 "$dir/ca.key" "$dir/redis.key"
  rm -f "$dir/redis.csr" "$dir/redis.ext"
  log "test CA and a Redis certificate for $san in $dir"
fi
