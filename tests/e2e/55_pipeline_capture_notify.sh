#!/bin/bash
# pipeline.sh's side outputs. CH_CAPTURE_DIR: the raw stream lands in daily
# files <stream>-YYYY-MM-DD.ndjson (UTC), byte for byte as served.
# CH_NOTIFY_CMD: the notifier gets every committed status change once, as
# ch-store --emit-changes writes it (without the stream key in its
# environment); changes committed while no notifier read them (here: applied
# by hand) are sent first when the chain starts again, in the same format;
# the notifier is restarted with the chain.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/gen_capture.py" --clean --events 6000 --seed 55 --out "$TMP/capture.ndjson" 2>/dev/null
mkdir "$TMP/oracle"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" "$TMP/capture.ndjson" 2>/dev/null
first=$(head -n 1 "$TMP/capture.ndjson" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')
final=$(cat "$TMP/oracle/checkpoint.txt")
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 2000

DB="$TMP/n.db"
pipeline_env=(CH_DB="$DB" CH_TIMEPOINT="$first" CH_CAPTURE_DIR="$TMP/capture" CH_RESTART_MIN=0.2
  CH_NOTIFY_CMD="env > '$TMP/notifier.env'; exec cat >> '$TMP/notified.ndjson'")
checkpoint_is() { [ "$(store --db "$DB" checkpoint)" = "$1" ]; }

# same_changes FILE SQL_WHERE: FILE's lines are the status changes selected,
# in id order, with the fields (and their order) of ch-store --emit-changes.
same_changes() {
  sql "$DB" "SELECT json_object('id', s.id, 'company_number', s.company_number, 'timepoint', s.timepoint,
               'published_at', s.published_at, 'old_status', s.old_status, 'old_status_detail',
               s.old_status_detail, 'new_status', s.new_status, 'new_status_detail', s.new_status_detail,
               'source', s.source)
             FROM status_changes AS s WHERE $2 ORDER BY s.id" >"$TMP/expected.ndjson"
  python3 - "$1" "$TMP/expected.ndjson" <<'EOF'
import json, sys
# Status changes only: ch-store --emit-changes also prints signals (first
# member "signal_id"), which the relay passes on but does not catch up.
got = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"id":')]
want = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), "%d lines for %d changes" % (len(got), len(want))
for g, w in zip(got, want):
    assert "company_name" in g, g
    g = {k: v for k, v in g.items() if k != "company_name"}
    assert list(g.items()) == list(w.items()), "%s != %s" % (g, w)
EOF
}

# 1. A clean run: the capture is what the server sent; every change notified once.
start_pipeline run1 "${pipeline_env[@]}"
wait_for 30 checkpoint_is "$final" || fail "never reached $final: $(tail -n 3 "$TMP/run1.err")"
wait_for 5 eval '[ "$(wc -l < "$TMP/notified.ndjson")" -ge "$(sql "$DB" "SELECT count(*) FROM status_changes")" ]' ||
  fail "the notifier is behind"
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "run1 did not stop"
for f in "$TMP"/capture/*; do
  [[ "$(basename "$f")" =~ ^companies-[0-9]{4}-[0-9]{2}-[0-9]{2}\.ndjson$ ]] || fail "unexpected capture file $f"
done
assert_contains "$(ls "$TMP/capture")" "companies-$(date -u +%Y-%m-%d).ndjson" "today's capture file (UTC)"
cat "$TMP"/capture/companies-*.ndjson >"$TMP/captured.ndjson"
cmp -s "$TMP/captured.ndjson" "$TMP/capture.ndjson" || fail "the capture differs from the lines served"
same_changes "$TMP/notified.ndjson" "1" || fail "run1: the notifier's lines are not the status changes"
assert_eq "$(sql "$DB" "SELECT max(id) FROM status_changes")" "$(tail -n 1 "$DB.notified")" "notifier cursor"
grep -q '^CH_STREAM_KEY=' "$TMP/notifier.env" && fail "the notifier got the stream key"
grep -q '^CH_DB=' "$TMP/notifier.env" || fail "the notifier lacks the environment"

# 2. Changes committed while no notifier was reading (applied by hand, as a
# ch-store killed between its commit and its write would leave them) are
# sent first at the next start, as ch-store would have written them.
before=$(sql "$DB" "SELECT max(id) FROM status_changes")
python3 "$ROOT/tests/gen_capture.py" --clean --events 300 --seed 56 --start-timepoint $((final + 1)) \
  --out "$TMP/more.ndjson" 2>/dev/null
CH_LOG_LEVEL=error "$BIN/ch-parse" <"$TMP/more.ndjson" | store --db "$DB" --emit-changes >"$TMP/by_hand_all.ndjson"
grep '^{"id":' "$TMP/by_hand_all.ndjson" >"$TMP/by_hand.ndjson" || true  # the status changes
[ -s "$TMP/by_hand.ndjson" ] || fail "the import by hand changed nothing"
lines_before=$(wc -l <"$TMP/notified.ndjson")
start_pipeline run2 "${pipeline_env[@]}"
wait_for 10 eval '[ "$(wc -l < "$TMP/notified.ndjson")" -ge $((lines_before + $(wc -l < "$TMP/by_hand.ndjson"))) ]' ||
  fail "the missed changes were not sent: $(tail -n 3 "$TMP/run2.err")"
assert_contains "$(cat "$TMP/run2.err")" "\"message\":\"sending the notifier the changes it missed\",\"after_id\":$before" \
  "catch-up logged"
tail -n +$((lines_before + 1)) "$TMP/notified.ndjson" | { grep '^{"id":' || true; } >"$TMP/caught_up.ndjson"
python3 - "$TMP/caught_up.ndjson" "$TMP/by_hand.ndjson" <<'EOF' || fail "the catch-up lines differ from ch-store's"
import json, sys
# company_name: ch-store writes the record's name, the catch-up the stored
# one (the same unless the company was renamed since); same place, though.
def fields(line):
    return [(k, None if k == "company_name" else v) for k, v in json.loads(line).items()]
got = [fields(l) for l in open(sys.argv[1])]
want = [fields(l) for l in open(sys.argv[2])]
assert got == want, "%s\n!=\n%s" % (got[:2], want[:2])
EOF
same_changes "$TMP/notified.ndjson" "1" || fail "run2: the notifier's lines are not the status changes"

# 3. The notifier is restarted with the chain.
# The notifier's shell execs cat.
notifier=$(child_pid "$PIPE_PID" cat)
[ -n "$notifier" ] || fail "no notifier under the supervisor"
chains=$(grep -c '"message":"chain starting"' "$TMP/run2.err")
kill -KILL "$(child_pid "$PIPE_PID" ch-parse)"
wait_for 10 eval '[ "$(grep -c "\"message\":\"chain starting\"" "$TMP/run2.err")" -gt "$chains" ]' ||
  fail "the chain did not restart"
wait_for 5 eval '[ -n "$(child_pid "$PIPE_PID" cat)" ]' || fail "no notifier after the restart"
[ "$(child_pid "$PIPE_PID" cat)" != "$notifier" ] || fail "the notifier was not restarted"
all_gone "$notifier" || fail "the old notifier is still running"
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "run2 did not stop"
same_changes "$TMP/notified.ndjson" "1" || fail "after the restart: the notifier's lines are not the status changes"

echo "PASS 55_pipeline_capture_notify"
