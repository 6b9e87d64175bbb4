#!/usr/bin/env bash
# make infra-up / infra-down: the distributed mode's servers as local processes on loopback
# (no Docker): Apache Kafka (KRaft), MinIO, PostgreSQL 18 + pgvector, Redis. Idempotent;
# every `up` step waits until its server answers. State under <repo>/var.
#
# usage: deployments/local/infra.sh {up|down|status}
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ARGUS="${ARGUS:-$ROOT/.venv/bin/argus}"
cd "$ROOT"

case "${1:-}" in
  up)
    bash "$HERE/kafka.sh" start
    bash "$HERE/minio.sh" build
    bash "$HERE/minio.sh" start
    "$ARGUS" infra postgres start
    "$ARGUS" infra redis start
    ;;
  down)
    "$ARGUS" infra redis stop || true
    "$ARGUS" infra postgres stop || true
    bash "$HERE/minio.sh" stop || true
    bash "$HERE/kafka.sh" stop || true
    ;;
  status)
    rc=0
    bash "$HERE/kafka.sh" status || rc=1
    bash "$HERE/minio.sh" status || rc=1
    "$ARGUS" infra postgres status || rc=1
    "$ARGUS" infra redis status || rc=1
    exit "$rc"
    ;;
  *) echo "usage: $0 {up|down|status}" >&2; exit 2 ;;
esac
