#!/usr/bin/env bash
# Brings up Podman's Docker-compatible API next to dockerd, offline, without touching dockerd:
#   - installs podman when missing
#   - runs `podman system service` on its own socket ($STATE_DIR/podman/podman.sock) with its own storage,
#     run root, CNI config folder and containers.conf (no systemd here: cgroupfs, file events, runc)
#   - loads the offline test image from dockerd (`docker save | podman load`)
# Idempotent and locked (the caller, scripts/engine.sh, holds the engine lock; run alone it takes its own).
# Networking: Podman's CNI bridge uses its own interface (cni-podman0) and subnet (10.88.0.0/16), and its own
# iptables chains (CNI-*); docker0 and dockerd's chains are left alone. The script checks that afterwards.
set -euo pipefail

STATE_DIR="${EFFECT_DOCKER_STATE:-/tmp/effect-docker-engine}"
DIR="$STATE_DIR/podman"
SOCK="$DIR/podman.sock"
IMAGE=effect-docker/busybox:latest
mkdir -p "$DIR"
if [ "${EFFECT_DOCKER_ENGINE_LOCKED:-}" != 1 ]; then
  exec 8>"$DIR/podman.lock"
  flock 8
fi

log() { printf '[podman] %s\n' "$*" >&2; }
die() { printf '[podman] FAILED: %s\n' "$*" >&2; exit 1; }

if ! command -v podman >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "need root to install podman"
  log "installing podman"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq podman >/dev/null
fi

mkdir -p "$DIR/root" "$DIR/runroot" "$DIR/cni" "$DIR/tmp"
# A container's nofile/nproc limits must fit the machine's, or runc fails with "error setting rlimit type 7".
cat >"$DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events.log"
runtime = "runc"
tmp_dir = "$DIR/tmp"
[network]
network_backend = "cni"
network_config_dir = "$DIR/cni"
CONF
cat >"$DIR/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$DIR/root"
runroot = "$DIR/runroot"
CONF
# The local registries of scripts/engine.sh speak plain HTTP; no search registries (offline).
cat >"$DIR/registries.conf" <<CONF
unqualified-search-registries = []
short-name-mode = "permissive"
[[registry]]
location = "127.0.0.1:5000"
insecure = true
[[registry]]
location = "127.0.0.1:5001"
insecure = true
CONF
export CONTAINERS_CONF="$DIR/containers.conf" CONTAINERS_STORAGE_CONF="$DIR/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$DIR/registries.conf"

answers() { curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

# A service started with other settings (an older version of this script) is replaced.
digest=$(cat "$DIR/containers.conf" "$DIR/storage.conf" "$DIR/registries.conf" | sha256sum | cut -c1-16)
if answers && [ "$(cat "$DIR/service.digest" 2>/dev/null)" != "$digest" ] && [ -f "$DIR/service.pid" ]; then
  log "settings changed: restarting the podman service"
  kill "$(cat "$DIR/service.pid")" 2>/dev/null || true
  for _ in $(seq 1 40); do answers || break; sleep 0.25; done
fi

if ! answers; then
  log "starting podman system service on $SOCK"
  rm -f "$SOCK"
  setsid nohup podman system service --time=0 "unix://$SOCK" >"$DIR/service.log" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$DIR/service.pid"
  echo "$digest" >"$DIR/service.digest"
  for _ in $(seq 1 120); do answers && break; sleep 0.5; done
  answers || { tail -30 "$DIR/service.log" >&2; die "podman did not come up on $SOCK"; }
fi
ping_headers=$(curl -sfI --unix-socket "$SOCK" http://d/_ping | tr -d '\r')
libpod=$(echo "$ping_headers" | sed -n 's/^Libpod-Api-Version: //p')
log "podman $libpod (API $(echo "$ping_headers" | sed -n 's/^Api-Version: //p')) on $SOCK"

if ! podman image exists "$IMAGE"; then
  docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE is missing from dockerd (run scripts/engine.sh)"
  log "loading $IMAGE from dockerd"
  docker save "$IMAGE" | podman load -q >/dev/null
fi
log "test image $IMAGE ready on podman"
ip link show docker0 >/dev/null 2>&1 || die "docker0 is missing after starting podman"
