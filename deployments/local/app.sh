#!/usr/bin/env bash
# make app-up / app-down: every Argus role as its own process against the servers of
# `make infra-up` (see distributed.env), with the app's credentials that infra-up generated
# (var/infra.env, 0600: refused otherwise), logs in var/log, pids in var/run; `up` waits for
# the HTTP roles to be healthy and loads the demo batch batch-101.
#
# usage: deployments/local/app.sh {up|down|status}   (PARSERS=2 parser workers by default)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ARGUS="${ARGUS:-$ROOT/.venv/bin/argus}"
PARSERS="${PARSERS:-2}"
RUN="$ROOT/var/run"; LOG="$ROOT/var/log"
cd "$ROOT"
mkdir -p "$RUN" "$LOG"
CREDENTIALS="${ARGUS_VAR_DIR:-$ROOT/var}/infra.env"
if [[ "${1:-}" == up ]]; then
  [[ -f "$CREDENTIALS" ]] || { echo "app.sh: $CREDENTIALS is missing: run make infra-up first" >&2; exit 1; }
  [[ "$(stat -c %a "$CREDENTIALS")" == 600 ]] || { echo "app.sh: $CREDENTIALS must be mode 0600" >&2; exit 1; }
fi
# shellcheck source=/dev/null
set -a; source "$HERE/distributed.env"; [[ ! -f "$CREDENTIALS" ]] || source "$CREDENTIALS"; set +a

ROLES=(ingestor query orchestrator "worker aggregator" "worker agent")
for i in $(seq 1 "$PARSERS"); do ROLES+=("worker parser#$i"); done

name_of() { local r="${1// /-}"; echo "${r//#/-}"; }
alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_healthy() {
  for _ in $(seq 1 300); do
    curl -sf "$1/healthz" >/dev/null && return 0
    sleep 0.2
  done
  echo "not healthy: $1 (see $LOG)" >&2; return 1
}

case "${1:-}" in
  up)
    for role in "${ROLES[@]}"; do
      name="$(name_of "$role")"
      if alive "$name"; then continue; fi
      # shellcheck disable=SC2086 # the role is two words for workers
      nohup "$ARGUS" ${role%%#*} >>"$LOG/$name.log" 2>&1 &
      echo $! >"$RUN/$name.pid"
    done
    wait_healthy "http://127.0.0.1:$ARGUS_INGEST_PORT"
    wait_healthy "http://127.0.0.1:$ARGUS_HTTP_PORT"
    "$ARGUS" load-demo --ingest-url "http://127.0.0.1:$ARGUS_INGEST_PORT" --query-url "http://127.0.0.1:$ARGUS_HTTP_PORT"
    ;;
  down)
    for role in "${ROLES[@]}"; do
      name="$(name_of "$role")"
      if alive "$name"; then kill -TERM "$(cat "$RUN/$name.pid")"; fi
    done
    for role in "${ROLES[@]}"; do
      name="$(name_of "$role")"
      for _ in $(seq 1 150); do alive "$name" || break; sleep 0.2; done
      if alive "$name"; then kill -KILL "$(cat "$RUN/$name.pid")"; fi
      rm -f "$RUN/$name.pid"
    done
    ;;
  status)
    rc=0
    for role in "${ROLES[@]}"; do
      name="$(name_of "$role")"
      if alive "$name"; then echo "$name: running"; else echo "$name: stopped"; rc=1; fi
    done
    exit "$rc"
    ;;
  *) echo "usage: $0 {up|down|status}" >&2; exit 2 ;;
esac
