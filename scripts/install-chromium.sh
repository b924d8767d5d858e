#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (for the headless browser test); installs it with apt when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
[ "$(id -u)" = 0 ] || { echo "[chromium] FAILED: /usr/bin/chromium is missing and installing it needs root" >&2; exit 1; }
echo "[chromium] installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "[chromium] FAILED: chromium did not install" >&2; exit 1; }
