#!/bin/bash
# install.sh -- idempotent prerequisites for a fresh Debian 12 machine (run as root).
#
#   dev/install.sh [extra-package|@group...]      e.g. dev/install.sh postfix @containers
#
# Installs whatever is missing of redis-server, dovecot (core, lmtpd, imapd), swaks and the
# extra packages; does nothing (no apt at all) when everything is present.  Groups:
#   @containers  podman and runc (dev/podman.sh, dev/kube.sh), catatonit (podman's own pause image),
#                debootstrap (dev/images.sh's base image), python3-yaml (dev/kube.sh reads the manifests)
# While apt runs,
# a temporary /usr/sbin/policy-rc.d keeps Debian from starting the system services: the
# dev/ scripts run their own private instances.
. "$(dirname "$0")/lib.sh"

POLICY=/usr/sbin/policy-rc.d

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

declare -A PKG_GROUPS=([@containers]="podman runc catatonit debootstrap python3-yaml")

missing=()
for p in redis-server dovecot-core dovecot-lmtpd dovecot-imapd swaks "$@"; do
  if [[ $p == @* ]]; then
    [ -n "${PKG_GROUPS[$p]:-}" ] || die "no package group $p (groups: ${!PKG_GROUPS[*]})"
    for q in ${PKG_GROUPS[$p]}; do installed "$q" || missing+=("$q"); done
  else
    installed "$p" || missing+=("$p")
  fi
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
