# Helpers shared by kafka.sh and minio.sh (sourced, not run). The caller sets REPO_ROOT.
# shellcheck shell=bash

_name="$(basename "$0")"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$REPO_ROOT/$1" ;; esac; }
log() { printf '[%s] %s\n' "$_name" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$_name" "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# stop_pid PID PID_FILE TIMEOUT_S: SIGTERM, wait up to TIMEOUT_S, then SIGKILL; forget the pid file.
stop_pid() {
  local pid="$1" pid_file="$2" timeout_s="$3"
  log "stopping pid $pid ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + timeout_s ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      log "no clean shutdown after ${timeout_s}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
  log "stopped"
}

# wait_until_ready PID READY_FN TIMEOUT_S WHAT HINT: poll READY_FN; if the process dies or the
# time runs out, print the log tail, stop it (a failed start leaves nothing behind) and fail.
# The caller defines LOG_FILE, PID_FILE and cmd_stop.
# shellcheck disable=SC2153 # PID_FILE and LOG_FILE come from the calling script
wait_until_ready() {
  local pid="$1" ready="$2" timeout_s="$3" what="$4" hint="${5:-}"
  local deadline=$(( $(date +%s) + timeout_s ))
  until "$ready"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 30 "$LOG_FILE" >&2 || true
      die "$what exited during startup; full log: $LOG_FILE"
    fi
    if (( $(date +%s) >= deadline )); then
      tail -n 30 "$LOG_FILE" >&2 || true
      log "$what not ready after ${timeout_s}s; stopping pid $pid"
      cmd_stop
      die "$what not ready after ${timeout_s}s${hint}; log: $LOG_FILE"
    fi
    sleep 0.2
  done
}

# pid_of PID_FILE PATTERN: print the pid in PID_FILE when that process is alive and its
# command line matches PATTERN (a recycled pid is not ours); fail otherwise.
pid_of() {
  local pid_file="$1" pattern="$2" pid
  [[ -f "$pid_file" ]] || return 1
  pid="$(head -n1 "$pid_file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern" || return 1
  printf '%s\n' "$pid"
}

# require_secrets NAME...: each variable set to a generated secret (infra.sh writes them);
# no server of the distributed mode starts on an empty or default password.
require_secrets() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || die "$name is not set (make infra-up generates it into var/infra-admin.env)"
    [[ "${!name}" =~ ^[A-Za-z0-9_-]{16,}$ ]] || die "$name: at least 16 characters of [A-Za-z0-9_-]"
  done
}
