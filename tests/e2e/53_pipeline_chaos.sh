#!/bin/bash
# Chaos: pipeline.sh follows the fake server streaming 20,000 realistic
# events at 2,000 a second while this script kill -9s its stages (ch-fetch,
# ch-parse, ch-store, each at least three times) at random moments of the
# chains' lives. Every kill is seen and logged as the chain's failure, the
# chain restarts from the checkpoint, and the database ends identical to an
# uninterrupted run (tests/oracle.py: every company, every status change
# exactly once, the checkpoint); the notifier has seen every status change
# (at least once).
# CHAOS_SEED=N replays a run's choices.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

seed=${CHAOS_SEED:-$(($(date +%s) % 100000))}
RANDOM=$seed
echo "chaos seed $seed (CHAOS_SEED=$seed replays it)"

gen_resumable_capture "$TMP/capture.ndjson" 20000 53
mkdir "$TMP/oracle"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" "$TMP/capture.ndjson" 2>/dev/null
first=$(head -n 1 "$TMP/capture.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')
final=$(cat "$TMP/oracle/checkpoint.txt")
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 2000

DB="$TMP/chaos.db"
start_pipeline chaos CH_DB="$DB" CH_TIMEPOINT="$first" CH_RESTART_MIN=0.2 CH_RESTART_MAX=1 CH_RESTART_RESET=0.5 \
  CH_METRICS_DIR="$TMP" CH_NOTIFY_CMD="cat >> '$TMP/notified.ndjson'"
checkpoint() { store --db "$DB" checkpoint; }
wait_for 20 has_checkpoint "$DB" || fail "nothing committed: $(tail -n 5 "$TMP/chaos.err")"

# Three kills of each stage, and one more, in a random order.
victims=(ch-fetch ch-parse ch-store ch-fetch ch-parse ch-store ch-fetch ch-parse ch-store)
victims+=("${victims[RANDOM % 3]}")
for ((i = ${#victims[@]} - 1; i > 0; i--)); do
  j=$((RANDOM % (i + 1)))
  tmp=${victims[i]}
  victims[i]=${victims[j]}
  victims[j]=$tmp
done

declare -A killed=([ch-fetch]=0 [ch-parse]=0 [ch-store]=0)
kills=0
chains() { grep -c '"message":"chain starting"' "$TMP/chaos.err" || true; }
victim_pid() {
  pid=$(child_pid "$PIPE_PID" "$victim")
  [ -n "$pid" ]
}
for victim in "${victims[@]}"; do
  # A stage of the chain started after the last kill, not of the one ending.
  wait_for 10 eval '[ "$(chains)" -gt "$kills" ]' || fail "no chain started after kill $kills"
  wait_for 10 victim_pid || fail "$victim did not come back"
  # 0 to 1.2 s into the chain's life: at start-up, mid-batch, mid-commit.
  ms=$((RANDOM % 1200))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -KILL "$pid" || fail "$victim (pid $pid) had exited before its kill"
  killed[$victim]=$((killed[$victim] + 1))
  kills=$((kills + 1))
  echo "kill -9 $victim (pid $pid) at checkpoint $(checkpoint)"
done
[ "$(checkpoint)" -lt "$final" ] || echo "note: the stream was complete before the last kill"

wait_for 60 eval '[ "$(checkpoint)" = "$final" ]' ||
  fail "the checkpoint never reached $final (at $(checkpoint)): $(tail -n 5 "$TMP/chaos.err")"
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "the supervisor did not stop"
rc=0
wait "$PIPE_PID" || rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM"

# Every kill was seen as the failure of that stage, and restarted.
for victim in ch-fetch ch-parse ch-store; do
  assert_eq "${killed[$victim]}" \
    "$(grep -c "\"message\":\"chain ended\",\"stage\":\"$victim\",\"code\":137" "$TMP/chaos.err" || true)" \
    "chain ends logged for kill -9 of $victim"
done
restarts=$(grep -c '"message":"restarting the chain"' "$TMP/chaos.err" || true)
[ "$restarts" -ge "$kills" ] || fail "$restarts restarts for $kills kills"

# Identical to an uninterrupted run.
sql_csv "$DB" "SELECT company_number, company_name, company_status, company_status_detail, as_of, source, deleted
               FROM companies ORDER BY company_number" >"$TMP/companies.csv"
sql_csv "$DB" "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,
               new_status_detail, source FROM status_changes ORDER BY id" >"$TMP/status_changes.csv"
cmp -s "$TMP/companies.csv" "$TMP/oracle/companies.csv" ||
  fail "companies differ from the oracle: $(diff "$TMP/companies.csv" "$TMP/oracle/companies.csv" | head -n 4)"
cmp -s "$TMP/status_changes.csv" "$TMP/oracle/status_changes.csv" ||
  fail "status changes differ from the oracle: $(diff "$TMP/status_changes.csv" "$TMP/oracle/status_changes.csv" | head -n 4)"
assert_eq "$final" "$(checkpoint)" "checkpoint"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM rejects")" "rejects"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM gaps")" "gaps"

python3 - "$TMP/notified.ndjson" "$(sql "$DB" "SELECT group_concat(id) FROM status_changes")" <<'EOF' ||
import json, sys
# Status changes only (signal lines start with "signal_id").
seen = [json.loads(line)["id"] for line in open(sys.argv[1]) if line.startswith('{"id":')]
stored = [int(i) for i in sys.argv[2].split(",")]
missing = sorted(set(stored) - set(seen))
assert not missing, "never notified: %d changes, first %s" % (len(missing), missing[:10])
assert set(seen) <= set(stored), "notified changes that are not stored"
print("notifier: %d lines for %d changes" % (len(seen), len(stored)))
EOF
  fail "the notifier missed changes"

echo "PASS 53_pipeline_chaos ($kills kills: ${killed[*]})"
