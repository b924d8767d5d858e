#!/usr/bin/env bash
# An OpenSSH server for the SSH transport tests, on 127.0.0.1:${SSH_TEST_PORT:-2222} with its own sshd_config,
# host key and an authorized client key it generates (in $DIR). The test user is root (the only user that can
# run `docker system dial-stdio` against /var/run/docker.sock here).
#   scripts/ssh-server.sh start   installs openssh-server when missing, writes the keys and config, starts sshd
#                                 and checks a login with the client key.
#   scripts/ssh-server.sh stop    stops it.
# Prints nothing on success; fails loudly (exit 1) otherwise.
set -euo pipefail
DIR="${SSH_TEST_DIR:-/tmp/effect-docker-ssh}"
PORT="${SSH_TEST_PORT:-2222}"
log() { printf '[ssh-server] %s\n' "$*" >&2; }
die() { printf '[ssh-server] FAILED: %s\n' "$*" >&2; exit 1; }

stop() {
  if [ -f "$DIR/sshd.pid" ]; then
    kill "$(cat "$DIR/sshd.pid")" 2>/dev/null || true
    rm -f "$DIR/sshd.pid"
  fi
}

login_works() {
  ssh -i "$DIR/client_key" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile="$DIR/known_hosts" -o ConnectTimeout=5 root@127.0.0.1 true 2>/dev/null
}

start() {
  [ "$(id -u)" = 0 ] || die "needs root"
  if [ ! -x /usr/sbin/sshd ]; then
    log "installing openssh-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null || die "cannot install openssh-server"
  fi
  command -v docker >/dev/null || die "the docker CLI is needed on the server side (docker system dial-stdio)"
  mkdir -p "$DIR" /run/sshd
  chmod 700 "$DIR"
  [ -f "$DIR/host_key" ] || ssh-keygen -q -t ed25519 -N "" -f "$DIR/host_key"
  [ -f "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N "" -f "$DIR/client_key"
  cp "$DIR/client_key.pub" "$DIR/authorized_keys"
  chmod 600 "$DIR/authorized_keys"
  cat >"$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 50
MaxSessions 50
SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONF
  if login_works; then return 0; fi
  stop
  /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log" || die "sshd did not start: $(tail -5 "$DIR/sshd.log" 2>/dev/null)"
  for _ in $(seq 1 40); do login_works && return 0; sleep 0.25; done
  tail -20 "$DIR/sshd.log" >&2
  die "cannot log in to 127.0.0.1:$PORT with the test key"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
