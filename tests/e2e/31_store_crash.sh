#!/bin/bash
# ch-store killed at any moment: kill -9 in the middle of a slow replay leaves
# a consistent database holding exactly the input up to its checkpoint, and
# replaying the whole capture afterwards gives the same database as one
# uninterrupted run; SIGTERM (and SIGINT, SIGHUP) in the middle exits 0
# promptly with the same prefix property, also while it waits for the write
# lock that another connection holds; a second writer by mistake cannot
# apply anything twice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RECORDS="$TMP/records.ndjson"
"$BIN/ch-parse" < "$ROOT/samples/capture.ndjson" > "$RECORDS" 2>/dev/null || fail "ch-parse failed"
store --db "$TMP/reference.db" < "$RECORDS" || fail "reference run exited $?"
dump_db "$TMP/reference.db" > "$TMP/reference.txt"

# feed FILE: writes FILE's lines in bursts of 20 with a pause, so ch-store
# commits many small transactions and is usually inside one.
feed() {
  python3 - "$1" <<'PY'
import sys, time
lines = open(sys.argv[1], "rb").readlines()
out = sys.stdout.buffer
try:
    for i in range(0, len(lines), 20):
        out.write(b"".join(lines[i:i + 20]))
        out.flush()
        time.sleep(0.004)
except BrokenPipeError:
    pass
PY
}

# check_prefix DB: the database equals a fresh one fed the input up to the
# first record carrying its checkpoint (rejects aside: they carry no position).
check_prefix() {
  local db="$1" checkpoint
  [ "$(sql "$db" "PRAGMA integrity_check")" = "ok" ] || fail "integrity check of $db"
  checkpoint=$(store --db "$db" checkpoint)
  [ -n "$checkpoint" ] || fail "no checkpoint in $db"
  python3 - "$RECORDS" "$checkpoint" > "$TMP/prefix.ndjson" <<'PY'
import json, sys
want = int(sys.argv[2])
for line in open(sys.argv[1], encoding="utf-8"):
    sys.stdout.write(line)
    record = json.loads(line)
    # Rejects carry a timepoint too (when one could be read): only a company
    # record moves the checkpoint.
    if record.get("kind") == "company" and record.get("timepoint") == want:
        break
else:
    sys.exit("checkpoint %d is not a timepoint of the input" % want)
PY
  rm -f "$TMP/prefix.db"*
  store --db "$TMP/prefix.db" < "$TMP/prefix.ndjson" || fail "prefix run"
  diff <(dump_db "$db" | grep -v '^reject|') <(dump_db "$TMP/prefix.db" | grep -v '^reject|') > "$TMP/prefix.diff" ||
    fail "$db is not the input up to its checkpoint $checkpoint: $(head -3 "$TMP/prefix.diff")"
  echo "$checkpoint"
}

total=$(wc -l < "$RECORDS")

# 1. kill -9 in the middle, then the whole capture again.
mkfifo "$TMP/fifo"
( feed "$RECORDS" > "$TMP/fifo" ) &
BG_PIDS+=("$!")
start_bg "${STORE[@]}" --db "$TMP/crash.db" < "$TMP/fifo"
store_pid=$BG_PID
wait_for 10 has_checkpoint "$TMP/crash.db" || fail "no commit within 10 s"
sleep 0.2
kill -KILL "$store_pid"
wait "$store_pid" 2>/dev/null || true
committed=$(check_prefix "$TMP/crash.db")
[ "$committed" != "$(store --db "$TMP/reference.db" checkpoint)" ] || echo "note: the kill came after the last commit"
store --db "$TMP/crash.db" < "$RECORDS" || fail "replay after the crash exited $?"
dump_db "$TMP/crash.db" > "$TMP/crash.txt"
cmp -s "$TMP/reference.txt" "$TMP/crash.txt" ||
  fail "kill -9 and replay differ from one run: $(diff "$TMP/reference.txt" "$TMP/crash.txt" | head -3)"

# 2. SIGTERM, SIGINT and SIGHUP in the middle: exit 0 within a second, a prefix.
for signal in TERM INT HUP; do
  rm -f "$TMP/sig.db"* "$TMP/fifo"
  mkfifo "$TMP/fifo"
  ( feed "$RECORDS" > "$TMP/fifo" ) &
  BG_PIDS+=("$!")
  start_bg "${STORE[@]}" --db "$TMP/sig.db" < "$TMP/fifo"
  store_pid=$BG_PID
  wait_for 10 has_checkpoint "$TMP/sig.db" || fail "no commit within 10 s ($signal)"
  sleep 0.1
  kill "-$signal" "$store_pid"
  for _ in $(seq 20); do kill -0 "$store_pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$store_pid" 2>/dev/null && fail "ch-store still running 1 s after SIG$signal"
  rc=0
  wait "$store_pid" || rc=$?
  assert_eq 0 "$rc" "exit code after SIG$signal"
  check_prefix "$TMP/sig.db" > /dev/null
done

# 3. Two writers by mistake, on the same input at once: nothing applied twice.
rm -f "$TMP/two.db"*
store --db "$TMP/two.db" migrate
start_bg "${STORE[@]}" --db "$TMP/two.db" < "$RECORDS"
first=$BG_PID
store --db "$TMP/two.db" < "$RECORDS" || fail "second writer exited $?"
wait "$first" || fail "first writer exited $?"
dump_db "$TMP/two.db" > "$TMP/two.txt"
cmp -s "$TMP/reference.txt" "$TMP/two.txt" ||
  fail "two writers differ from one: $(diff "$TMP/reference.txt" "$TMP/two.txt" | head -3)"
# 4. SIGTERM while waiting for the write lock (another connection holds it
# for longer than the busy timeout): exit 0 at once, not 75 after it.
rm -f "$TMP/held.db"*
store --db "$TMP/held.db" migrate
python3 - "$TMP/held.db" "$TMP/held.flag" <<'PY' &
import sqlite3, sys, time, os
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(8)
db.execute("ROLLBACK")
PY
BG_PIDS+=("$!")
wait_for 5 test -e "$TMP/held.flag" || fail "the lock holder did not start"
start_bg env CH_LOG_LEVEL=info CH_BUSY_TIMEOUT=6000 "$BIN/ch-store" --db "$TMP/held.db" < "$RECORDS" 2> "$TMP/held.err"
store_pid=$BG_PID
sleep 0.5
kill -0 "$store_pid" 2>/dev/null || fail "ch-store did not wait for the lock: $(tail -n 2 "$TMP/held.err")"
start=$(now_ms)
kill -TERM "$store_pid"
rc=0
wait "$store_pid" || rc=$?
elapsed=$(($(now_ms) - start))
assert_eq 0 "$rc" "exit code after SIGTERM while waiting for the lock"
[ "$elapsed" -lt 1000 ] || fail "SIGTERM while waiting for the lock took $elapsed ms"
assert_contains "$(cat "$TMP/held.err")" '"message":"stop requested"' "log after SIGTERM while waiting"
assert_eq "" "$(store --db "$TMP/held.db" checkpoint)" "nothing applied while the lock was held"

echo "PASS 31_store_crash ($total records; kill -9 after timepoint $committed)"
