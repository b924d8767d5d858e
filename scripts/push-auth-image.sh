#!/usr/bin/env bash
# Pushes 127.0.0.1:5001/effect-docker/private:latest to the local registry that needs a login (htpasswd
# testuser/testpassword, from scripts/engine.sh), using a throw-away DOCKER_CONFIG so the machine's own
# ~/.docker/config.json is left alone; then removes the tag locally.
set -euo pipefail
REF=127.0.0.1:5001/effect-docker/private:latest
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
echo testpassword | DOCKER_CONFIG="$cfg" docker login 127.0.0.1:5001 -u testuser --password-stdin >/dev/null
docker tag effect-docker/busybox:latest "$REF"
DOCKER_CONFIG="$cfg" docker push "$REF" >/dev/null
docker rmi "$REF" >/dev/null
echo "$REF"
