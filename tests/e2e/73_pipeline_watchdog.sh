#!/bin/bash
# e2e: alone (it expects status to name a stalled stage within the watchdog)
# Issue 16, "name the right stage": a stage alive but making no progress
# (SIGSTOP here; hung alike). The stage before it blocks on its output and
# says so in its metrics file, which it keeps fresh while blocked; the
# stuck stage's own file (its heartbeat) is no longer rewritten. ch-store
# status names the stuck stage (not "ch-fetch not running"), and
# pipeline.sh's watchdog restarts the chain after CH_WATCHDOG; ingestion
# resumes with nothing lost or doubled (tests/oracle.py). On a quiet stream
# (heartbeats only: no pipe fills) a stopped ch-store shows by its
# heartbeat alone, and a quiet stream is no reason to restart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gen_resumable_capture "$TMP/capture.ndjson" 4000 73
mkdir "$TMP/oracle"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" "$TMP/capture.ndjson" 2>/dev/null
first=$(head -n 1 "$TMP/capture.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')
final=$(cat "$TMP/oracle/checkpoint.txt")
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 400

DB="$TMP/w.db"
METRICS="$TMP/metrics"
WATCHDOG=6
start_pipeline p CH_DB="$DB" CH_TIMEPOINT="$first" CH_METRICS_DIR="$METRICS" CH_WATCHDOG="$WATCHDOG" \
  CH_RESTART_MIN=0.2 CH_RESTART_MAX=0.5
# Status uses a watchdog 3 s shorter than the supervisor's: a metrics file
# rewritten every 2 s may be fresh at the SIGSTOP, and a loaded machine
# needs the time left to run status (with 4 s, 1 s was left, and this
# failed once beside a build).
stuck_named() {
  STATUS=$(CH_LOG_LEVEL=error "$BIN/ch-store" --db "$DB" --metrics-dir "$METRICS" --watchdog 3 status) && return 1
  case "$STATUS" in *"\"companies: $1 not making progress for "*"$2"*) ;; *) return 1 ;; esac
  case "$STATUS" in *"ch-fetch not running"*) fail "status blames ch-fetch: $STATUS" ;; esac
}
# live_child NAME: the running (not zombie) child NAME of the supervisor,
# the newest when a stage of the chain before is still being reaped; never
# the `ch-store checkpoint` the supervisor runs before it starts a chain.
live_child() {
  ps -o pid=,stat=,comm=,args= --ppid "$PIPE_PID" |
    awk -v c="$1" '$3 == c && $2 !~ /^Z/ && $0 !~ / checkpoint / { p = $1 } END { print p }'
}
restarts() { grep -c '"message":"no progress: restarting the chain"' "$TMP/p.err" || true; }

# stop_stage NAME READER_OF: SIGSTOP the chain's NAME; status must name it,
# and the watchdog restart it within CH_WATCHDOG plus the time to fill the
# pipes and a tick or two.
stop_stage() {
  local name="$1" upstream="$2" pid before start
  before=$(restarts)
  AT_LEAST=$((first + $3))
  wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -ge "$AT_LEAST" ]' || fail "no progress before stopping $name"
  wait_for 10 eval '[ -n "$(live_child "$name")" ]' || fail "no $name"
  pid=$(live_child "$name")
  start=$(now_ms)
  kill -STOP "$pid"
  wait_for $((WATCHDOG - 1)) stuck_named "$name" "$upstream" ||
    fail "status did not name $name (pid $pid) within $((WATCHDOG - 1)) s: ${STATUS:-}; children: $(ps -o pid=,stat=,args= --ppid "$PIPE_PID" | tr '\n' ';')"
  echo "$name stopped: status after $(($(now_ms) - start)) ms: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["problems"])' "$STATUS")"
  wait_for $((WATCHDOG + 8)) eval '[ "$(restarts)" -gt "$before" ]' ||
    fail "the watchdog did not restart the chain: $(tail -n 3 "$TMP/p.err")"
  echo "$name stopped: chain restarted after $(($(now_ms) - start)) ms"
  assert_contains "$(grep '"message":"no progress' "$TMP/p.err" | tail -n 1)" "\"stage\":\"$name\"" \
    "the watchdog names $name"
  wait_for 15 all_gone "$pid" || fail "the stopped $name was not ended"
}
stop_stage ch-store "ch-parse blocked on output" 1000
stop_stage ch-parse "ch-fetch blocked on output" 2000

wait_for 40 eval '[ "$(store --db "$DB" checkpoint)" = "$final" ]' ||
  fail "never reached $final: $(tail -n 3 "$TMP/p.err")"
# A quiet stream (only heartbeats now) is no reason to restart.
before=$(restarts)
sleep $((WATCHDOG + 2))
assert_eq "$before" "$(restarts)" "restarts while the stream only sends heartbeats"
# Quiet, no pipe fills: a stopped ch-store shows by its heartbeat alone.
stop_stage ch-store "ch-store.prom not rewritten" 0
wait_for 10 eval '[ -n "$(live_child ch-store)" ]' || fail "ch-store not restarted"
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "the supervisor did not stop"

sql_csv "$DB" "SELECT company_number, company_name, company_status, company_status_detail, as_of, source, deleted
               FROM companies ORDER BY company_number" >"$TMP/companies.csv"
sql_csv "$DB" "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,
               new_status_detail, source FROM status_changes ORDER BY id" >"$TMP/status_changes.csv"
cmp -s "$TMP/companies.csv" "$TMP/oracle/companies.csv" || fail "companies differ from the oracle"
cmp -s "$TMP/status_changes.csv" "$TMP/oracle/status_changes.csv" || fail "status changes differ from the oracle"

echo "PASS 73_pipeline_watchdog"
