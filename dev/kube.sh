#!/bin/bash
# kube.sh -- the Deployments, ConfigMaps and Secrets of a rendered Helm chart (helm template) run under podman's
# `kube play`, standing in for a one-node Kubernetes; what podman 4.3 does not do is done here.
#
#   dev/kube.sh play MANIFEST      play it, then wait until every service answers /q/health/ready. Played again
#                                  while its pods run: the ConfigMaps' files are updated in the running pods, as
#                                  the kubelet updates a mounted ConfigMap, and nothing restarts (a changed
#                                  Deployment needs down, then play)
#   dev/kube.sh down MANIFEST      SIGTERM to every pod at once, SIGKILL after its terminationGracePeriodSeconds,
#                                  then keep each container's log beside MANIFEST (<container>.log) and remove
#                                  the pods and the ConfigMaps' volumes
#   dev/kube.sh status MANIFEST    each Deployment's pod and container state
#
# Podman 4.3 (Debian 12) and the chart, what is applied and what is not:
# - applied: the securityContext's runAsUser/runAsGroup 185, readOnlyRootFilesystem, dropped capabilities and
#   allowPrivilegeEscalation false (no_new_privs); hostNetwork; env; the memory limit (a cgroup limit the JVM sizes
#   its heap from); emptyDir and ConfigMap volumes (a podman volume named after the ConfigMap, rewritten by each play).
#   seccompProfile RuntimeDefault is not read, but podman's default profile applies all the same.
# - not read, and moot here: runAsNonRoot (the user is 185 anyway), fsGroup (the emptyDir /tmp keeps the image's
#   mode 1777; ConfigMap files are world-readable), automountServiceAccountToken, dnsPolicy.
# - adapted: podman 4.3 publishes every containerPort on the host (hostPort defaults to it) and then refuses host
#   networking ("PortMappings can only be used with Bridge or slirp4netns networking"), so the containers of a
#   hostNetwork pod lose their `ports` list in the copy that is played (MANIFEST minus .yaml plus .podman.yaml);
#   with host networking the list only documents which ports the process opens, in Kubernetes too. And podman 4.3
#   makes an emptyDir a volume named after the pod's volume, so the four pods' "tmp" would be one directory (their
#   JVMs' hsperfdata files collide): in the copy each emptyDir is named <deployment>-<volume>, one per pod as in
#   Kubernetes.
# - not applied: Services (podman has none: the chart's hostNetwork values make the pods reach each other at one
#   address), readiness and startup probes (ignored by podman 4.3: this script polls /q/health/ready itself), the
#   liveness probe (podman 4.3 would make it a healthcheck that runs `curl http://localhost:0/...` inside the
#   container, reading the named port "http" as 0, which only systemd timers would run, and there is no systemd
#   here: the copy that is played leaves it out; ContainersTest asks /q/health/live itself), replicas above 1,
#   terminationGracePeriodSeconds (`podman kube down` stops with no grace at all, SIGKILL at once: `down` here stops
#   the pods first with the manifest's grace period).
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PODMAN=$ROOT/dev/podman.sh

usage() { die "usage: $0 play|down|status MANIFEST"; }

# manifest MANIFEST: one line per Deployment: name, terminationGracePeriodSeconds, and each container's
# readiness URL (http://QUARKUS_HTTP_HOST:QUARKUS_HTTP_PORT/q/health/ready), tab-separated; then "configmap NAME"
# lines. Podman names a Deployment's pod <name>-pod-0 and its containers <pod>-<container>.
manifest() {
  python3 - "$1" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if not doc:
        continue
    if doc["kind"] == "ConfigMap":
        print("configmap\t" + doc["metadata"]["name"])
    if doc["kind"] != "Deployment":
        continue
    pod = doc["spec"]["template"]["spec"]
    urls = []
    for c in pod["containers"]:
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        host = env.get("QUARKUS_HTTP_HOST", "127.0.0.1")
        host = "127.0.0.1" if host == "0.0.0.0" else host
        urls.append("%s=http://%s:%s/q/health/ready" % (c["name"], host, env.get("QUARKUS_HTTP_PORT", "8080")))
    print("\t".join(["deployment", doc["metadata"]["name"], str(pod.get("terminationGracePeriodSeconds", 30))] + urls))
PY
}

ready() { curl -fsS -m 2 "$1" >/dev/null 2>&1; }

# for_podman MANIFEST: the copy of MANIFEST that is played (see above), its name on stdout
for_podman() {
  local out=${1%.yaml}.podman.yaml
  python3 - "$1" "$out" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    if d["kind"] != "Deployment":
        continue
    pod = d["spec"]["template"]["spec"]
    for c in pod["containers"]:
        c.pop("livenessProbe", None)
        if pod.get("hostNetwork"):
            c.pop("ports", None)
    renamed = {}
    for v in pod.get("volumes", []):
        if "emptyDir" in v:
            renamed[v["name"]] = v["name"] = d["metadata"]["name"] + "-" + v["name"]
    for c in pod["containers"]:
        for m in c.get("volumeMounts", []):
            m["name"] = renamed.get(m["name"], m["name"])
with open(sys.argv[2], "w") as f:
    f.write("# dev/kube.sh: %s as podman 4.3 plays it (no container ports with hostNetwork, no liveness probe, "
            "an emptyDir per pod)\n"
            % sys.argv[1])
    yaml.safe_dump_all(docs, f, sort_keys=False)
PY
  echo "$out"
}

# update_configmaps MANIFEST: each ConfigMap's data, as files, into the podman volume of its name that the running
# pods mount (what `kube play` wrote when it made them); files no longer in the ConfigMap go
update_configmaps() {
  python3 - "$1" "$PODMAN" <<'PY'
import os, subprocess, sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if not doc or doc["kind"] != "ConfigMap":
        continue
    name = doc["metadata"]["name"]
    where = subprocess.run([sys.argv[2], "volume", "inspect", "--format", "{{.Mountpoint}}", name],
                           check=True, capture_output=True, text=True).stdout.strip()
    data = doc.get("data") or {}
    for old in set(os.listdir(where)) - set(data):
        os.remove(os.path.join(where, old))
    for key, value in data.items():
        tmp = os.path.join(where, "." + key + ".new")
        with open(tmp, "w") as f:
            f.write(value)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(where, key))
    print("kube.sh: ConfigMap %s updated in place (%d files)" % (name, len(data)), file=sys.stderr)
PY
}

# exited POD: true when a container of the pod has stopped (a crash at startup)
exited() { "$PODMAN" pod inspect "$1" --format '{{range .Containers}}{{.State}} {{end}}' 2>/dev/null | grep -qw exited; }

play() {
  local file=$1 t0=$SECONDS kind name grace urls u container url deadline running=0 pods=0
  while IFS=$'\t' read -r kind name grace urls; do
    [ "$kind" = deployment ] || continue
    pods=$((pods + 1))
    if "$PODMAN" pod exists "$name-pod-0"; then running=$((running + 1)); fi
  done < <(manifest "$file")
  if [ "$running" -gt 0 ]; then
    [ "$running" = "$pods" ] || die "$running of the $pods pods of $file run: dev/kube.sh down $file first"
    update_configmaps "$file"
    return
  fi
  "$PODMAN" kube play "$(for_podman "$file")" >/dev/null || die "podman kube play $file failed"
  while IFS=$'\t' read -r kind name grace urls; do
    [ "$kind" = deployment ] || continue
    # readiness as the chart's startup probe would allow it: 60 periods of 2 s
    deadline=$((SECONDS + 120))
    for u in $urls; do
      container=${u%%=*} url=${u#*=}
      until ready "$url"; do
        if exited "$name-pod-0" || [ "$SECONDS" -ge "$deadline" ]; then
          "$PODMAN" logs --tail 30 "$name-pod-0-$container" >&2 || true
          die "$name is not ready ($url); its log is above"
        fi
        sleep 0.5
      done
      log "$name ready after $((SECONDS - t0)) s: $url"
    done
  done < <(manifest "$file")
}

down() {
  local file=$1 kind name grace urls pids=() p cms=()
  while IFS=$'\t' read -r kind name grace urls; do
    case $kind in
      configmap) cms+=("$name") ;;
      deployment)
        if "$PODMAN" pod exists "$name-pod-0"; then
          "$PODMAN" pod stop -t "$grace" "$name-pod-0" >/dev/null & pids+=($!)
        fi ;;
    esac
  done < <(manifest "$file")
  for p in "${pids[@]}"; do wait "$p" || true; done
  while IFS=$'\t' read -r kind name grace urls; do
    [ "$kind" = deployment ] || continue
    for u in $urls; do
      "$PODMAN" logs "$name-pod-0-${u%%=*}" >"$(dirname "$file")/${u%%=*}.log" 2>&1 || true
    done
  done < <(manifest "$file")
  "$PODMAN" kube down "$(for_podman "$file")" >/dev/null 2>&1 || true
  for p in "${cms[@]}"; do "$PODMAN" volume rm -f "$p" >/dev/null 2>&1 || true; done
  log "stopped and removed the pods of $file"
}

status() {
  local file=$1 kind name grace urls rc=0
  while IFS=$'\t' read -r kind name grace urls; do
    [ "$kind" = deployment ] || continue
    printf '%-28s ' "$name"
    "$PODMAN" pod inspect "$name-pod-0" --format '{{.State}}' 2>/dev/null || { echo "not running"; rc=1; }
  done < <(manifest "$file")
  return $rc
}

[ $# = 2 ] || usage
[ -f "$2" ] || die "no manifest $2"
case $1 in
  play) play "$2" ;;
  down) down "$2" ;;
  status) status "$2" ;;
  *) usage ;;
esac
