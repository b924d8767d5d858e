#!/usr/bin/env bash
# Brings up the real-engine test environment on this machine, offline:
#   - installs docker.io, docker-registry, busybox-static, htpasswd and openssl when missing
#   - starts dockerd (unless a daemon already answers on /var/run/docker.sock)
#   - starts two local registries on 127.0.0.1: an open one (:5000) and one with htpasswd auth (:5001)
#   - builds the offline test image "effect-docker/busybox:latest" from the busybox-static binary
#   - starts Podman's Docker-compatible API on its own socket (scripts/podman.sh), the suites' second engine
# Idempotent: running it again only checks that everything is up.
set -euo pipefail

STATE_DIR="${EFFECT_DOCKER_STATE:-/tmp/effect-docker-engine}"
SOCK=/var/run/docker.sock
IMAGE=effect-docker/busybox:latest
mkdir -p "$STATE_DIR"
# One run at a time: test runs started together must not restart the daemon under each other.
exec 9>"$STATE_DIR/engine.lock"
flock 9

log() { printf '[engine] %s\n' "$*" >&2; }
die() { printf '[engine] FAILED: %s\n' "$*" >&2; exit 1; }

need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || need_install+=(docker-registry)
[ -x /bin/busybox ] || need_install+=(busybox-static)
command -v htpasswd >/dev/null 2>&1 || need_install+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need_install+=(openssl)
if [ ${#need_install[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "need root to install: ${need_install[*]}"
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

# A daemon whose default bridge was deleted (e.g. by another dockerd started with --bridge=none) cannot start
# containers: restart it so it recreates docker0.
if docker version >/dev/null 2>&1 && ! ip link show docker0 >/dev/null 2>&1; then
  log "docker0 is missing: restarting dockerd"
  pkill -f "dockerd --host unix://$SOCK" || true
  for _ in $(seq 1 120); do docker version >/dev/null 2>&1 || break; sleep 0.5; done
fi

if ! docker version >/dev/null 2>&1; then
  log "starting dockerd"
  setsid nohup dockerd --host "unix://$SOCK" >"$STATE_DIR/dockerd.log" 2>&1 < /dev/null 9>&- &
  for _ in $(seq 1 240); do
    docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker version >/dev/null 2>&1 || { tail -30 "$STATE_DIR/dockerd.log" >&2; die "dockerd did not come up on $SOCK"; }
fi
log "docker engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

start_registry() { # name port [htpasswd-file]
  local name=$1 port=$2 auth=${3:-}
  if curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; then return 0; fi
  local dir="$STATE_DIR/registry-$name"
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ -n "$auth" ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: effect-docker-test"
      echo "    path: $auth"
    fi
  } >"$dir/config.yml"
  setsid nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 < /dev/null 9>&- &
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
    sleep 0.25
  done
  tail -20 "$dir/registry.log" >&2
  die "registry $name did not come up on 127.0.0.1:$port"
}

start_registry open 5000
if [ ! -f "$STATE_DIR/htpasswd" ]; then
  htpasswd -Bbn testuser testpassword >"$STATE_DIR/htpasswd"
fi
start_registry auth 5001 "$STATE_DIR/htpasswd"
log "registries on 127.0.0.1:5000 (open) and 127.0.0.1:5001 (htpasswd testuser/testpassword)"

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "building $IMAGE from busybox-static"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
  echo "root:x:0:" >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
log "test image $IMAGE ready"

# The demo pulls this copy of the test image from the local registry (with a progress bar).
DEMO_IMAGE=127.0.0.1:5000/effect-docker/busybox:demo
if ! curl -sf -o /dev/null "http://127.0.0.1:5000/v2/effect-docker/busybox/manifests/demo" \
  -H "Accept: application/vnd.docker.distribution.manifest.v2+json"; then
  docker tag "$IMAGE" "$DEMO_IMAGE"
  docker push "$DEMO_IMAGE" >/dev/null
  log "pushed $DEMO_IMAGE"
fi

# The second engine: Podman's Docker-compatible API on its own socket (scripts/podman.sh), next to dockerd.
EFFECT_DOCKER_ENGINE_LOCKED=1 bash "$(dirname "${BASH_SOURCE[0]}")/podman.sh"
