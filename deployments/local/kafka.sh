#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) for Argus,
# run as a plain JVM process from the official jars fetched with Maven.
# No Docker, no tarball download: see deployments/local/README.md.
#
# usage: deployments/local/kafka.sh {fetch|start|stop|status|smoke|tool CLASS [ARGS...]}
#   fetch   download the Kafka jars (idempotent; skipped when already present)
#   start   fetch if needed, format storage on first run, start, wait until ready
#   stop    SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   status  print state; exit 0 when running and reachable, 1 otherwise
#   smoke   create a 3-partition topic, produce and consume one message
#   tool    run any Kafka CLI main class with the fetched classpath, e.g.
#           kafka.sh tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 \
#             --command-config var/kafka/admin.properties --list
#
# Environment (defaults in brackets; relative paths are resolved from the repo root):
#   ARGUS_VAR_DIR          [<repo>/var]            root of all runtime state
#   KAFKA_VERSION          [4.4.0]                 org.apache.kafka:kafka_2.13 version
#   KAFKA_LIBS_DIR         [$ARGUS_VAR_DIR/cache/kafka-libs]
#   KAFKA_DATA_DIR         [$ARGUS_VAR_DIR/kafka]  log.dirs, rendered server.properties
#   KAFKA_HOST             [127.0.0.1]
#   KAFKA_PORT             [9092]                  SASL_PLAINTEXT listener (SCRAM-SHA-512)
#   KAFKA_CONTROLLER_PORT  [9093]                  KRaft controller listener (SASL PLAIN, admin only)
#   KAFKA_ADMIN_USER       [admin]                 super user: the broker itself and the tools
#   KAFKA_ADMIN_PASSWORD   (required, no default)
#   KAFKA_APP_USER         [argus]                 the app's user: its topics and groups only
#   KAFKA_APP_PASSWORD     (required, no default)
#   KAFKA_APP_TOPIC_PREFIX [argus]                 topics the app user may create, read, write
#   KAFKA_HEAP_OPTS        [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT    [90]   seconds to wait for readiness
#   KAFKA_STOP_TIMEOUT     [30]   seconds to wait for a clean shutdown
#   KAFKA_NICE             [10]   niceness of the Maven fetch
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# shellcheck source=deployments/local/lib.sh
source "$SCRIPT_DIR/lib.sh"

VAR_DIR="$(abspath "${ARGUS_VAR_DIR:-var}")"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_LIBS_DIR="$(abspath "${KAFKA_LIBS_DIR:-$VAR_DIR/cache/kafka-libs}")"
KAFKA_DATA_DIR="$(abspath "${KAFKA_DATA_DIR:-$VAR_DIR/kafka}")"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_NICE="${KAFKA_NICE:-10}"
KAFKA_ADMIN_USER="${KAFKA_ADMIN_USER:-admin}"
KAFKA_ADMIN_PASSWORD="${KAFKA_ADMIN_PASSWORD:-}"
KAFKA_APP_USER="${KAFKA_APP_USER:-argus}"
KAFKA_APP_PASSWORD="${KAFKA_APP_PASSWORD:-}"
KAFKA_APP_TOPIC_PREFIX="${KAFKA_APP_TOPIC_PREFIX:-argus}"

POM="$SCRIPT_DIR/kafka/pom.xml"
PROPS_TEMPLATE="$SCRIPT_DIR/kafka/server.properties.in"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.xml"
RUN_DIR="$VAR_DIR/run"
LOG_DIR="$VAR_DIR/log"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$LOG_DIR/kafka.log"
FETCH_LOG="$LOG_DIR/kafka-fetch.log"
PROPS_FILE="$KAFKA_DATA_DIR/server.properties"
ADMIN_CONFIG="$KAFKA_DATA_DIR/admin.properties"
STORAGE_DIR="$KAFKA_DATA_DIR/data"
VERSION_MARKER="$KAFKA_LIBS_DIR/.kafka-version"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"




# pid of our broker if it is alive (pid file present and the process is kafka.Kafka)
running_pid() { pid_of "$PID_FILE" 'kafka\.Kafka '; }

libs_ready() {
  [[ -f "$VERSION_MARKER" && "$(cat "$VERSION_MARKER")" == "$KAFKA_VERSION" ]] &&
    compgen -G "$KAFKA_LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}

jar_count() { find "$KAFKA_LIBS_DIR" -maxdepth 1 -name '*.jar' | wc -l; }

check_java() {
  command -v java >/dev/null || die "java not found (Kafka 4.x brokers need Java 17+)"
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  [[ "${v%%.*}" -ge 17 ]] 2>/dev/null || die "Java $v found; Kafka $KAFKA_VERSION brokers need Java 17+"
}

kafka_java() {
  # run a Kafka main class with the fetched classpath (quiet logging for CLI tools)
  java -Xmx256m -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.root.logger.level=WARN \
    -cp "$KAFKA_LIBS_DIR/*" "$@"
}

cmd_fetch() {
  if libs_ready; then
    log "Kafka $KAFKA_VERSION jars already in $KAFKA_LIBS_DIR ($(jar_count) jars)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  check_java
  mkdir -p "$(dirname "$KAFKA_LIBS_DIR")"
  local tmp t0
  tmp="$(mktemp -d "$(dirname "$KAFKA_LIBS_DIR")/.kafka-libs.XXXXXX")"
  t0="$(now_ms)"
  log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION (+ kafka-server, kafka-tools, log4j2) with Maven ..."
  mkdir -p "$LOG_DIR"
  if ! nice -n "$KAFKA_NICE" mvn -B -q -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime >"$FETCH_LOG" 2>&1; then
    rm -rf "$tmp"
    tail -n 20 "$FETCH_LOG" >&2 || true
    die "Maven could not fetch Kafka $KAFKA_VERSION (is that version published? try KAFKA_VERSION=4.1.1); log: $FETCH_LOG"
  fi
  printf '%s\n' "$KAFKA_VERSION" >"$tmp/.kafka-version"
  rm -rf "$KAFKA_LIBS_DIR"
  mv "$tmp" "$KAFKA_LIBS_DIR"
  log "fetched $(jar_count) jars ($(du -sh "$KAFKA_LIBS_DIR" | cut -f1)) into $KAFKA_LIBS_DIR in $(( ($(now_ms) - t0) / 1000 ))s"
}

# Credentials are generated by infra.sh (var/infra-admin.env); none is ever defaulted.
check_credentials() {
  require_secrets KAFKA_ADMIN_PASSWORD KAFKA_APP_PASSWORD
  local name
  for name in KAFKA_ADMIN_USER KAFKA_APP_USER; do
    [[ "${!name}" =~ ^[A-Za-z0-9_-]+$ ]] || die "$name: only [A-Za-z0-9_-]"
  done
}

render_props() {
  mkdir -p "$KAFKA_DATA_DIR"
  chmod 700 "$KAFKA_DATA_DIR"
  local scram="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"$KAFKA_ADMIN_PASSWORD\";"
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"$KAFKA_ADMIN_PASSWORD\" user_$KAFKA_ADMIN_USER=\"$KAFKA_ADMIN_PASSWORD\";"
  (
    umask 077
    sed -e "s#@HOST@#$KAFKA_HOST#g" \
        -e "s#@PORT@#$KAFKA_PORT#g" \
        -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
        -e "s#@LOG_DIRS@#$STORAGE_DIR#g" \
        -e "s#@ADMIN_USER@#$KAFKA_ADMIN_USER#g" \
        -e "s#@JAAS@#$scram#g" \
        -e "s#@CONTROLLER_JAAS@#$plain#g" \
        "$PROPS_TEMPLATE" >"$PROPS_FILE.tmp"
    mv "$PROPS_FILE.tmp" "$PROPS_FILE"
    printf '%s\n' "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" \
      "sasl.jaas.config=$scram" >"$ADMIN_CONFIG"
  )
}

# The app user's rights: its topic prefix and the consumer groups, nothing on the cluster.
grant_app_acls() {
  local acl=(kafka_java org.apache.kafka.tools.AclCommand --bootstrap-server "$BOOTSTRAP"
    --command-config "$ADMIN_CONFIG" --add --allow-principal "User:$KAFKA_APP_USER")
  "${acl[@]}" --operation All --topic "$KAFKA_APP_TOPIC_PREFIX" --resource-pattern-type prefixed \
    >>"$KAFKA_DATA_DIR/acl.log" 2>&1 || die "granting topic ACLs failed; see $KAFKA_DATA_DIR/acl.log"
  "${acl[@]}" --operation All --group '*' >>"$KAFKA_DATA_DIR/acl.log" 2>&1 ||
    die "granting group ACLs failed; see $KAFKA_DATA_DIR/acl.log"
}

format_storage() {
  if [[ -f "$STORAGE_DIR/meta.properties" ]]; then
    # Formatted before SASL (no SCRAM users in its metadata): nobody could log in.
    [[ -f "$KAFKA_DATA_DIR/.scram-users" ]] ||
      die "$STORAGE_DIR was formatted without SCRAM users (before credentials); remove $KAFKA_DATA_DIR to re-format it (its events are lost)"
    return 0
  fi
  local cluster_id
  cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid | tail -n1)"
  log "formatting KRaft storage in $STORAGE_DIR (cluster id $cluster_id)"
  # SCRAM users live in the metadata log: created here, before the first start.
  kafka_java kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id "$cluster_id" --config "$PROPS_FILE" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USER,password=$KAFKA_ADMIN_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_APP_USER,password=$KAFKA_APP_PASSWORD]" \
    >>"$KAFKA_DATA_DIR/format.log" 2>&1 ||
    die "kafka-storage format failed; see $KAFKA_DATA_DIR/format.log"
  printf '%s %s\n' "$KAFKA_ADMIN_USER" "$KAFKA_APP_USER" >"$KAFKA_DATA_DIR/.scram-users"
}

kafka_ready() { port_open "$KAFKA_HOST" "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null; }

wait_ready() {
  wait_until_ready "$1" kafka_ready "$KAFKA_START_TIMEOUT" "Kafka on $BOOTSTRAP" \
    " (raise KAFKA_START_TIMEOUT on a loaded machine)"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    wait_ready "$pid"
    log "already running (pid $pid); see '$0 status'"
    return 0
  fi
  check_java
  check_credentials
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$KAFKA_HOST" "$p"; then
      die "$KAFKA_HOST:$p is already in use by another process (not our pid file $PID_FILE); stop it or set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
    fi
  done
  cmd_fetch
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  render_props
  format_storage

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  local t0
  t0="$(now_ms)"
  log "starting Kafka $KAFKA_VERSION (KRaft) on $BOOTSTRAP, controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT, data $STORAGE_DIR"
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is intentionally word-split
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    -cp "$KAFKA_LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" \
    >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  wait_ready "$pid"
  grant_app_acls
  log "ready on $BOOTSTRAP (pid $pid) in $(( $(now_ms) - t0 ))ms, SASL/SCRAM users '$KAFKA_ADMIN_USER' and '$KAFKA_APP_USER'; log: $LOG_FILE"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  stop_pid "$pid" "$PID_FILE" "$KAFKA_STOP_TIMEOUT"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      echo "kafka: running (pid $pid) bootstrap=$BOOTSTRAP version=$(cat "$VERSION_MARKER" 2>/dev/null || echo '?') data=$STORAGE_DIR log=$LOG_FILE"
      return 0
    fi
    echo "kafka: process $pid alive but $BOOTSTRAP not accepting connections (starting or wedged); log=$LOG_FILE"
    return 1
  fi
  echo "kafka: stopped"
  return 1
}

cmd_smoke() {
  running_pid >/dev/null || die "Kafka is not running; run '$0 start' first"
  local topic msg="hello-argus-$RANDOM" auth=(--command-config "$ADMIN_CONFIG")
  topic="argus-smoke-$(date +%s)"
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "${auth[@]}" \
    --create --topic "$topic" --partitions 3 --replication-factor 1
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "${auth[@]}" --describe --topic "$topic"
  printf '%s\n' "$msg" | kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$BOOTSTRAP" "${auth[@]}" --topic "$topic"
  local got
  got="$(kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BOOTSTRAP" \
    "${auth[@]}" --topic "$topic" --from-beginning --max-messages 1 --timeout-ms 30000 2>/dev/null)"
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "${auth[@]}" --delete --topic "$topic"
  [[ "$got" == "$msg" ]] || die "smoke: expected '$msg', consumed '$got'"
  log "smoke OK: topic $topic (3 partitions) produced+consumed '$msg' (topic deleted)"
}

cmd_tool() {
  [[ $# -ge 1 ]] || die "usage: $0 tool MAIN_CLASS [ARGS...]"
  libs_ready || die "Kafka jars missing; run '$0 fetch' first"
  kafka_java "$@"
}

case "${1:-}" in
  fetch)  cmd_fetch ;;
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  smoke)  cmd_smoke ;;
  tool)   shift; cmd_tool "$@" ;;
  *) echo "usage: $0 {fetch|start|stop|status|smoke|tool MAIN_CLASS [ARGS...]}" >&2; exit 2 ;;
esac
