#!/bin/bash
# ch-store's exit codes on errors, each leaving the database consistent:
# --emit-changes into /dev/full is 74; a full disk (SQLite's SQLITE_FULL,
# forced with the CH_TEST_SQLITE_MAX_PAGES seam) is 74 and the checkpoint
# does not advance; a database it cannot write is 74; a schema newer than the
# binary is 78 for every command; a lock held past --busy-timeout is 75;
# usage errors are 64 and invalid values 78, before any database work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

records() {  # records FIRST COUNT: stream records with growing timepoints
  local i
  for ((i = $1; i < $1 + $2; i++)); do
    company_line stream "$i" 2024-01-01T00:00:00Z "$(printf '%08d' "$i")" active
  done
}
records 1 1 > "$TMP/one.ndjson"
records 2 300 > "$TMP/many.ndjson"

# 1. Changes to a full stdout: 74 (the data is committed before it is emitted).
rc=0
store --db "$TMP/full.db" --emit-changes < "$TMP/one.ndjson" > /dev/full 2> "$TMP/full.err" || rc=$?
assert_eq 74 "$rc" "--emit-changes > /dev/full"
assert_contains "$(cat "$TMP/full.err")" "No space left on device" "the error says why"
assert_eq 1 "$(store --db "$TMP/full.db" checkpoint)" "committed before the failed emit"

# 2. Disk full: the transaction rolls back, the checkpoint stays.
DB="$TMP/disk.db"
store --db "$DB" < "$TMP/one.ndjson"
rc=0
CH_TEST_SQLITE_MAX_PAGES=1 store --db "$DB" < "$TMP/many.ndjson" 2> "$TMP/disk.err" || rc=$?
assert_eq 74 "$rc" "SQLITE_FULL"
assert_contains "$(cat "$TMP/disk.err")" "full" "the error names the full database"
# The transaction that found the database full left nothing, and the
# checkpoint is where its data is. (Usually that is record 1; on a slow
# build, such as the coverage one, a batch may come due by its age first and
# commit the few records that fit in the pages the database had: 33 once.)
checkpoint=$(store --db "$DB" checkpoint)
[ "$checkpoint" -lt 301 ] || fail "the records past the full database were applied"
assert_eq "$checkpoint" "$(sql "$DB" "SELECT max(CAST(company_number AS INTEGER)) FROM companies")" \
  "the checkpoint stays with the data"
assert_eq "$checkpoint" "$(sql "$DB" "SELECT count(*) FROM companies")" "nothing of the failed transaction"
assert_eq ok "$(sql "$DB" "PRAGMA integrity_check")" "integrity after SQLITE_FULL"
store --db "$DB" < "$TMP/many.ndjson" || fail "after space came back: exit $?"
assert_eq 301 "$(store --db "$DB" checkpoint)" "applied once space came back"

# 3. A database ch-store cannot write: 74 (as another user when run as root,
# since root writes read-only files).
RO="$TMP/ro"
mkdir "$RO"
store --db "$RO/r.db" < "$TMP/one.ndjson"
chmod 755 "$TMP" "$RO"
chmod 444 "$RO/r.db"
chmod 555 "$RO"
as_user=()
store_bin="$BIN/ch-store"
if [ "$(id -u)" = 0 ]; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  # The other user may not reach $BIN (a clone under a 0700 directory).
  cp "$BIN/ch-store" "$TMP/ch-store"
  chmod 755 "$TMP/ch-store"
  store_bin="$TMP/ch-store"
fi
rc=0
"${as_user[@]}" env CH_LOG_LEVEL=error "$store_bin" --db "$RO/r.db" < "$TMP/many.ndjson" 2> "$TMP/ro.err" || rc=$?
chmod 755 "$RO"
assert_eq 74 "$rc" "read-only database"
assert_eq 1 "$(store --db "$RO/r.db" checkpoint)" "read-only database unchanged"

# 4. A schema newer than this ch-store: 78 everywhere, nothing changed.
NEW="$TMP/new.db"
sql "$NEW" "PRAGMA user_version = 999"
for command in apply checkpoint status leads migrate; do
  rc=0
  store --db "$NEW" "$command" < "$TMP/one.ndjson" > /dev/null 2> "$TMP/new.err" || rc=$?
  assert_eq 78 "$rc" "$command on a newer schema"
  assert_contains "$(cat "$TMP/new.err")" "999" "$command names the version"
done
assert_eq 999 "$(sql "$NEW" "PRAGMA user_version")" "newer schema untouched"

# 5. Another process holds the write lock past --busy-timeout: 75.
BUSY="$TMP/busy.db"
store --db "$BUSY" < "$TMP/one.ndjson"
start_bg python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(30)' "$BUSY" "$TMP/locked"
wait_for 10 test -e "$TMP/locked" || fail "the lock holder did not start"
rc=0
store --db "$BUSY" --busy-timeout 200 < "$TMP/many.ndjson" 2> /dev/null || rc=$?
assert_eq 75 "$rc" "busy database"
kill "$BG_PID"
wait "$BG_PID" 2>/dev/null || true
assert_eq 1 "$(store --db "$BUSY" checkpoint)" "busy database unchanged"
# A reader never stops the writer.
start_bg python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM companies").fetchall()
open(sys.argv[2], "w").close()
time.sleep(30)' "$BUSY" "$TMP/reading"
wait_for 10 test -e "$TMP/reading" || fail "the reader did not start"
store --db "$BUSY" --busy-timeout 200 < "$TMP/many.ndjson" || fail "writer beside a reader exited $?"
assert_eq 301 "$(store --db "$BUSY" checkpoint)" "written beside a reader"

# 6. Usage errors (64) and invalid values (78), before touching the database.
expect_exit 64 store --db "$TMP/u.db" frobnicate
expect_exit 64 store --db "$TMP/u.db" status --emit-changes
expect_exit 64 store --db "$TMP/u.db" checkpoint --after-id 3
expect_exit 64 store --db "$TMP/u.db" --no-such-option
expect_exit 64 store --db "$TMP/u.db" prune
expect_exit 78 store --db "$TMP/u.db" leads --format xml
expect_exit 78 store --db "$TMP/u.db" leads --since last-tuesday
expect_exit 78 store --db "$TMP/u.db" migrate --to 99
expect_exit 78 store --db "$TMP/u.db" --log-level loud
CH_MAX_COMMIT_AGE=soon expect_exit 78 store --db "$TMP/u.db" status
[ ! -e "$TMP/u.db" ] || fail "a usage error touched the database"
echo "PASS 35_store_errors"
