#!/bin/bash
# The notifier with several chains: one notifier per chain, with CH_STREAM
# in its environment, gets its stream's signals (and, for companies, the
# status changes) at least once. ch-store killed with -9 at random moments
# (between a commit and its write, among others) loses none: each chain
# start first re-sends the signals of its stream committed after the
# cursor $CH_DB.<stream>.signals.notified, in the format of
# ch-store --emit-changes. The notifier killed with -9, or failing, loses
# nothing either: what was still in its pipe comes again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/gen_streams.py" --seed 71 --days 1 --scale 0.01 --clean --out-dir "$TMP/gen" >/dev/null 2>&1
first_tp() { head -n 1 "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])'; }
last_tp() { tail -n 1 "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])'; }
C="$TMP/gen/companies.ndjson"
F="$TMP/gen/filings.ndjson"
head -n 600 "$F" >"$TMP/filings-1.ndjson"
tail -n +601 "$F" >"$TMP/filings-2.ndjson"
[ -s "$TMP/filings-2.ndjson" ] || fail "the filings capture is too short to split"

DB="$TMP/n.db"
pipeline_env=(CH_DB="$DB" CH_STREAMS=companies,filings CH_TIMEPOINT="$(first_tp "$C")"
  CH_TIMEPOINT_FILINGS="$(first_tp "$F")" CH_RESTART_MIN=0.2 CH_RESTART_MAX=0.5
  CH_NOTIFY_CMD="exec cat >> '$TMP/notified-'\"\$CH_STREAM\"'.ndjson'")
checkpoint_is() { [ "$(store --db "$DB" checkpoint --stream "$1")" = "$2" ]; }
# store_pid STREAM: the pid of STREAM's ch-store under the supervisor.
# ps fails when the supervisor has no child at all (both chains between
# restarts): that is no pid, not a failed test.
store_pid() {
  { ps -o pid=,args= --ppid "$PIPE_PID" || true; } | awk -v s="$1" '$2 ~ /ch-store$/ && $0 ~ "--stream " s "( |$)" { print $1; exit }'
}

# 1. Both streams, ch-store killed with -9 now and then.
start_fake_server srv1 --capture companies="$C" --capture filings="$TMP/filings-1.ndjson" \
  --heartbeat 0.3 --rate 150
start_pipeline run1 "${pipeline_env[@]}"
kills=0
for delay in 0.7 1.1 0.9 1.3; do
  sleep "$delay"
  for stream in filings companies; do
    pid=$(store_pid "$stream")
    if [ -n "$pid" ]; then
      kill -KILL "$pid" && kills=$((kills + 1))
    fi
  done
done
echo "ch-store killed $kills times"
[ "$kills" -ge 4 ] || fail "too few kills: $kills"
wait_for 40 checkpoint_is companies "$(last_tp "$C")" || fail "companies never finished: $(tail -n 3 "$TMP/run1.err")"
wait_for 40 checkpoint_is filings "$(last_tp "$TMP/filings-1.ndjson")" || fail "filings never finished: $(tail -n 3 "$TMP/run1.err")"

# every_one_notified STREAM: each signal of STREAM in the database (and for
# companies each status change) is in the notifier's file; no line of
# another stream is.
every_one_notified() {
  python3 - "$TMP/notified-$1.ndjson" "$1" "$(sql "$DB" "SELECT group_concat(id) FROM signals WHERE stream = '$1'")" \
    "$(sql "$DB" "SELECT group_concat(id) FROM status_changes")" <<'PY'
import json, sys
path, stream, signals, changes = sys.argv[1:5]
lines = [json.loads(l) for l in open(path)]
seen = {l["signal_id"] for l in lines if "signal_id" in l}
want = {int(i) for i in signals.split(",") if i}
assert want, "no signal of %s stored" % stream
assert want <= seen, "never notified: %s" % sorted(want - seen)[:10]
assert seen <= want, "notified signals that are not %s's: %s" % (stream, sorted(seen - want)[:10])
assert all(l["stream"] == stream for l in lines if "signal_id" in l)
ids = {l["id"] for l in lines if "id" in l}
if stream == "companies":
    missing = {int(i) for i in changes.split(",") if i} - ids
    assert not missing, "status changes never notified: %s" % sorted(missing)[:10]
else:
    assert not ids, "status changes sent to the %s notifier" % stream
PY
}
wait_for 10 every_one_notified filings || every_one_notified filings || fail "filings: signals lost"
wait_for 10 every_one_notified companies || every_one_notified companies || fail "companies: lost"
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "run1 did not stop"
echo "run 1: $(wc -l <"$TMP/notified-filings.ndjson") filings lines, $(wc -l <"$TMP/notified-companies.ndjson") companies lines"

# 2. Signals committed with no notifier to write them to (as a ch-store
# killed between its commit and its write leaves them): the next chain of
# the stream sends them first, as ch-store --emit-changes wrote them.
CH_LOG_LEVEL=error "$BIN/ch-parse" --stream filings <"$TMP/filings-2.ndjson" |
  store --db "$DB" --stream filings --emit-changes | { grep '^{"signal_id":' || true; } >"$TMP/by_hand.ndjson"
[ -s "$TMP/by_hand.ndjson" ] || fail "the second half of filings added no signal"
before=$(tail -n 1 "$DB.filings.signals.notified")
lines_before=$(wc -l <"$TMP/notified-filings.ndjson")
start_fake_server srv2 --capture companies="$C" --capture filings="$F" --heartbeat 0.3
start_pipeline run2 "${pipeline_env[@]}"
wait_for 15 eval '[ "$(wc -l < "$TMP/notified-filings.ndjson")" -ge $((lines_before + $(wc -l < "$TMP/by_hand.ndjson"))) ]' ||
  fail "the missed signals were not sent: $(tail -n 3 "$TMP/run2.err")"
assert_contains "$(cat "$TMP/run2.err")" \
  "\"message\":\"sending the notifier the signals it missed\",\"after_id\":$before,\"signals\":$(wc -l <"$TMP/by_hand.ndjson"),\"stream\":\"filings\"" \
  "catch-up logged"
tail -n +$((lines_before + 1)) "$TMP/notified-filings.ndjson" | head -n "$(wc -l <"$TMP/by_hand.ndjson")" >"$TMP/caught_up.ndjson"
python3 - "$TMP/caught_up.ndjson" "$TMP/by_hand.ndjson" <<'PY' || fail "the catch-up lines differ from ch-store's"
import json, sys
got = [list(json.loads(l).items()) for l in open(sys.argv[1])]
want = [list(json.loads(l).items()) for l in open(sys.argv[2])]
assert got == want, "%s\n!=\n%s" % (got[:2], want[:2])
PY
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "run2 did not stop"
# The cursor is complete once the notifier has read to its end and exited
# 0 (while it runs, the last lines still in its pipe are not counted).
assert_eq "$(sql "$DB" "SELECT max(id) FROM signals WHERE stream = 'filings'")" \
  "$(tail -n 1 "$DB.filings.signals.notified")" "filings signal cursor"

# 3. The notifier itself killed with -9 while lines wait in its pipe, then
# failing once (exit 1): nothing lost. The relay counted an id as delivered
# once written into the pipe, so what the pipe still held was lost for good
# (an independent run: up to 67 of 162 status changes).
DB="$TMP/k.db"
rm -f "$TMP"/notified-*.ndjson
cat >"$TMP/slow_notifier.sh" <<'EOF'
echo $$ >"$PIDS_DIR/notifier.$CH_STREAM.pid"
while IFS= read -r line; do
  printf '%s\n' "$line" >>"$OUT_DIR/notified-$CH_STREAM.ndjson"
  if [ -e "$PIDS_DIR/fail.$CH_STREAM" ]; then rm -f "$PIDS_DIR/fail.$CH_STREAM"; exit 1; fi
  sleep 0.01
done
EOF
mkdir -p "$TMP/pids"
start_fake_server srv3 --capture companies="$C" --capture filings="$F" --heartbeat 0.3 --rate 300
start_pipeline run3 CH_DB="$DB" CH_STREAMS=companies,filings CH_TIMEPOINT="$(first_tp "$C")" \
  CH_TIMEPOINT_FILINGS="$(first_tp "$F")" CH_RESTART_MIN=0.2 CH_RESTART_MAX=0.5 \
  PIDS_DIR="$TMP/pids" OUT_DIR="$TMP" CH_NOTIFY_CMD="sh '$TMP/slow_notifier.sh'"
notifier_kills=0
for delay in 1.0 1.5 1.2; do
  sleep "$delay"
  for stream in companies filings; do
    pid=$(cat "$TMP/pids/notifier.$stream.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; then notifier_kills=$((notifier_kills + 1)); fi
  done
done
touch "$TMP/pids/fail.companies" "$TMP/pids/fail.filings"
echo "notifier killed $notifier_kills times"
[ "$notifier_kills" -ge 2 ] || fail "too few notifier kills: $notifier_kills"
wait_for 60 checkpoint_is companies "$(last_tp "$C")" || fail "run3: companies never finished: $(tail -n 3 "$TMP/run3.err")"
wait_for 60 checkpoint_is filings "$(last_tp "$F")" || fail "run3: filings never finished: $(tail -n 3 "$TMP/run3.err")"
wait_for 60 every_one_notified filings || every_one_notified filings || fail "run3: filings signals lost"
wait_for 60 every_one_notified companies || every_one_notified companies || fail "run3: companies lost"
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "run3 did not stop"

echo "PASS 71_pipeline_notify_signals"
