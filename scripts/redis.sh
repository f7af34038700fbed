#!/usr/bin/env bash
# Starts a throw-away redis-server on a free loopback port.
# Usage: source scripts/redis.sh; start_redis; ...; stop_redis
ensure_redis_installed() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  echo "apojwt: installing redis-server"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_redis() {
  ensure_redis_installed
  REDIS_DIR="$(mktemp -d)"
  REDIS_PORT="$(free_port)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" \
    --logfile "$REDIS_DIR/redis.log" >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  echo "apojwt: redis-server on $REDIS_URL"
}

stop_redis() {
  if [ -n "${REDIS_DIR:-}" ] && [ -f "$REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
  fi
  [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
  return 0
}
