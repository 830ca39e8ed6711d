#!/bin/bash
# Migrations: applying records migrates a new database up to the newest
# schema; `migrate --to N` goes down and up one step per transaction; every
# down step works (--to 0 leaves no table, and up again gives a schema like a
# new one); stepping down and back over the leads view keeps the data; only
# record-applying mode migrates automatically (the readers never do).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/m.db"
latest=$(ls "$ROOT"/migrations/*.sql | wc -l)
schema() { sql "$1" "SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name"; }

# 1. A new database is migrated up by applying records.
{
  company_line stream 1 2024-01-01T00:00:00Z 00000001 active
  company_line stream 2 2024-02-01T00:00:00Z 00000001 active active-proposal-to-strike-off
} | store --db "$DB"
assert_eq "$latest" "$(sql "$DB" "PRAGMA user_version")" "user_version after applying"
assert_eq wal "$(sql "$DB" "PRAGMA journal_mode")" "journal mode"
for table in companies status_changes stream_state gaps rejects; do
  assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '$table'")" "table $table"
done
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM leads")" "the leads view"
dump_db "$DB" > "$TMP/before.txt"
schema "$DB" > "$TMP/schema.txt"

# 2. Down one step (the leads view) and up again: the data is kept.
store --db "$DB" migrate --to $((latest - 1))
assert_eq $((latest - 1)) "$(sql "$DB" "PRAGMA user_version")" "one step down"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM sqlite_schema WHERE name = 'leads'")" "view dropped"
assert_eq 2 "$(store --db "$DB" checkpoint)" "checkpoint readable on an older schema"
store --db "$DB" migrate
assert_eq "$latest" "$(sql "$DB" "PRAGMA user_version")" "migrate with no --to goes to the newest"
dump_db "$DB" > "$TMP/after.txt"
cmp -s "$TMP/before.txt" "$TMP/after.txt" || fail "data changed by down and up"

# 3. Down to nothing and up again.
store --db "$DB" migrate --to 0
assert_eq 0 "$(sql "$DB" "PRAGMA user_version")" "version 0"
assert_eq "" "$(schema "$DB")" "no table, index or view left at version 0"
assert_eq "" "$(store --db "$DB" checkpoint)" "an unmigrated database has no checkpoint"
store --db "$DB" migrate --to "$latest"
schema "$DB" > "$TMP/schema2.txt"
cmp -s "$TMP/schema.txt" "$TMP/schema2.txt" || fail "the schema after 0 and up differs from a new one"
company_line stream 3 2024-03-01T00:00:00Z 00000002 dissolved | store --db "$DB"
assert_eq 3 "$(store --db "$DB" checkpoint)" "usable after down and up"

# 4. Every single step, each way.
for ((v = latest; v > 0; v--)); do
  store --db "$TMP/steps.db" migrate --to "$v"
  store --db "$TMP/steps.db" migrate --to $((v - 1))
  assert_eq $((v - 1)) "$(sql "$TMP/steps.db" "PRAGMA user_version")" "step down to $((v - 1))"
  store --db "$TMP/steps.db" migrate --to "$latest"
done

# 5. The readers never migrate.
sql "$TMP/old.db" "CREATE TABLE unrelated(x)"
store --db "$TMP/old.db" status > /dev/null || true
store --db "$TMP/old.db" leads > /dev/null
assert_eq 0 "$(sql "$TMP/old.db" "PRAGMA user_version")" "readers left the schema alone"
echo "PASS 36_store_migrate"
