#!/usr/bin/env bash
# A private PostgreSQL 15 for the store tests: trust auth on 127.0.0.1 only, fsync on.
#
#   eval "$(scripts/pg-test-server.sh start)"   # starts it (or reuses a running one), exports
#                                                # SAG_TEST_PG_DSN
#   scripts/pg-test-server.sh status            # exit 0 when it is running
#   scripts/pg-test-server.sh stop              # stops it and removes its data directory
#
# Both commands are idempotent. Only the `export ...` line goes to stdout; progress goes to stderr.
# Environment: SAG_PG_PORT (default 55432), SAG_PG_DIR (default /tmp/sag-pg-test-$SAG_PG_PORT),
# SAG_PG_BIN (default /usr/lib/postgresql/15/bin). When run as root, the server runs as `postgres`.
set -euo pipefail

PORT="${SAG_PG_PORT:-55432}"
BASE="${SAG_PG_DIR:-/tmp/sag-pg-test-$PORT}"
BIN="${SAG_PG_BIN:-/usr/lib/postgresql/15/bin}"
DATA="$BASE/data"
LOG="$BASE/server.log"
DSN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"

log() { echo "pg-test-server: $*" >&2; }

# Runs a command as the server's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; }

# Running: our data directory's server is up and answers on the port (a pid file left by a killed
# server does not count).
running() {
  [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 && ready
}

start() {
  if [[ ! -x "$BIN/initdb" ]]; then
    log "no PostgreSQL binaries in $BIN (install the Debian package postgresql, or set SAG_PG_BIN)"
    exit 1
  fi
  if running; then
    log "already running in $DATA on port $PORT"
  else
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
      rm -rf "$DATA"  # a half-made directory from an interrupted run
      mkdir -p "$BASE"
      if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$BASE"
      fi
      chmod 700 "$BASE"
      log "initdb $DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C --auth=trust \
        >"$BASE/initdb.log" 2>&1 || {
        cat "$BASE/initdb.log" >&2
        exit 1
      }
      # Loopback TCP only, trusted; no Unix socket directory outside our own.
      cat >"$DATA/pg_hba.conf" <<EOF
host all all 127.0.0.1/32 trust
local all all trust
EOF
      if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$DATA/pg_hba.conf"
      fi
    fi
    # A killed server leaves its pid file (and, for a moment, its children): wait for them to
    # go, then remove the stale file, which would stop pg_ctl start.
    if [[ -f "$DATA/postmaster.pid" ]]; then
      for _ in $(seq 1 20); do
        as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || break
        sleep 0.5
      done
      log "removing stale postmaster.pid"
      rm -f "$DATA/postmaster.pid"
    fi
    log "starting on 127.0.0.1:$PORT (log $LOG)"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$BASE \
-c fsync=on -c synchronous_commit=on -c max_connections=200" >&2 || {
      tail -n 30 "$LOG" >&2 || true
      exit 1
    }
  fi
  for _ in $(seq 1 60); do
    if ready; then
      echo "export SAG_TEST_PG_DSN='$DSN'"
      return 0
    fi
    sleep 0.5
  done
  log "server did not become ready; see $LOG"
  exit 1
}

stop() {
  if [[ -f "$DATA/postmaster.pid" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "stopping"
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2
  fi
  rm -rf "$BASE"
  log "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
