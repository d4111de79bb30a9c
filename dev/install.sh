#!/bin/bash
# install.sh -- idempotent prerequisites for a fresh Debian 12 machine (run as root).
#
#   dev/install.sh [extra-package...]      e.g. dev/install.sh postfix
#
# Installs whatever is missing of redis-server, dovecot (core, lmtpd, imapd), swaks and the
# extra packages; does nothing (no apt at all) when everything is present.  While apt runs,
# a temporary /usr/sbin/policy-rc.d keeps Debian from starting the system services: the
# dev/ scripts run their own private instances.
. "$(dirname "$0")/lib.sh"

POLICY=/usr/sbin/policy-rc.d

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in redis-server dovecot-core dovecot-lmtpd dovecot-imapd swaks "$@"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} = 0 ]; then
  log "all packages present"; exit 0
fi
[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root: sudo $0 $*"

if [ ! -e "$POLICY" ]; then
  trap 'rm -f "$POLICY"' EXIT
  trap 'exit 130' INT TERM
  printf '#!/bin/sh\n# temporary, from mxgate dev/install.sh: do not start services\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
fi
log "installing: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
log "installed: ${missing[*]}"
