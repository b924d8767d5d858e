#!/usr/bin/env bash
# Pushes 127.0.0.1:5000/effect-docker/progress:latest to the open local registry: the offline test image plus a
# 4 MiB layer of random bytes, then removes it locally, so that pulling it shows real download progress.
# Needs the engine and registries of scripts/engine.sh.
set -euo pipefail
REF=127.0.0.1:5000/effect-docker/progress:latest
name=effect-docker-progress-$$
docker rm -f "$name" >/dev/null 2>&1 || true
docker run --name "$name" effect-docker/busybox:latest sh -c 'dd if=/dev/urandom of=/blob bs=1M count=4 2>/dev/null'
docker commit "$name" "$REF" >/dev/null
docker rm -f "$name" >/dev/null
docker push "$REF" >/dev/null
docker rmi "$REF" >/dev/null
echo "$REF"
