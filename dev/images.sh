#!/bin/bash
# images.sh -- the OCI image of each mxgate service, built with podman from the Containerfile, no Docker engine.
#
#   dev/images.sh [--save DIR] [SERVICE...]      default: all four services
#
# Each image is mxgate/<service>:<project version> (the root pom's version), from the service's Quarkus fast-jar
# (<service>/target/quarkus-app: build it first, e.g. mvn -B -Dmaven.test.skip=true package; ./mxgate images does).
# --save DIR also writes DIR/<service>-<version>.tar, a docker-archive that `docker load`, `kind load image-archive`
# and `podman load` read (named docker.io/mxgate/<service>:<version>, i.e. mxgate/<service> to Docker).
#
# The base image is made here from Debian's packages, since no registry is reachable from the machines this
# project is built on: debootstrap --variant=minbase bookworm with openjdk-17-jre-headless from the machine's own
# apt mirror (/etc/apt/sources.list*), imported as localhost/mxgate/base:bookworm-jre17 with a user 185 (mxgate).
# It is made once and kept; MXGATE_BASE_REBUILD=1 makes it again (a Debian point release). The Containerfile's
# layers are cached by podman too, so a second run only copies what changed.
# Env: MXGATE_BASE_IMAGE: use this base instead (e.g. the Containerfile's public default, when a registry is
# reachable); MXGATE_DEBIAN_MIRROR: the mirror debootstrap uses.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PODMAN=$ROOT/dev/podman.sh
BASE=localhost/mxgate/base:bookworm-jre17
ALL=(smtp-ingress verifier queue-worker lmtp-delivery)

# version: the root pom's own <version> (the first one indented as a child of <project>)
version() { sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml" | head -n 1; }

# mirror: the first Debian archive (not the security archive) that apt's sources name, one-line or deb822 format
mirror() {
  if [ -n "${MXGATE_DEBIAN_MIRROR:-}" ]; then echo "$MXGATE_DEBIAN_MIRROR"; return; fi
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
      sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' -e 's/^URIs: *\([^ ]*\).*/\1/p' |
      grep -v -- '-security' | head -n 1)
  echo "${m:-http://deb.debian.org/debian}"
}

base_image() {
  if [ -n "${MXGATE_BASE_IMAGE:-}" ]; then echo "$MXGATE_BASE_IMAGE"; return; fi
  if [ -z "${MXGATE_BASE_REBUILD:-}" ] && "$PODMAN" image exists "$BASE"; then echo "$BASE"; return; fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed: run dev/install.sh @containers"
  local t0=$SECONDS dir src
  src=$(mirror)
  dir=$(mktemp -d /var/tmp/mxgate-base.XXXXXX)
  # shellcheck disable=SC2064 # the directory is known now
  trap "rm -rf '$dir'" EXIT
  log "making the base image from Debian packages (debootstrap bookworm from $src) ..."
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$dir" "$src" >"$dir.log" 2>&1 \
    || { tail_logs "$dir.log"; rm -f "$dir.log"; die "debootstrap failed"; }
  rm -f "$dir.log"
  # what an image does not need: package lists and caches, documentation, translations (34 MB; C.UTF-8 is in
  # libc), logs of the installation, and ct.sym (8 MB, javac's API signatures of older releases, never read by java)
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/var/cache/debconf/*-old \
         "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* \
         "$dir"/var/log/* "$dir"/usr/lib/jvm/java-17-openjdk-*/lib/ct.sym
  # the user the services run as (the chart's runAsUser 185), with a home the JVM can name
  echo 'mxgate:x:185:185:mxgate:/deployments:/usr/sbin/nologin' >>"$dir/etc/passwd"
  echo 'mxgate:x:185:' >>"$dir/etc/group"
  tar --numeric-owner -C "$dir" -c . |
    "$PODMAN" import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$dir"
  trap - EXIT
  log "base image $BASE made in $((SECONDS - t0)) s"
  echo "$BASE"
}

save=
services=()
while [ $# -gt 0 ]; do
  case $1 in
    --save) [ $# -ge 2 ] || die "usage: $0 [--save DIR] [SERVICE...]"; save=$(abs_dir "$2"); shift 2 ;;
    smtp-ingress|verifier|queue-worker|lmtp-delivery) services+=("$1"); shift ;;
    *) die "usage: $0 [--save DIR] [SERVICE...]  (services: ${ALL[*]})" ;;
  esac
done
[ ${#services[@]} -gt 0 ] || services=("${ALL[@]}")

t0=$SECONDS
v=$(version)
[ -n "$v" ] || die "no version in $ROOT/pom.xml"
for s in "${services[@]}"; do
  [ -f "$ROOT/$s/target/quarkus-app/quarkus-run.jar" ] \
    || die "$s/target/quarkus-app is not built (mvn -B -Dmaven.test.skip=true package)"
done
base=$(base_image)
for s in "${services[@]}"; do
  "$PODMAN" build --quiet -f "$ROOT/Containerfile" --build-arg "BASE_IMAGE=$base" --build-arg "SERVICE=$s" \
    -t "mxgate/$s:$v" "$ROOT/$s" >/dev/null
  log "built mxgate/$s:$v"
  if [ -n "$save" ]; then
    # named docker.io/mxgate/...: what Docker calls mxgate/<service> after `docker load`
    "$PODMAN" tag "mxgate/$s:$v" "docker.io/mxgate/$s:$v"
    rm -f "$save/$s-$v.tar"
    "$PODMAN" save --quiet --format docker-archive -o "$save/$s-$v.tar" "docker.io/mxgate/$s:$v"
    "$PODMAN" untag "docker.io/mxgate/$s:$v" "docker.io/mxgate/$s:$v"
    log "saved $save/$s-$v.tar"
  fi
done
# the images these tags named before (and, after MXGATE_BASE_REBUILD, the old base's layer under them) are no
# longer referenced; the cached layers of the builds above stay, since a tagged image sits on top of each
"$PODMAN" image prune --force >/dev/null
log "images built in $((SECONDS - t0)) s:"
"$PODMAN" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^localhost/mxgate/($(IFS='|'; echo "${services[*]}")):$v " >&2 || true
