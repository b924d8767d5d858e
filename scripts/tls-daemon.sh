#!/usr/bin/env bash
# A second Docker daemon for the TLS tests, listening on tcp://127.0.0.1:${TLS_DAEMON_PORT:-2376} with --tlsverify.
#   scripts/tls-daemon.sh start   generates certificates with openssl in $DIR/certs (ca.pem, cert.pem, key.pem for
#                                 the client, server-*.pem, and a second unrelated CA in wrong-ca.pem), starts
#                                 dockerd with its own --data-root, --exec-root, --pidfile and unix socket,
#                                 a bridge of its own (docker-tls0: --bridge=none would make dockerd delete the main
#                                 engine's docker0) and --iptables=false, and waits until it answers over TLS.
#   scripts/tls-daemon.sh stop    stops it.
# Fails loudly (exit 1, with the daemon's log) when anything goes wrong. Needs root, dockerd and openssl.
set -euo pipefail
DIR="${TLS_DAEMON_DIR:-/tmp/effect-docker-tls}"
PORT="${TLS_DAEMON_PORT:-2376}"
CERTS="$DIR/certs"
log() { printf '[tls-daemon] %s\n' "$*" >&2; }
die() { printf '[tls-daemon] FAILED: %s\n' "$*" >&2; exit 1; }

stop() {
  if [ -f "$DIR/docker.pid" ]; then
    local pid
    pid=$(cat "$DIR/docker.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" || true
    fi
    rm -f "$DIR/docker.pid"
  fi
}

certs() {
  mkdir -p "$CERTS"
  cd "$CERTS"
  [ -f ca.pem ] && [ -f wrong-ca.pem ] && [ -f cert.pem ] && [ -f server-cert.pem ] && return 0
  openssl genrsa -out ca-key.pem 2048 2>/dev/null
  openssl req -new -x509 -days 2 -key ca-key.pem -sha256 -subj "/CN=effect-docker test CA" -out ca.pem
  openssl genrsa -out wrong-ca-key.pem 2048 2>/dev/null
  openssl req -new -x509 -days 2 -key wrong-ca-key.pem -sha256 -subj "/CN=unrelated CA" -out wrong-ca.pem
  openssl genrsa -out server-key.pem 2048 2>/dev/null
  openssl req -new -key server-key.pem -subj "/CN=localhost" -out server.csr
  printf 'subjectAltName = IP:127.0.0.1,DNS:localhost\nextendedKeyUsage = serverAuth\n' >server-ext.cnf
  openssl x509 -req -days 2 -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
    -out server-cert.pem -extfile server-ext.cnf 2>/dev/null
  openssl genrsa -out key.pem 2048 2>/dev/null
  openssl req -new -key key.pem -subj "/CN=client" -out client.csr
  printf 'extendedKeyUsage = clientAuth\n' >client-ext.cnf
  openssl x509 -req -days 2 -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
    -out cert.pem -extfile client-ext.cnf 2>/dev/null
  chmod 0644 ./*.pem
}

answers() {
  curl -s --max-time 2 --cacert "$CERTS/ca.pem" --cert "$CERTS/cert.pem" --key "$CERTS/key.pem" \
    "https://127.0.0.1:$PORT/_ping" 2>/dev/null | grep -q OK
}

start() {
  command -v dockerd >/dev/null || die "dockerd is not installed (run scripts/engine.sh)"
  command -v openssl >/dev/null || die "openssl is not installed"
  mkdir -p "$DIR"
  certs
  if ! ip link show docker-tls0 >/dev/null 2>&1; then
    ip link add docker-tls0 type bridge
    ip addr add 172.31.254.1/24 dev docker-tls0
    ip link set docker-tls0 up
  fi
  if answers; then log "already running on 127.0.0.1:$PORT"; return 0; fi
  stop
  nohup dockerd \
    --tlsverify --tlscacert "$CERTS/ca.pem" --tlscert "$CERTS/server-cert.pem" --tlskey "$CERTS/server-key.pem" \
    --host "tcp://127.0.0.1:$PORT" --host "unix://$DIR/docker.sock" \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    --bridge=docker-tls0 --iptables=false --ip-masq=false \
    >"$DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do answers && break; sleep 0.5; done
  answers || { tail -30 "$DIR/dockerd.log" >&2; die "dockerd did not answer over TLS on 127.0.0.1:$PORT"; }
  log "dockerd with --tlsverify on tcp://127.0.0.1:$PORT (certificates in $CERTS)"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
