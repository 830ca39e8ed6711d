#!/bin/bash
# Gaps and health: a gap line is recorded once (a repeated 416 for the same
# open gap adds no row) and its resumed_timepoint is the first timepoint
# stored after it; status prints one JSON object and exits 1 while a gap is
# open; only a snapshot_end line heals, and only gaps detected before the
# snapshot's date (a cut-off import heals nothing); --max-commit-age judges
# the last commit; checkpoint, status and leads work on a missing, empty or
# unmigrated database without creating it. Ends with the whole chain: a 416
# from the fake server becomes one gap row, also after a restart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/g.db"
gap() { printf '{"gap":{"stream":"companies","after_timepoint":%s,"reason":"%s"}}\n' "$1" "$2"; }
status_field() { python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())[sys.argv[1]]))' "$1"; }

# 1. Recorded once, resumed by the first stored record.
{
  company_line stream 10 2024-01-01T00:00:00Z 00000001 active
  gap 10 timepoint-out-of-range
  gap 10 timepoint-out-of-range
  company_line stream 10 2024-01-01T00:00:00Z 00000001 active   # a duplicate resumes nothing
} | store --db "$DB"
gap 10 timepoint-out-of-range | store --db "$DB"   # the same 416 after a restart
assert_eq "1|10||timepoint-out-of-range" \
  "$(sql "$DB" "SELECT count(*) || '|' || max(after_timepoint) || '|' || ifnull(max(resumed_timepoint), '') || '|' ||
                       max(reason) FROM gaps")" "one open gap"
company_line stream 500 2024-01-09T00:00:00Z 00000002 active | store --db "$DB"
assert_eq 500 "$(sql "$DB" "SELECT resumed_timepoint FROM gaps")" "resumed_timepoint"
gap null started-live | store --db "$DB"
assert_eq 2 "$(sql "$DB" "SELECT count(*) FROM gaps")" "a live start is another gap"

# 2. status while gaps are open.
rc=0
store --db "$DB" status > "$TMP/status.json" || rc=$?
assert_eq 1 "$rc" "status exit code with open gaps"
python3 - "$TMP/status.json" <<'PY' || fail "status object: $(cat "$TMP/status.json")"
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1 and text.endswith("\n"), repr(text)
s = json.loads(text)
for key in ["stream", "checkpoint", "last_event_published_at", "last_commit_at", "companies", "rejects",
            "gaps_open", "healthy", "status_changes", "schema_version"]:
    assert key in s, key
assert s["stream"] == "companies" and s["checkpoint"] == 500 and s["healthy"] is False, s
assert s["gaps_open"] == 2 and s["companies"] == 2 and s["rejects"] == 0 and s["status_changes"] == 2, s
assert s["last_event_published_at"] == "2024-01-09T00:00:00Z", s
assert s["problems"] == ["companies: gap open"], s
PY

# 3. A cut-off import heals nothing; snapshot_end heals gaps detected before its date.
sql "$DB" "UPDATE gaps SET detected_at = '2025-07-15T10:00:00Z' WHERE after_timepoint = 10"
company_line bulk - 2025-08-01 00000003 active | store --db "$DB"
assert_eq 2 "$(store --db "$DB" status | status_field gaps_open)" "bulk rows without snapshot_end heal nothing"
printf '{"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":1}}\n' | store --db "$DB"
assert_eq "snapshot:2025-08-01|" \
  "$(sql "$DB" "SELECT group_concat(ifnull(healed_by, ''), '|') FROM (SELECT healed_by FROM gaps ORDER BY id)")" \
  "only the gap detected before 2025-08-01 is healed"
expect_exit 1 store --db "$DB" status > /dev/null
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
printf '{"snapshot_end":{"as_of":"%s","rows":1}}\n' "$tomorrow" | store --db "$DB"
expect_exit 0 store --db "$DB" status > "$TMP/healthy.json"
assert_eq true "$(status_field healthy < "$TMP/healthy.json")" "healthy once every gap is healed"
assert_eq "\"$tomorrow\"" "$(status_field last_snapshot_as_of < "$TMP/healthy.json")" "last snapshot"

# 4. --max-commit-age and CH_MAX_COMMIT_AGE.
expect_exit 0 store --db "$DB" status --max-commit-age 3600 > /dev/null
sql "$DB" "UPDATE stream_state SET last_commit_at = '2020-01-01T00:00:00Z'"
expect_exit 1 store --db "$DB" status --max-commit-age 3600 > /dev/null
CH_MAX_COMMIT_AGE=3600 expect_exit 1 store --db "$DB" status > /dev/null
expect_exit 0 store --db "$DB" status > /dev/null

# 5. Missing, empty and unmigrated databases: nothing created, nothing to print.
for kind in missing empty unmigrated; do
  f="$TMP/$kind.db"
  case "$kind" in
    empty) : > "$f" ;;
    unmigrated) sql "$f" "CREATE TABLE other(x)" ;;
  esac
  assert_eq "" "$(store --db "$f" checkpoint)" "checkpoint of a $kind database"
  assert_eq "" "$(store --db "$f" leads)" "leads of a $kind database"
  rc=0
  out=$(store --db "$f" status) || rc=$?
  assert_eq 1 "$rc" "status exit of a $kind database"
  assert_eq "false|null|0" "$(echo "$out" | python3 -c '
import json, sys; s = json.load(sys.stdin); print("%s|%s|%s" % (json.dumps(s["healthy"]), json.dumps(s["checkpoint"]), s["companies"]))')" \
    "status of a $kind database"
done
[ ! -e "$TMP/missing.db" ] || fail "a read command created the database"

# 6. The whole chain: the fake server answers 416 below --retain-min.
python3 - "$TMP/capture.ndjson" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for tp in range(1000, 1010):
        n = "%08d" % tp
        f.write(json.dumps({"resource_kind": "company-profile", "resource_uri": "/company/" + n, "resource_id": n,
                            "data": {"company_number": n, "company_name": "CO %d LTD" % tp, "company_status": "active"},
                            "event": {"timepoint": tp, "published_at": "2024-01-01T00:00:00", "type": "changed"}}) + "\n")
PY
start_bg python3 "$ROOT/tests/fake_stream_server.py" --capture "$TMP/capture.ndjson" --port-file "$TMP/port" \
  --retain-min 1000 --live-from-start --heartbeat 0.2 --max-lifetime 50
wait_for 10 test -s "$TMP/port" || fail "fake server did not start"
checkpoint_is() { [ "$(store --db "$1" checkpoint 2>/dev/null)" = "$2" ]; }
chain() {
  rm -f "$TMP/events" "$TMP/records"
  mkfifo "$TMP/events" "$TMP/records"
  # Each stage opens its FIFO itself ("exec" keeps the pid the program's).
  (exec env CH_STREAM_KEY=testkey CH_LOG_LEVEL=info "$BIN/ch-fetch" --url "http://127.0.0.1:$(cat "$TMP/port")" \
    --timepoint 5 --backoff-initial 0.1 > "$TMP/events" 2>> "$TMP/fetch.log") &
  local fetch=$!
  (exec env CH_LOG_LEVEL=error "$BIN/ch-parse" < "$TMP/events" > "$TMP/records") &
  local parse=$!
  (exec "${STORE[@]}" --db "$TMP/chain.db" < "$TMP/records") &
  local store_pid=$!
  BG_PIDS+=("$fetch" "$parse" "$store_pid")
  wait_for 20 checkpoint_is "$TMP/chain.db" 1009 ||
    fail "chain did not reach 1009; ch-fetch said: $(tail -n 5 "$TMP/fetch.log")"
  kill -TERM "$fetch"
  wait "$fetch" "$parse" || true
  wait "$store_pid" || fail "ch-store exited $? at the end of the chain"
}
chain
chain   # a restart meets the same 416
assert_eq "1|4|1000|timepoint-out-of-range" \
  "$(sql "$TMP/chain.db" "SELECT count(*) || '|' || max(after_timepoint) || '|' || max(resumed_timepoint) || '|' ||
                                 max(reason) FROM gaps")" "gap from a 416 through the chain"
# Reading commands run by another user than the database's owner (a
# monitoring user) on a database without its -wal (checkpointed and closed,
# or a restored copy): they read it and create nothing, in a directory they
# cannot write (they failed with exit 74) and in one they can (they left a
# -wal and -shm of their own, and the owner's writer then failed, exit 74,
# restart after restart). Needs root to play both users, and $TMP reachable
# by them (else skipped, said so).
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null && id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  chmod 755 "$TMP"
  # A copy the other users can run: $BIN may lie under a directory only
  # its owner enters (a clean clone in a mktemp -d directory).
  install -m 755 "$BIN/ch-store" "$TMP/ch-store"
fi
if [ "$(id -u)" = 0 ] && runuser -u nobody -- test -x "$TMP/ch-store" 2>/dev/null &&
  runuser -u daemon -- test -x "$TMP/ch-store" 2>/dev/null; then
  head -n 300 "$ROOT/samples/capture.ndjson" | "$BIN/ch-parse" >"$TMP/ro.records" 2>/dev/null
  chmod 644 "$TMP/ro.records"
  for dir_mode in 755 777; do
    d="$TMP/owned.$dir_mode"
    mkdir -p "$d"
    chown daemon "$d"
    runuser -u daemon -- env CH_LOG_LEVEL=error "$TMP/ch-store" --db "$d/x.db" < "$TMP/ro.records" ||
      fail "the owner's writer ($dir_mode)"
    runuser -u daemon -- sqlite3 "$d/x.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    [ ! -e "$d/x.db-wal" ] || fail "the -wal outlived the last connection ($dir_mode)"
    chmod "$dir_mode" "$d"
    want=$(runuser -u daemon -- "$TMP/ch-store" --db "$d/x.db" checkpoint 2>/dev/null)
    runuser -u daemon -- sqlite3 "$d/x.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    [ -n "$want" ] || fail "no checkpoint ($dir_mode)"
    rc=0
    got=$(runuser -u nobody -- "$TMP/ch-store" --db "$d/x.db" checkpoint 2>"$TMP/ro.err") || rc=$?
    assert_eq "0|$want" "$rc|$got" "checkpoint by another user ($dir_mode): $(cat "$TMP/ro.err")"
    rc=0
    runuser -u nobody -- "$TMP/ch-store" --db "$d/x.db" status >"$TMP/ro.json" 2>"$TMP/ro.err" || rc=$?
    [ "$rc" -le 1 ] || fail "status by another user ($dir_mode) exited $rc: $(cat "$TMP/ro.err")"
    assert_contains "$(cat "$TMP/ro.json")" '"healthy":' "status by another user ($dir_mode)"
    runuser -u nobody -- "$TMP/ch-store" --db "$d/x.db" leads >/dev/null 2>"$TMP/ro.err" ||
      fail "leads by another user ($dir_mode): $(cat "$TMP/ro.err")"
    [ ! -e "$d/x.db-wal" ] && [ ! -e "$d/x.db-shm" ] || fail "a reader created files ($dir_mode): $(ls -l "$d")"
    runuser -u daemon -- env CH_LOG_LEVEL=error "$TMP/ch-store" --db "$d/x.db" < "$TMP/ro.records" ||
      fail "the owner's writer after another user read ($dir_mode)"
  done
elif [ "$(id -u)" = 0 ]; then
  echo "34_store_gaps_health: reading as another user skipped: $TMP is not reachable by daemon and nobody"
fi
echo "PASS 34_store_gaps_health"
