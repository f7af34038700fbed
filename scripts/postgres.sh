#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on a free loopback port.
# Usage: source scripts/postgres.sh; start_postgres; ...; stop_postgres
# Sets DATABASE_URL (postgres://apojwt@127.0.0.1:PORT/apojwt, trust auth on loopback only).
#
# PostgreSQL refuses to run as root, so when this runs as root (CI does) the
# cluster belongs to an unprivileged user: `postgres` when the package made
# one, else `apojwt-pg`, created here.

# The directory holding initdb/pg_ctl/postgres: on PATH, or Debian's versioned folder.
postgres_bin_dir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

ensure_postgres_installed() {
  if [ -n "$(postgres_bin_dir)" ]; then return 0; fi
  echo "apojwt: installing postgresql"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
}

# Runs a command as the cluster's owner: as itself when not root.
as_postgres_owner() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  runuser -u "$POSTGRES_OWNER" -- "$@"
}

postgres_owner() {
  if [ "$(id -u)" -ne 0 ]; then id -un; return 0; fi
  if id postgres >/dev/null 2>&1; then echo postgres; return 0; fi
  id apojwt-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin apojwt-pg
  echo apojwt-pg
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_postgres() {
  ensure_postgres_installed
  local bin
  bin="$(postgres_bin_dir)"
  POSTGRES_OWNER="$(postgres_owner)"
  POSTGRES_DIR="$(mktemp -d)"
  chmod 755 "$POSTGRES_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown "$POSTGRES_OWNER" "$POSTGRES_DIR"; fi
  POSTGRES_PORT="$(free_port)"
  as_postgres_owner "$bin/initdb" -D "$POSTGRES_DIR/data" -U apojwt --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$POSTGRES_DIR/initdb.log" 2>&1 ||
    as_postgres_owner "$bin/initdb" -D "$POSTGRES_DIR/data" -U apojwt --auth=trust --encoding=UTF8 --locale=C >"$POSTGRES_DIR/initdb.log" 2>&1 || {
      cat "$POSTGRES_DIR/initdb.log" >&2
      return 1
    }
  # No fsync: a throw-away cluster, and the tests should not wait on the disk.
  # The socket directory is the cluster's own folder (no /var/run/postgresql needed).
  as_postgres_owner "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/postgres.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $POSTGRES_PORT -c unix_socket_directories=$POSTGRES_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    cat "$POSTGRES_DIR/postgres.log" >&2
    return 1
  }
  as_postgres_owner "$bin/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U apojwt apojwt
  export DATABASE_URL="postgres://apojwt@127.0.0.1:$POSTGRES_PORT/apojwt"
  echo "apojwt: postgresql on $DATABASE_URL"
}

stop_postgres() {
  if [ -n "${POSTGRES_DIR:-}" ] && [ -d "$POSTGRES_DIR/data" ]; then
    as_postgres_owner "$(postgres_bin_dir)/pg_ctl" -D "$POSTGRES_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -n "${POSTGRES_DIR:-}" ] && rm -rf "$POSTGRES_DIR"
  return 0
}
