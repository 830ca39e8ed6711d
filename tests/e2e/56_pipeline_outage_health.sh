#!/bin/bash
# An outage shows in ch-store status (issue 16, item 1): while every
# connection is answered 429 (with Retry-After and a body), and then while
# every one is answered 503 (an HTML page), status is not healthy within
# about CH_MAX_SILENCE, naming the stream as not connected and the last
# answer; between the storms and after them, when the stream is back, it
# is healthy again. The bytes of those answers once counted as stream
# activity, and status stayed healthy for 225 s of 429s.
#
# Each phase is a fake server on the same port, so a storm lasts exactly
# as long as the test needs it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/o.db"
METRICS="$TMP/metrics"
mkdir "$METRICS"
make_capture "$TMP/capture.ndjson" 1 6000

# status_of: ch-store status against DB and METRICS, silence allowed 2 s;
# sets STATUS and RC.
status_of() {
  RC=0
  STATUS=$(CH_LOG_LEVEL=error CH_METRICS_DIR="$METRICS" CH_MAX_SILENCE=2 "$BIN/ch-store" --db "$DB" status) || RC=$?
}
field() {
  python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])[sys.argv[2]]))' "$STATUS" "$1"
}
healthy_now() {
  status_of
  [ "$RC" = 0 ]
}
# down_now PHRASE: not healthy, the stream named as not connected, PHRASE
# in the reason.
down_now() {
  status_of
  [ "$RC" = 1 ] && case "$STATUS" in *"\"companies: stream not connected for "*"$1"*) true ;; *) false ;; esac
}
# phase NAME ARGS...: replaces the fake server by a new one on the same port.
phase() {
  local name="$1"
  shift
  if [ -n "${SERVER_PID:-}" ]; then
    kill -TERM "$SERVER_PID"
    wait_for 5 all_gone "$SERVER_PID" || fail "server before $name did not stop"
  fi
  start_fake_server "$name" --capture "$TMP/capture.ndjson" --heartbeat 0.3 ${PORT:+--port "$PORT"} "$@"
}
# answers LOG CODE: how many connections the server answered with CODE.
answers() { server_q "$1" "sum(1 for e in ends if e['status'] == $2)"; }
# at_least LOG CODE N: the server answered CODE at least N times. Waited
# for rather than read once: under the load of `make test` the first
# seconds of a phase can go to connecting to the server that replaces the
# last one, and status may say "down" after only two answers (a clean
# clone's run, 2026-12-07).
at_least() { [ "$(answers "$1" "$2")" -ge "$3" ]; }

# 1. Streaming: healthy.
phase up1 --rate 100
start_pipeline p CH_DB="$DB" CH_TIMEPOINT=1 CH_METRICS_DIR="$METRICS" CH_BACKOFF_INITIAL=0.1 \
  CH_BACKOFF_MAX=0.5 CH_RETRY_429=0.3 CH_IDLE_TIMEOUT=2
wait_for 20 has_checkpoint "$DB" || fail "nothing committed: $(tail -n 3 "$TMP/p.err")"
wait_for 15 healthy_now || fail "not healthy while streaming: $STATUS"
assert_eq true "$(field connected)" "connected while streaming"

# 2. A 429 storm, Retry-After 0.2 s: not healthy, naming the answer.
phase storm429 --faults '*:status=429,retry_after=0.2'
wait_for 20 down_now "rate-limited, HTTP 429" || fail "status did not report the 429 storm: $STATUS"
echo "429 storm: $STATUS"
assert_eq false "$(field connected)" "connected during the 429 storm"
assert_eq '"rate-limited"' "$(field last_attempt)" "last attempt during the 429 storm"
wait_for 10 at_least "$TMP/storm429.log" 429 3 || fail "fewer than 3 answers of 429 in the storm"
# And it stays so while the storm lasts (no flapping between answers).
down_now "HTTP 429" || fail "status flapped during the 429 storm: $STATUS"

# 3. The stream is back: healthy again.
phase up2 --rate 100
wait_for 20 healthy_now || fail "not healthy again after the 429 storm: $STATUS"
assert_eq true "$(field connected)" "connected after the 429 storm"

# 4. A 5xx storm: every connection gets a 503 page.
phase storm503 --faults '*:status=503'
wait_for 20 down_now "server-error, HTTP 503" || fail "status did not report the 503 storm: $STATUS"
echo "503 storm: $STATUS"
wait_for 10 at_least "$TMP/storm503.log" 503 3 || fail "fewer than 3 answers of 503 in the storm"
down_now "HTTP 503" || fail "status flapped during the 503 storm: $STATUS"

# 5. Back again: healthy, and nothing was lost across the storms.
phase up3
wait_for 20 healthy_now || fail "not healthy again after the 503 storm: $STATUS"
checkpoint_then=$(store --db "$DB" checkpoint)
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" = 6000 ]' ||
  fail "the stream did not catch up to 6000 (at $(store --db "$DB" checkpoint), was $checkpoint_then)"
assert_eq 6000 "$(sql "$DB" 'SELECT count(*) FROM companies')" "companies after the storms"
assert_eq 0 "$(sql "$DB" 'SELECT count(*) FROM gaps')" "gaps after the storms"

echo "PASS 56_pipeline_outage_health"
