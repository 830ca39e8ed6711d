#!/bin/bash
# A step of the wall clock (NTP, an operator's `date -s`) while pipeline.sh
# runs: its restart delays, stop deadlines and watchdog are durations and must
# not move with it. clock_shift.c (LD_PRELOAD) steps the wall clock of the
# supervisor and its chain by whole seconds read from a file.
# - Back one hour while a restart waits: the chain must start after its
#   backoff, not an hour later.
# - Back one hour, then a SIGSTOP of ch-store: the watchdog must still restart
#   the chain (metrics files written "in the future" are not fresh forever).
# - Forward one hour: no restart (metrics files are not an hour old).
# Ingestion goes on throughout: the database equals tests/oracle.py's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cc -shared -fPIC -O2 -Wall -o "$TMP/clock_shift.so" "$ROOT/tests/e2e/clock_shift.c" -ldl
SHIFT="$TMP/clock_shift"
echo 0 >"$SHIFT"

gen_resumable_capture "$TMP/capture.ndjson" 6000 75
oracle_streams "$TMP/oracle" companies "$TMP/capture.ndjson"
first=$(head -n 1 "$TMP/capture.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')
final=$(cat "$TMP/oracle/checkpoint.txt")
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 200

DB="$TMP/c.db"
WATCHDOG=4
start_pipeline p CH_DB="$DB" CH_TIMEPOINT="$first" CH_METRICS_DIR="$TMP/metrics" CH_WATCHDOG="$WATCHDOG" \
  CH_RESTART_MIN=3 CH_RESTART_MAX=3 LD_PRELOAD="$TMP/clock_shift.so" CH_TEST_CLOCK_SHIFT_FILE="$SHIFT"
count() { grep -c "\"message\":\"$1\"" "$TMP/p.err" || true; }
live_child() {
  ps -o pid=,stat=,comm=,args= --ppid "$PIPE_PID" |
    awk -v c="$1" '$3 == c && $2 !~ /^Z/ && $0 !~ / checkpoint / { p = $1 } END { print p }'
}
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -ge "$((first + 500))" ]' || fail "no progress at the start"

# 1. Back an hour while the restart waits its 3 s.
starts=$(count "chain starting")
scheduled=$(count "restarting the chain")
kill -9 "$(live_child ch-fetch)"
wait_for 10 eval '[ "$(count "restarting the chain")" -gt "$scheduled" ]' || fail "the chain's exit was not seen"
echo -3600 >"$SHIFT"
t0=$(now_ms)
wait_for 10 eval '[ "$(count "chain starting")" -gt "$starts" ]' ||
  fail "no chain started within 10 s of a 3 s backoff once the clock went back an hour"
echo "clock back 1 h during the backoff: chain started after $(($(now_ms) - t0)) ms"

# 2. Still an hour back: a stopped ch-store is restarted by the watchdog.
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -ge "$((first + 2000))" ]' || fail "no progress after the step"
restarts=$(count "no progress: restarting the chain")
wait_for 10 eval '[ -n "$(live_child ch-store)" ]' || fail "no ch-store"
stopped=$(live_child ch-store)
kill -STOP "$stopped"
t0=$(now_ms)
wait_for $((WATCHDOG + 10)) eval '[ "$(count "no progress: restarting the chain")" -gt "$restarts" ]' ||
  fail "the watchdog did not restart a stopped ch-store with the clock an hour back: $(tail -n 3 "$TMP/p.err")"
echo "clock back 1 h: watchdog restarted the chain $(($(now_ms) - t0)) ms after the SIGSTOP"
kill -CONT "$stopped" 2>/dev/null || true
wait_for 15 all_gone "$stopped" || fail "the stopped ch-store was not ended"

# 3. Forward an hour (from the real time): no stage looks silent.
wait_for 20 eval '[ -n "$(live_child ch-store)" ]' || fail "ch-store not restarted"
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -ge "$((first + 3500))" ]' || fail "no progress before the forward step"
restarts=$(count "no progress: restarting the chain")
starts=$(count "chain starting")
echo 3600 >"$SHIFT"
sleep $((WATCHDOG + 3))
assert_eq "$restarts" "$(count "no progress: restarting the chain")" "watchdog restarts after the clock went forward an hour"
assert_eq "$starts" "$(count "chain starting")" "chains started after the clock went forward an hour"

wait_for 60 eval '[ "$(store --db "$DB" checkpoint)" = "$final" ]' ||
  fail "never reached $final: $(tail -n 3 "$TMP/p.err")"
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "the supervisor did not stop"

compare_with_oracle "$DB" "$TMP/oracle"

echo "PASS 75_pipeline_clock_step"
