#!/usr/bin/env bash
# Local MinIO (S3 API) for Argus, built from source with `go install` (no prebuilt
# binary download needed) and run as a plain process on loopback.
# No Docker: see deployments/local/README.md.
#
# usage: deployments/local/minio.sh {build|start|stop|status|smoke}
#   build   go install the pinned MinIO module into $ARGUS_BIN_DIR (idempotent:
#           skipped when the binary there was already built from that version)
#   start   build if the binary is missing, start, wait for /minio/health/ready
#   stop    SIGTERM, wait, SIGKILL after MINIO_STOP_TIMEOUT seconds
#   status  print state; exit 0 when running and healthy, 1 otherwise
#   smoke   S3 round trip with curl's SigV4 signer: bucket, multipart upload,
#           list multipart uploads, abort, complete; cleans up after itself
#
# Environment (defaults in brackets; relative paths are resolved from the repo root):
#   ARGUS_VAR_DIR          [<repo>/var]
#   ARGUS_BIN_DIR          [$ARGUS_VAR_DIR/cache/bin]   GOBIN for the build
#   MINIO_MODULE_VERSION   [v0.0.0-20260212201848-7aac2a2c5b7c]  (or "latest")
#   MINIO_DATA_DIR         [$ARGUS_VAR_DIR/minio]
#   MINIO_HOST             [127.0.0.1]
#   MINIO_PORT             [9000]   S3 API
#   MINIO_CONSOLE_PORT     [9001]   web console
#   MINIO_ROOT_USER        (required, no default; never minioadmin)   root access key
#   MINIO_ROOT_PASSWORD    (required, no default; >= 16 chars)        root secret key
#   MINIO_APP_USER         [unset]  when set with MINIO_APP_PASSWORD: an access key limited
#   MINIO_APP_PASSWORD     [unset]  to MINIO_APP_BUCKET by a policy (minio_app_user.py)
#   MINIO_APP_BUCKET       [argus]  the bucket (created) or a pattern such as argus-*
#   MINIO_START_TIMEOUT    [60]    seconds to wait for readiness
#   MINIO_STOP_TIMEOUT     [30]
#   MINIO_BUILD_NICE       [10]    niceness of the Go build
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# shellcheck source=deployments/local/lib.sh
source "$SCRIPT_DIR/lib.sh"

VAR_DIR="$(abspath "${ARGUS_VAR_DIR:-var}")"
BIN_DIR="$(abspath "${ARGUS_BIN_DIR:-$VAR_DIR/cache/bin}")"
MINIO_MODULE="github.com/minio/minio"
MINIO_MODULE_VERSION="${MINIO_MODULE_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
MINIO_DATA_DIR="$(abspath "${MINIO_DATA_DIR:-$VAR_DIR/minio}")"
MINIO_HOST="${MINIO_HOST:-127.0.0.1}"
MINIO_PORT="${MINIO_PORT:-9000}"
MINIO_CONSOLE_PORT="${MINIO_CONSOLE_PORT:-9001}"
MINIO_ROOT_USER="${MINIO_ROOT_USER:-}"
MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-}"
MINIO_APP_USER="${MINIO_APP_USER:-}"
MINIO_APP_PASSWORD="${MINIO_APP_PASSWORD:-}"
MINIO_APP_BUCKET="${MINIO_APP_BUCKET:-argus}"
MINIO_START_TIMEOUT="${MINIO_START_TIMEOUT:-60}"
MINIO_STOP_TIMEOUT="${MINIO_STOP_TIMEOUT:-30}"
MINIO_BUILD_NICE="${MINIO_BUILD_NICE:-10}"

MINIO_BIN="$BIN_DIR/minio"
RUN_DIR="$VAR_DIR/run"
LOG_DIR="$VAR_DIR/log"
PID_FILE="$RUN_DIR/minio.pid"
LOG_FILE="$LOG_DIR/minio.log"
BUILD_LOG="$LOG_DIR/minio-build.log"
ENDPOINT="http://$MINIO_HOST:$MINIO_PORT"


running_pid() { pid_of "$PID_FILE" 'minio server '; }

healthy() {
  if command -v curl >/dev/null; then
    curl -fsS -m 2 -o /dev/null "$ENDPOINT/minio/health/ready" 2>/dev/null
  else
    port_open "$MINIO_HOST" "$MINIO_PORT"
  fi
}

# module version the installed binary was built from ("" when absent/unreadable)
built_version() {
  [[ -x "$MINIO_BIN" ]] || return 0
  go version -m "$MINIO_BIN" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/minio/minio" {print $3; exit}'
}

cmd_build() {
  command -v go >/dev/null || die "go not found (needs Go >= the version in minio's go.mod; 1.26 works)"
  local want="$MINIO_MODULE_VERSION" have
  have="$(built_version)"
  if [[ -n "$have" && ( "$want" == "latest" || "$have" == "$want" ) ]]; then
    log "$MINIO_BIN already built from $MINIO_MODULE@$have"
    return 0
  fi
  mkdir -p "$BIN_DIR" "$LOG_DIR"
  local tmp t0
  tmp="$(mktemp -d "$BIN_DIR/.build.XXXXXX")"
  t0="$(now_ms)"
  log "building $MINIO_MODULE@$want with nice -n $MINIO_BUILD_NICE (cold: ~3 min on 2 cores + ~1.2 GB of modules); log: $BUILD_LOG"
  if ! GOBIN="$tmp" nice -n "$MINIO_BUILD_NICE" go install "$MINIO_MODULE@$want" >"$BUILD_LOG" 2>&1; then
    rm -rf "$tmp"
    tail -n 20 "$BUILD_LOG" >&2 || true
    die "go install $MINIO_MODULE@$want failed; full log: $BUILD_LOG"
  fi
  # rename over the old binary: safe even while an older minio is running
  mv -f "$tmp/minio" "$MINIO_BIN"
  rm -rf "$tmp"
  log "built $MINIO_BIN ($(built_version), $(du -h "$MINIO_BIN" | cut -f1)) in $(( ($(now_ms) - t0) / 1000 ))s"
}

wait_ready() {
  wait_until_ready "$1" healthy "$MINIO_START_TIMEOUT" "MinIO at $ENDPOINT"
}

# No default keys, ever: MinIO itself falls back to minioadmin:minioadmin when none are given.
check_credentials() {
  [[ -n "$MINIO_ROOT_USER" && -n "$MINIO_ROOT_PASSWORD" ]] ||
    die "MINIO_ROOT_USER and MINIO_ROOT_PASSWORD are not set (make infra-up generates them into var/infra-admin.env)"
  [[ "$MINIO_ROOT_USER" != minioadmin && "$MINIO_ROOT_PASSWORD" != minioadmin ]] ||
    die "the default MinIO keys (minioadmin) are refused"
  (( ${#MINIO_ROOT_USER} >= 3 )) || die "MINIO_ROOT_USER must be at least 3 characters"
  (( ${#MINIO_ROOT_PASSWORD} >= 16 )) || die "MINIO_ROOT_PASSWORD must be at least 16 characters"
}

# The app's own access key: a user whose policy allows its bucket and nothing else.
grant_app_user() {
  [[ -n "$MINIO_APP_USER" ]] || return 0
  [[ -n "$MINIO_APP_PASSWORD" ]] || die "MINIO_APP_USER is set but MINIO_APP_PASSWORD is not"
  MINIO_ENDPOINT="$ENDPOINT" MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" \
  MINIO_APP_USER="$MINIO_APP_USER" MINIO_APP_PASSWORD="$MINIO_APP_PASSWORD" MINIO_APP_BUCKET="$MINIO_APP_BUCKET" \
    "$REPO_ROOT/.venv/bin/python" "$SCRIPT_DIR/minio_app_user.py" ||
    die "creating the app's MinIO user failed (is the infra extra installed? make setup)"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    wait_ready "$pid"
    log "already running (pid $pid); see '$0 status'"
    return 0
  fi
  for p in "$MINIO_PORT" "$MINIO_CONSOLE_PORT"; do
    if port_open "$MINIO_HOST" "$p"; then
      die "$MINIO_HOST:$p is already in use by another process (not our pid file $PID_FILE); stop it or set MINIO_PORT/MINIO_CONSOLE_PORT"
    fi
  done
  check_credentials
  [[ -x "$MINIO_BIN" ]] || cmd_build
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$MINIO_DATA_DIR"

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  local t0
  t0="$(now_ms)"
  log "starting MinIO on $ENDPOINT (console $MINIO_HOST:$MINIO_CONSOLE_PORT), data $MINIO_DATA_DIR"
  MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" \
  MINIO_UPDATE=off MINIO_BROWSER_REDIRECT=off \
    nohup "$MINIO_BIN" server --anonymous \
      --address "$MINIO_HOST:$MINIO_PORT" --console-address "$MINIO_HOST:$MINIO_CONSOLE_PORT" \
      "$MINIO_DATA_DIR" >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  wait_ready "$pid"
  grant_app_user
  log "ready on $ENDPOINT (pid $pid) in $(( $(now_ms) - t0 ))ms; root key '$MINIO_ROOT_USER'${MINIO_APP_USER:+, app key '$MINIO_APP_USER' on '$MINIO_APP_BUCKET'}; log: $LOG_FILE"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  stop_pid "$pid" "$PID_FILE" "$MINIO_STOP_TIMEOUT"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if healthy; then
      echo "minio: running (pid $pid) endpoint=$ENDPOINT console=http://$MINIO_HOST:$MINIO_CONSOLE_PORT build=$(built_version) data=$MINIO_DATA_DIR log=$LOG_FILE"
      return 0
    fi
    echo "minio: process $pid alive but $ENDPOINT/minio/health/ready not OK (starting or wedged); log=$LOG_FILE"
    return 1
  fi
  echo "minio: stopped"
  return 1
}

# --- smoke: plain curl with its built-in SigV4 signer (curl >= 7.75) -------------
# Gotcha: curl (7.88) signs a bare "?uploads" wrongly (SignatureDoesNotMatch);
# "?uploads=" is equivalent for S3 and signs correctly.
s3() { # s3 METHOD PATH [curl args...] -> body on stdout, fails on HTTP >= 400
  local method="$1" path="$2"; shift 2
  curl -sS --fail-with-body -m 30 -X "$method" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$MINIO_ROOT_USER:$MINIO_ROOT_PASSWORD" \
    "$@" "$ENDPOINT$path"
}
# uploadIds are URL-safe base64 in MinIO; encode the few reserved chars anyway
qenc() { local v="${1//%/%25}"; v="${v//+/%2B}"; v="${v//\//%2F}"; v="${v//=/%3D}"; printf '%s' "$v"; }
xml_value() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" | head -n1; }

cmd_smoke() {
  running_pid >/dev/null || die "MinIO is not running; run '$0 start' first"
  command -v curl >/dev/null || die "smoke needs curl"
  local bucket key="runs/r1/data.bin"
  bucket="argus-smoke-$(date +%s)"
  SMOKE_TMP="$(mktemp -d)"
  trap 'rm -rf "${SMOKE_TMP:-}"' EXIT
  local tmp="$SMOKE_TMP"
  head -c $((5 * 1024 * 1024)) /dev/urandom >"$tmp/p1"
  head -c 4321 /dev/urandom >"$tmp/p2"
  local hdr=(-H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

  s3 PUT "/$bucket" "${hdr[@]}" >/dev/null
  log "created bucket $bucket"

  # multipart upload #1: initiate, list, abort
  local up1
  up1="$(s3 POST "/$bucket/$key?uploads=" "${hdr[@]}" | xml_value UploadId)"
  [[ -n "$up1" ]] || die "smoke: no UploadId from CreateMultipartUpload"
  s3 PUT "/$bucket/$key?partNumber=1&uploadId=$(qenc "$up1")" "${hdr[@]}" --data-binary @"$tmp/p2" >/dev/null
  s3 GET "/$bucket?uploads=" "${hdr[@]}" | grep -q "<UploadId>$up1</UploadId>" ||
    die "smoke: ListMultipartUploads does not show $up1"
  log "listed in-progress multipart upload $up1"
  s3 DELETE "/$bucket/$key?uploadId=$(qenc "$up1")" "${hdr[@]}" >/dev/null
  if s3 GET "/$bucket?uploads=" "${hdr[@]}" | grep -q "<UploadId>$up1</UploadId>"; then
    die "smoke: aborted upload $up1 still listed"
  fi
  log "aborted multipart upload $up1"

  # multipart upload #2: two parts (first >= 5 MiB), complete, read back
  local up2 e1 e2
  up2="$(s3 POST "/$bucket/$key?uploads=" "${hdr[@]}" | xml_value UploadId)"
  e1="$(s3 PUT "/$bucket/$key?partNumber=1&uploadId=$(qenc "$up2")" "${hdr[@]}" --data-binary @"$tmp/p1" -D - -o /dev/null |
        tr -d '\r' | awk -F': ' 'tolower($1) == "etag" {print $2}')"
  e2="$(s3 PUT "/$bucket/$key?partNumber=2&uploadId=$(qenc "$up2")" "${hdr[@]}" --data-binary @"$tmp/p2" -D - -o /dev/null |
        tr -d '\r' | awk -F': ' 'tolower($1) == "etag" {print $2}')"
  printf '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>' \
    "$e1" "$e2" >"$tmp/complete.xml"
  s3 POST "/$bucket/$key?uploadId=$(qenc "$up2")" "${hdr[@]}" -H "Content-Type: application/xml" \
    --data-binary @"$tmp/complete.xml" >/dev/null
  s3 GET "/$bucket/$key" "${hdr[@]}" -o "$tmp/back"
  cat "$tmp/p1" "$tmp/p2" | cmp -s - "$tmp/back" || die "smoke: object read back differs from the uploaded parts"
  log "completed 2-part multipart upload $bucket/$key ($(stat -c %s "$tmp/back") bytes) and read it back"

  s3 DELETE "/$bucket/$key" "${hdr[@]}" >/dev/null
  s3 DELETE "/$bucket" "${hdr[@]}" >/dev/null
  log "smoke OK (bucket $bucket removed)"
}

case "${1:-}" in
  build)  cmd_build ;;
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  smoke)  cmd_smoke ;;
  *) echo "usage: $0 {build|start|stop|status|smoke}" >&2; exit 2 ;;
esac
