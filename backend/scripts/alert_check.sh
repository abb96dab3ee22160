#!/usr/bin/env bash
# Live alert check: Prometheus, Alertmanager and a webhook sink against a running SynQc service.
#
#   1. checks and starts Prometheus (backend/ops/prometheus-ci-scrape.yml, the SynQc rules) and
#      Alertmanager (backend/ops/alertmanager-ci.yml) on loopback, and the webhook sink;
#   2. waits until every exporter is scraped, runs the load test (`--strict`), waits one alert
#      cycle more and asserts the sink received NO alert and Prometheus has none firing;
#   3. with DRIFTING_TARGET set (a target whose simulated qubits drift: SYNQC_SIM_DRIFT_*),
#      creates a monitor of its qubit 0 every 10 s and asserts QubitDegraded (firing) reaches
#      the sink, then deletes the monitor;
#   4. runs STOP_REDIS_COMMAND and asserts RedisDisconnected (firing) reaches the sink.
#
# The rules are the production rules with every `for:` set to ALERT_FOR, so the check takes
# about a minute. Environment (defaults in brackets):
#   STOP_REDIS_COMMAND      required: a shell command that stops the service's Redis
#   SYNQC_BASE_URL          [http://127.0.0.1:8001] the API
#   SYNQC_METRICS_TARGETS   [127.0.0.1:9000,127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003]
#                           host:port of every process's exporter
#   LOAD_TEST_RUNS [20]  LOAD_TEST_CONCURRENCY [4]  LOAD_TEST_PRESET [health]
#   ALERT_FOR [10s, whole seconds]  ALERT_WAIT_S [90]: seconds to wait for an alert at the sink
#   DRIFTING_TARGET         [unset] see step 3
#   PROMETHEUS_PORT [9090]  ALERTMANAGER_PORT [9093]  SINK_PORT [9095]
#   ALERTMANAGER_CONFIG     [backend/ops/alertmanager-ci.yml] e.g. a rendered staging config
#   ALERT_CHECK_DIR         [a new temporary folder] configs, data and logs; kept on failure
#   PYTHON                  [the repository's .venv/bin/python, else python3]
# Exit codes: 0 passed, 1 an assertion or a component failed, 2 bad setup.
set -euo pipefail

scripts=$(cd "$(dirname "$0")" && pwd)
backend=$(dirname "$scripts")
ops="$backend/ops"
default_python="$(dirname "$backend")/.venv/bin/python"
[ -x "$default_python" ] || default_python=python3
PYTHON=${PYTHON:-$default_python}
SYNQC_BASE_URL=${SYNQC_BASE_URL:-http://127.0.0.1:8001}
SYNQC_METRICS_TARGETS=${SYNQC_METRICS_TARGETS:-127.0.0.1:9000,127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003}
LOAD_TEST_RUNS=${LOAD_TEST_RUNS:-20}
LOAD_TEST_CONCURRENCY=${LOAD_TEST_CONCURRENCY:-4}
LOAD_TEST_PRESET=${LOAD_TEST_PRESET:-health}
ALERT_FOR=${ALERT_FOR:-10s}
ALERT_WAIT_S=${ALERT_WAIT_S:-90}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9093}
SINK_PORT=${SINK_PORT:-9095}
ALERTMANAGER_CONFIG=${ALERTMANAGER_CONFIG:-$ops/alertmanager-ci.yml}

say() { echo "alert_check: $*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

[ -n "${STOP_REDIS_COMMAND:-}" ] || { say "set STOP_REDIS_COMMAND" >&2; exit 2; }
[[ "$ALERT_FOR" =~ ^[0-9]+s$ ]] || { say "ALERT_FOR is whole seconds, like 10s" >&2; exit 2; }
# Seconds of quiet after the load test: a `for:` period, two evaluations, delivery.
QUIET_S=$(( ${ALERT_FOR%s} + 12 ))
for tool in prometheus promtool amtool; do
  command -v "$tool" >/dev/null || { say "$tool not found (apt-get install prometheus prometheus-alertmanager)" >&2; exit 2; }
done
alertmanager=$(command -v prometheus-alertmanager || command -v alertmanager || true)
[ -n "$alertmanager" ] || { say "alertmanager not found (apt-get install prometheus-alertmanager)" >&2; exit 2; }

workdir=${ALERT_CHECK_DIR:-$(mktemp -d -t synqc-alert-check.XXXXXX)}
mkdir -p "$workdir"
pids=()
cleanup() {
  status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in prometheus alertmanager sink; do
      [ -f "$workdir/$log.log" ] && { echo "--- $log.log (last lines)"; tail -n 15 "$workdir/$log.log"; }
    done
    say "logs and configs kept in $workdir"
  elif [ -z "${ALERT_CHECK_DIR:-}" ]; then
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT

# What a URL answers, or nothing; JSON fields are read with Python's standard library.
fetch() { "$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null || true; }
send() {  # send METHOD URL [JSON]: what the API answers (exit 1 on an HTTP error)
  "$PYTHON" -c 'import sys, urllib.request
body = sys.argv[3].encode() if len(sys.argv) > 3 else None
request = urllib.request.Request(sys.argv[2], data=body, method=sys.argv[1],
                                 headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(request, timeout=10).read().decode())' "$@"
}
delivered() {  # delivered ALERTNAME: the sink received it firing
  local count
  count=$(fetch "$sink/alerts" \
    | json_query "sum(a['alertname'] == '$1' and a['status'] == 'firing' for a in data)") \
    || return 1
  [ "$count" -gt 0 ]
}
json_query() {  # json_query EXPRESSION: EXPRESSION of `data` (stdin as JSON); exit 1 if it fails
  "$PYTHON" -c "import json, sys
try:
    data = json.loads(sys.stdin.read())
    print($1)
except Exception:
    sys.exit(1)"
}
wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 1
  done
}

# --- configs: the CI scrape config and rules, this run's ports and targets -----------------
"$PYTHON" - "$SYNQC_METRICS_TARGETS" >"$workdir/synqc-targets.json" <<'PY'
import json, sys
targets = [t.strip() for t in sys.argv[1].split(",") if t.strip()]
print(json.dumps([{"targets": targets, "labels": {"deployment": "alert-check"}}]))
PY
sed "s/127.0.0.1:9093/127.0.0.1:$ALERTMANAGER_PORT/" "$ops/prometheus-ci-scrape.yml" >"$workdir/prometheus.yml"
sed -E "s/^( *for:).*/\1 $ALERT_FOR/" "$ops/synqc-alerts.yml" >"$workdir/synqc-alerts.yml"
sed "s#http://127.0.0.1:9095/#http://127.0.0.1:$SINK_PORT/#" "$ALERTMANAGER_CONFIG" >"$workdir/alertmanager.yml"
promtool check config "$workdir/prometheus.yml" >/dev/null || fail "promtool check config"
amtool check-config "$workdir/alertmanager.yml" >/dev/null || fail "amtool check-config"
target_count=$(json_query 'len(data[0]["targets"]) or sys.exit(1)' <"$workdir/synqc-targets.json") \
  || fail "SYNQC_METRICS_TARGETS names no target"

# --- start the sink, Alertmanager and Prometheus ------------------------------------------
"$PYTHON" "$scripts/webhook_sink.py" --port "$SINK_PORT" --output "$workdir/alerts.jsonl" \
  >"$workdir/sink.log" 2>&1 &
pids+=($!)
"$alertmanager" --config.file="$workdir/alertmanager.yml" --storage.path="$workdir/alertmanager" \
  --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= \
  >"$workdir/alertmanager.log" 2>&1 &
pids+=($!)
prometheus --config.file="$workdir/prometheus.yml" --storage.tsdb.path="$workdir/prometheus" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$workdir/prometheus.log" 2>&1 &
pids+=($!)

sink="http://127.0.0.1:$SINK_PORT"
prom="http://127.0.0.1:$PROMETHEUS_PORT"
ready() { [ "$(fetch "$1")" != "" ]; }
wait_for 30 "the webhook sink" ready "$sink/health"
wait_for 30 "Alertmanager" ready "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready"
wait_for 30 "Prometheus" ready "$prom/-/ready"

targets_up() {
  local up
  up=$(fetch "$prom/api/v1/query?query=sum(up%7Bjob%3D%22synqc%22%7D)" \
    | json_query 'int(float(data["data"]["result"][0]["value"][1]))') || return 1
  [ "$up" = "$target_count" ]
}
wait_for 60 "all $target_count SynQc exporters to be scraped" targets_up
say "Prometheus scrapes $target_count exporters; Alertmanager and the sink are up"

# --- healthy load: no alert ---------------------------------------------------------------
metrics_args=()
IFS=, read -r -a targets <<<"$SYNQC_METRICS_TARGETS"
for target in "${targets[@]}"; do metrics_args+=(--metrics-url "http://$target/metrics"); done
"$PYTHON" "$scripts/load_test.py" --base-url "$SYNQC_BASE_URL" "${metrics_args[@]}" \
  --runs "$LOAD_TEST_RUNS" --concurrency "$LOAD_TEST_CONCURRENCY" --preset "$LOAD_TEST_PRESET" \
  --strict || fail "the load test failed on a healthy service"
say "load test passed; watching for alerts for ${QUIET_S} s"
sleep "$QUIET_S"
received=$(fetch "$sink/alerts" | json_query 'len(data)') || fail "cannot read the sink's alerts"
firing=$(fetch "$prom/api/v1/alerts" \
  | json_query '",".join(a["labels"]["alertname"] for a in data["data"]["alerts"] if a["state"] == "firing")') \
  || fail "cannot read Prometheus's alerts"
[ "$received" = "0" ] || fail "the sink received $received alert(s) during the healthy run: $(fetch "$sink/alerts")"
[ -z "$firing" ] || fail "Prometheus fires during the healthy run: $firing"
say "healthy run: no alert fired, none delivered"

# --- a drifting qubit: QubitDegraded delivered ---------------------------------------------
if [ -n "${DRIFTING_TARGET:-}" ]; then
  monitor=$(send POST "$SYNQC_BASE_URL/monitors" \
    "{\"hardware_target\": \"$DRIFTING_TARGET\", \"qubits\": [0], \"every\": \"PT10S\", \"shot_budget\": 2048}" \
    | json_query 'data["id"]') || fail "cannot create a monitor on $DRIFTING_TARGET"
  created_at=$SECONDS
  say "monitor $monitor watches qubit 0 of $DRIFTING_TARGET every 10 s"
  wait_for "$ALERT_WAIT_S" "QubitDegraded at the sink" delivered QubitDegraded
  say "QubitDegraded delivered to the sink $((SECONDS - created_at)) s after the monitor started"
  send DELETE "$SYNQC_BASE_URL/monitors/$monitor" >/dev/null || fail "cannot delete monitor $monitor"
fi

# --- Redis down: RedisDisconnected delivered ----------------------------------------------
say "stopping Redis: $STOP_REDIS_COMMAND"
bash -c "$STOP_REDIS_COMMAND" || fail "STOP_REDIS_COMMAND failed"
stopped_at=$SECONDS
wait_for "$ALERT_WAIT_S" "RedisDisconnected at the sink" delivered RedisDisconnected
say "RedisDisconnected delivered to the sink $((SECONDS - stopped_at)) s after Redis stopped"
say "PASSED"
