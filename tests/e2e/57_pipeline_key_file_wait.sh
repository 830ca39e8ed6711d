#!/bin/bash
# A briefly unreadable key file is not fatal (issue 16, item 4). pipeline.sh
# runs with CH_STREAM_KEY_FILE; the file is renamed away, and the chain
# restarts (ch-fetch killed): the fresh ch-fetch waits for the file instead
# of exiting 78 (status says so), through another restart, the path being a
# directory and then an empty file; once the key is back, the events
# appended meanwhile arrive, within the restart cap. Still fatal: a missing
# key file at the supervisor's first start, and a key the server rejects
# (401), after a restart too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/k.db"
METRICS="$TMP/metrics"
KEYFILE="$TMP/secrets/key"
mkdir -p "$METRICS" "$TMP/secrets"
printf 'testkey\n' >"$KEYFILE"
make_capture "$TMP/capture.ndjson" 1 100

checkpoint() { store --db "$DB" checkpoint; }
at_checkpoint() { [ "$(checkpoint)" = "$1" ]; }
fetch_pid() { child_pid "$PIPE_PID" ch-fetch; }
# restart_chain: kills ch-fetch (-9) and waits for its successor.
restart_chain() {
  local old
  old=$(fetch_pid)
  [ -n "$old" ] || fail "no ch-fetch to kill"
  kill -KILL "$old"
  wait_for 10 eval '[ -n "$(fetch_pid)" ] && [ "$(fetch_pid)" != '"$old"' ]' ||
    fail "the chain did not restart: $(tail -n 3 "$TMP/p.err")"
}
# waiting_lines: warn lines of ch-fetch waiting for the key.
waiting_lines() { grep -c '"message":"no stream key: waiting for CH_STREAM_KEY_FILE' "$TMP/p.err" || true; }

start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --follow
# CH_STREAM_KEY is wrong on purpose: the file is the one that counts.
start_pipeline p CH_DB="$DB" CH_TIMEPOINT=1 CH_STREAM_KEY=not-the-key CH_STREAM_KEY_FILE="$KEYFILE" \
  CH_METRICS_DIR="$METRICS" CH_RESTART_MIN=0.2 CH_RESTART_MAX=2 CH_BACKOFF_INITIAL=0.1 CH_BACKOFF_MAX=0.5
wait_for 20 at_checkpoint 100 || fail "the first 100 events never came: $(tail -n 3 "$TMP/p.err")"

# 1. The file goes away (a rotation that is not atomic), and a chain
# restart happens meanwhile: ch-fetch waits, pipeline.sh goes on.
mv "$KEYFILE" "$KEYFILE.rotating"
restart_chain
wait_for 10 eval '[ "$(waiting_lines)" -ge 1 ]' || fail "ch-fetch does not say it waits: $(tail -n 3 "$TMP/p.err")"
make_capture "$TMP/capture.ndjson" 101 200
sleep 1.5
kill -0 "$PIPE_PID" || fail "pipeline.sh stopped"
[ -n "$(fetch_pid)" ] || fail "ch-fetch is not running while it waits"
assert_eq 100 "$(checkpoint)" "checkpoint while the key file is missing"
grep -q '"code":78' "$TMP/p.err" && fail "a stage exited 78"
STATUS=$(CH_LOG_LEVEL=error CH_METRICS_DIR="$METRICS" "$BIN/ch-store" --db "$DB" status || true)
assert_contains "$STATUS" "no stream key: ch-fetch is waiting for CH_STREAM_KEY_FILE" "status while waiting"

# 2. Another restart while the path is a directory, then an empty file:
# still waiting, each reason logged.
mkdir "$KEYFILE"
restart_chain
wait_for 10 grep -q 'Is a directory' "$TMP/p.err" || fail "the directory is not reported"
rmdir "$KEYFILE"
: >"$KEYFILE"
wait_for 10 grep -q 'is empty' "$TMP/p.err" || fail "the empty file is not reported"
assert_eq 100 "$(checkpoint)" "checkpoint while the key file is a directory or empty"

# 3. The key is back: ingestion resumes by itself, within the restart cap
# (CH_RESTART_MAX=2 s; ch-fetch reads the file every second).
mv "$KEYFILE.rotating" "$KEYFILE"
back=$(now_ms)
wait_for 20 at_checkpoint 200 || fail "ingestion did not resume: $(tail -n 3 "$TMP/p.err")"
took=$(($(now_ms) - back))
echo "resumed $took ms after the key file came back"
[ "$took" -lt 5000 ] || fail "resuming took $took ms"
assert_eq 200 "$(sql "$DB" 'SELECT count(*) FROM companies')" "companies after the key came back"
grep -q '"message":"the stream key file yields a key again; connecting"' "$TMP/p.err" ||
  fail "no line saying the key is back"
grep -q 'testkey' "$TMP/p.err" && fail "the key appears in the log"

# 4. Still fatal after a restart: a key the server rejects (401).
printf 'wrong-key\n' >"$KEYFILE.new" && mv "$KEYFILE.new" "$KEYFILE"
kill -KILL "$(fetch_pid)"
wait_for 15 all_gone "$PIPE_PID" || fail "pipeline.sh did not stop after the 401"
rc=0
wait "$PIPE_PID" || rc=$?
assert_eq 78 "$rc" "pipeline.sh exit after a 401"
assert_contains "$(cat "$TMP/p.err")" '"message":"stage failed permanently; not restarting","stage":"ch-fetch","code":78' "the 401 stops it"

# 5. Still fatal at the first start: a key file that is missing.
rm "$KEYFILE"
start=$(now_ms)
rc=0
env CH_BIN="$BIN" CH_STREAMS=companies CH_STREAM_URL="http://127.0.0.1:$PORT" CH_DB="$DB" CH_STREAM_KEY_FILE="$KEYFILE" \
  CH_RESTART_MIN=0.2 timeout -k 2 20 bash "$ROOT/pipeline.sh" >/dev/null 2>"$TMP/first.err" || rc=$?
assert_eq 78 "$rc" "first start with a missing key file"
[ $(($(now_ms) - start)) -lt 10000 ] || fail "the first start waited for the key file"
assert_contains "$(cat "$TMP/first.err")" 'CH_STREAM_KEY_FILE' "the first start names the variable"

echo "PASS 57_pipeline_key_file_wait"
