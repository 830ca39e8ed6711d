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
for table in companies status_changes stream_state gaps rejects resources filings officers pscs \
  charges insolvency_cases psc_statements disqualified_officers company_exemptions signals; do
  assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view') AND name = '$table'")" "table or view $table"
done
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM leads")" "the leads view"
dump_db "$DB" > "$TMP/before.txt"
schema "$DB" > "$TMP/schema.txt"

# 2. Down to 4, before 0005_leads_from_signals (the leads view over signals
# gives way to the phase-1 view over status changes; 0006_psc_snapshot's
# columns go too), and up again: the data is kept.
signals() { sql "$1" "SELECT id, signal, signal_key, status_change_id FROM signals ORDER BY id"; }
signals "$DB" > "$TMP/signals_before.txt"
store --db "$DB" migrate --to 4
assert_eq 4 "$(sql "$DB" "PRAGMA user_version")" "down to 4"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM pragma_table_info('stream_state') WHERE name LIKE 'snapshot_incomplete%'")" \
  "0006's columns dropped"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM pragma_table_info('leads') WHERE name = 'signal'")" "view over signals dropped"
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM leads WHERE new_status_detail = 'active-proposal-to-strike-off'")" \
  "the phase-1 view is back"
assert_eq 2 "$(store --db "$DB" checkpoint)" "checkpoint readable on an older schema"
store --db "$DB" migrate
assert_eq "$latest" "$(sql "$DB" "PRAGMA user_version")" "migrate with no --to goes to the newest"
dump_db "$DB" > "$TMP/after.txt"
cmp -s "$TMP/before.txt" "$TMP/after.txt" || fail "data changed by down and up"
signals "$DB" > "$TMP/signals_after.txt"
cmp -s "$TMP/signals_before.txt" "$TMP/signals_after.txt" || fail "signals changed by down and up"

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

# 5. A phase-1 database (schema 2, status changes as the phase-1 release
# wrote them) upgraded: its leads keep their ids, a consumer that resumed
# after one of them neither misses nor repeats a lead, and new leads come
# after every status change id it could hold.
P1="$TMP/phase1.db"
store --db "$P1" migrate --to 2
sql "$P1" "INSERT INTO status_changes(company_number, timepoint, published_at, old_status, old_status_detail,
             new_status, new_status_detail, source, recorded_at) VALUES
           ('00000001', 1, '2024-01-01T00:00:00Z', NULL, NULL, 'active', NULL, 'stream', 'x'),
           ('00000001', 2, '2024-02-01T00:00:00Z', 'active', NULL, 'active', 'active-proposal-to-strike-off', 'stream', 'x'),
           ('00000002', 3, '2024-02-02T00:00:00Z', NULL, NULL, 'active', NULL, 'stream', 'x'),
           ('00000001', 4, '2024-03-01T00:00:00Z', 'active', 'active-proposal-to-strike-off', 'dissolved', NULL, 'stream', 'x'),
           ('00000002', 5, '2024-03-05T00:00:00Z', 'active', NULL, 'liquidation', NULL, 'stream', 'x');
         INSERT INTO stream_state(stream, timepoint) VALUES ('companies', 5);"
ids() { store --db "$P1" leads --format ndjson "$@" | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))'; }
assert_eq "2 4" "$(ids)" "phase-1 leads"
assert_eq "4" "$(ids --after-id 2)" "phase-1 consumer after 2"
company_line stream 6 2024-04-01T00:00:00Z 00000002 dissolved | store --db "$P1"
assert_eq "$latest" "$(sql "$P1" "PRAGMA user_version")" "upgraded"
new_id=$(sql "$P1" "SELECT max(id) FROM signals")
[ "$new_id" -gt 5 ] || fail "new signal id $new_id not above every status change id"
assert_eq "2 4 $new_id" "$(ids)" "leads after the upgrade"
assert_eq "4 $new_id" "$(ids --after-id 2)" "the consumer after 2 neither misses nor repeats"
assert_eq "$new_id" "$(ids --after-id 4)" "the consumer after 4"
assert_eq "$new_id" "$(ids --after-id 5)" "a consumer after a status change that was no lead"

# 6. The readers never migrate.
sql "$TMP/old.db" "CREATE TABLE unrelated(x)"
store --db "$TMP/old.db" status > /dev/null || true
store --db "$TMP/old.db" leads > /dev/null
assert_eq 0 "$(sql "$TMP/old.db" "PRAGMA user_version")" "readers left the schema alone"
echo "PASS 36_store_migrate"
