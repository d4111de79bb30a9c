#!/bin/bash
# podman.sh -- podman as mxgate runs it: with its own containers.conf (dev/containers.conf: runc, rlimits, stop
# timeout) through CONTAINERS_CONF, never an edit of /etc/containers.
#
#   dev/podman.sh ARGS...      e.g. dev/podman.sh images, dev/podman.sh pod ps
#
# Podman itself comes from Debian (dev/install.sh @containers). It runs as root here: rootless podman needs
# subordinate uid ranges the machine does not have, and the pods use the host's network like the dev/ servers.
CONTAINERS_CONF=$(cd "$(dirname "$0")" && pwd)/containers.conf
export CONTAINERS_CONF
command -v podman >/dev/null || { echo "podman.sh: podman is not installed: run dev/install.sh @containers" >&2; exit 127; }
exec podman "$@"
