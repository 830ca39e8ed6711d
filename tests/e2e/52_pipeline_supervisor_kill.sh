#!/bin/bash
# pipeline.sh killed with -9: its stages notice (the kernel sends them
# SIGTERM: CH_EXIT_WITH_PARENT) and exit on their own within a few seconds,
# and so do the capture filter and the notifier (end of input): no orphans.
# The lock dies with them, and a new supervisor resumes from the checkpoint:
# the database ends as tests/oracle.py says, and the notifier has seen every
# status change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gen_resumable_capture "$TMP/capture.ndjson" 6000 52
mkdir "$TMP/oracle"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" "$TMP/capture.ndjson" 2>/dev/null
first=$(head -n 1 "$TMP/capture.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')
final=$(cat "$TMP/oracle/checkpoint.txt")
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 1000

DB="$TMP/k.db"
env_args=(CH_DB="$DB" CH_TIMEPOINT="$first" CH_CAPTURE_DIR="$TMP/capture" CH_RESTART_MIN=0.2
  CH_NOTIFY_CMD="cat >> '$TMP/notified.ndjson'")
start_pipeline first "${env_args[@]}"
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -ge $((first + 1500)) ]' ||
  fail "no progress: $(tail -n 5 "$TMP/first.err")"

procs=$(descendants "$PIPE_PID")
for name in ch-fetch ch-parse ch-store; do
  [ -n "$(child_pid "$PIPE_PID" "$name")" ] || fail "$name is not running under the supervisor"
done
# shellcheck disable=SC2206
BG_PIDS+=($procs)
kill -KILL "$PIPE_PID"
start=$(now_ms)
# shellcheck disable=SC2086
wait_for 5 all_gone $procs ||
  fail "left running 5 s after the supervisor died: $(ps -o pid=,comm= -p "$(echo $procs | tr ' ' ,)" | tr '\n' ' ')"
echo "every stage gone $(($(now_ms) - start)) ms after kill -9 of the supervisor"
stopped_at=$(store --db "$DB" checkpoint)
[ "$stopped_at" -lt "$final" ] || fail "the run had finished before the kill; nothing tested"
assert_contains "$(cat "$TMP/first.err")" '"program":"ch-store","message":"stopped",' \
  "ch-store stopped by the SIGTERM the kernel sent"

# The lock went with the stages: a new supervisor starts and resumes.
start_pipeline second "${env_args[@]}"
wait_for 30 eval '[ "$(store --db "$DB" checkpoint)" = "$final" ]' ||
  fail "the restart never reached $final: $(tail -n 5 "$TMP/second.err")"
grep -q '"message":"already running' "$TMP/second.err" && fail "the lock outlived the killed supervisor"
assert_contains "$(cat "$TMP/second.err")" "\"message\":\"chain starting\",\"timepoint\":\"$((stopped_at + 1))\"" \
  "the new supervisor resumes after the checkpoint"
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "the second supervisor did not stop"

# Nothing lost, nothing doubled.
sql_csv "$DB" "SELECT company_number, company_name, company_status, company_status_detail, as_of, source, deleted
               FROM companies ORDER BY company_number" >"$TMP/companies.csv"
sql_csv "$DB" "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,
               new_status_detail, source FROM status_changes ORDER BY id" >"$TMP/status_changes.csv"
cmp -s "$TMP/companies.csv" "$TMP/oracle/companies.csv" || fail "companies differ from the oracle"
cmp -s "$TMP/status_changes.csv" "$TMP/oracle/status_changes.csv" || fail "status changes differ from the oracle"

# The notifier saw every change (at least once, in id order per run).
python3 - "$TMP/notified.ndjson" "$(sql "$DB" "SELECT group_concat(id) FROM status_changes")" <<'EOF' ||
import json, sys
# Status changes only (signal lines start with "signal_id").
seen = [json.loads(line)["id"] for line in open(sys.argv[1]) if line.startswith('{"id":')]
stored = [int(i) for i in sys.argv[2].split(",")]
missing = sorted(set(stored) - set(seen))
assert not missing, "never notified: %s" % missing[:10]
assert set(seen) <= set(stored), "notified changes that are not stored"
print("notifier: %d lines for %d changes" % (len(seen), len(stored)))
EOF
  fail "the notifier missed changes"

echo "PASS 52_pipeline_supervisor_kill"
