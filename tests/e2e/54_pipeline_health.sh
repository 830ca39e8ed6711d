#!/bin/bash
# ch-store status with CH_METRICS_DIR, against a running pipeline.sh: healthy
# while events stream (connected, a recent byte, events per minute, lag
# reported but not judged); unhealthy, naming the stream as not connected,
# once no stream has been open for longer than CH_MAX_SILENCE while ch-fetch
# reconnects (the breaker opens meanwhile); healthy again once the stream
# is back.
# Without ch-fetch.prom, or with a stale one, ch-fetch is "not running".
# A live start (no checkpoint, no CH_TIMEPOINT) is unhealthy until a bulk
# import's snapshot_end heals its gap.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/h.db"
METRICS="$TMP/metrics"
mkdir "$METRICS"
make_capture "$TMP/capture.ndjson" 1 3000

# status_of: runs ch-store status against DB and METRICS (silence allowed:
# 3 s); sets STATUS (the JSON object) and RC.
status_of() {
  RC=0
  STATUS=$(CH_LOG_LEVEL=error CH_METRICS_DIR="$METRICS" CH_MAX_SILENCE=3 "$BIN/ch-store" --db "$DB" status) || RC=$?
}
# field NAME: a member of STATUS, as JSON.
field() {
  python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])[sys.argv[2]]))' "$STATUS" "$1"
}
healthy_now() {
  status_of
  [ "$RC" = 0 ]
}
silent_now() {
  status_of
  [ "$RC" = 1 ] && case "$STATUS" in *'"companies: stream not connected for '*) true ;; *) false ;; esac
}

# Connection 1 streams 400 events at 100/s, then stalls; connections 2-9
# never answer, so ch-fetch times out (1 s) and backs off; 10 streams on.
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 100 \
  --faults '1:stall_after=400;2-9:stall_before_headers'
start_pipeline p CH_DB="$DB" CH_TIMEPOINT=1 CH_METRICS_DIR="$METRICS" CH_IDLE_TIMEOUT=1 \
  CH_FIRST_BYTE_TIMEOUT=1 CH_BACKOFF_INITIAL=0.2 CH_BACKOFF_MAX=0.5

# 1. Streaming: healthy.
wait_for 20 has_checkpoint "$DB" || fail "nothing committed: $(tail -n 3 "$TMP/p.err")"
wait_for 10 test -s "$METRICS/ch-fetch.prom" || fail "no ch-fetch.prom"
status_of
assert_eq 0 "$RC" "status exit while streaming: $STATUS"
assert_eq true "$(field connected)" "connected while streaming"
assert_eq false "$(field breaker_open)" "breaker while streaming"
python3 - "$STATUS" <<'EOF' || fail "status while streaming: $STATUS"
import json, sys
s = json.loads(sys.argv[1])
assert s["healthy"] is True and s["problems"] == [], s
assert s["last_byte_age_seconds"] is not None and s["last_byte_age_seconds"] <= 2, s
assert s["fetch_metrics_age_seconds"] is not None and s["fetch_metrics_age_seconds"] <= 5, s
# About 100 events a second; measured over ch-fetch's last two writes.
assert s["events_per_minute"] is not None and 1500 <= s["events_per_minute"] <= 12000, s
# published_at is in 2023: a lag of years, reported and not judged.
assert s["lag_seconds"] > 86400 * 365, s
assert s["checkpoint"] >= 1 and s["gaps_open"] == 0, s
EOF

# 2. The stall: unhealthy, naming the stream as not connected (the last
# attempt timed out waiting for its first byte); ch-fetch keeps trying and
# its breaker opens.
wait_for 25 silent_now || fail "status never reported the silence: $STATUS"
echo "silent: $STATUS"
assert_eq false "$(field connected)" "connected during the silence"
assert_contains "$STATUS" "last attempt: first-byte-timeout" "the reason"
# Five failed connections in a row open ch-fetch's circuit breaker.
wait_for 20 eval 'status_of; [ "$(field breaker_open)" = true ] || [ "$RC" = 0 ]' || fail "status hung"
assert_eq true "$(field breaker_open)" "breaker open before the stream came back: $STATUS"
assert_eq 1 "$RC" "status exit while the breaker is open"

# 3. The stream is back (connection 10): healthy again.
wait_for 30 healthy_now || fail "status never turned healthy again: $STATUS"
assert_eq true "$(field connected)" "connected after the stall"
assert_eq false "$(field breaker_open)" "breaker after the stall"
[ "$(server_q "$TMP/srv.log" 'len(starts)')" -ge 10 ] || fail "fewer than 10 connections"

# 4. ch-fetch gone: no file, or a file nobody rewrites.
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "the supervisor did not stop"
touch -d '2 minutes ago' "$METRICS/ch-fetch.prom"
status_of
assert_eq 1 "$RC" "status exit with a stale ch-fetch.prom"
assert_contains "$STATUS" '"companies: ch-fetch not running (ch-fetch.prom not rewritten for ' "stale metrics"
assert_contains "$STATUS" '"companies: stream not connected for ' "silence counted from the stale file"
rm "$METRICS/ch-fetch.prom"
status_of
assert_eq 1 "$RC" "status exit without ch-fetch.prom"
assert_contains "$STATUS" '"companies: ch-fetch not running (no ch-fetch.prom in the metrics directory)"' "missing metrics"
assert_eq null "$(field connected)" "connected without ch-fetch.prom"
# Without a metrics directory only the database is judged.
RC=0
STATUS=$(CH_LOG_LEVEL=error "$BIN/ch-store" --db "$DB" status) || RC=$?
assert_eq 0 "$RC" "status exit without a metrics directory: $STATUS"

# 5. A live start records a gap: unhealthy until a complete bulk import.
DB="$TMP/live.db"
start_fake_server live --capture "$TMP/capture.ndjson" --heartbeat 0.3 --live-from-start --rate 500
start_pipeline l CH_DB="$DB" CH_METRICS_DIR="$METRICS"
wait_for 20 has_checkpoint "$DB" || fail "live: nothing committed: $(tail -n 3 "$TMP/l.err")"
status_of
assert_eq 1 "$RC" "status exit after a live start"
assert_eq '["companies: gap open"]' "$(field problems)" "problems after a live start (named by stream)"
assert_eq 1 "$(field gaps_open)" "gaps after a live start"
printf '{"snapshot_end":{"stream":"companies","as_of":"%s","rows":0}}\n' "$(date -u -d tomorrow +%Y-%m-%d)" |
  store --db "$DB"
wait_for 10 healthy_now || fail "live: still unhealthy after the snapshot: $STATUS"
assert_eq 0 "$(field gaps_open)" "gaps after the snapshot"

echo "PASS 54_pipeline_health"
