#!/bin/bash
# ch-store ordering rules: among stream records the timepoint decides
# (duplicates and older timepoints change nothing, published_at does not
# matter); between a snapshot and anything else as_of decides and a tie goes
# to the stream: snapshot -> stream -> older snapshot -> newer snapshot; a
# stream state newer than a snapshot that arrives later stays; the same
# snapshot twice changes nothing; a snapshot is the baseline (no status
# change); a deleted event only sets the mark. Ends with a real bulk sample
# through ch-parse.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/o.db"
row() { sql "$DB" "SELECT company_status || '|' || ifnull(company_status_detail, '') || '|' || as_of || '|' ||
                          source || '|' || ifnull(timepoint, '') || '|' || deleted
                   FROM companies WHERE company_number = '$1'"; }
changes() { sql "$DB" "SELECT count(*) FROM status_changes WHERE company_number = '$1'"; }

# 1. Stream: duplicates, out-of-order and non-monotonic published_at.
{
  company_line stream 100 2024-05-01T10:00:00Z 00000001 active
  company_line stream 101 2024-05-01T09:00:00Z 00000001 active active-proposal-to-strike-off  # earlier published_at
  company_line stream 101 2024-05-01T09:00:00Z 00000001 active active-proposal-to-strike-off  # duplicate
  company_line stream 99 2024-05-02T00:00:00Z 00000001 dissolved                             # older timepoint
  company_line stream 100 2024-05-01T10:00:00Z 00000001 active                               # replayed
} | store --db "$DB" || fail "stream records exited $?"
assert_eq "active|active-proposal-to-strike-off|2024-05-01T09:00:00Z|stream|101|0" "$(row 00000001)" "stream order"
assert_eq 2 "$(changes 00000001)" "status changes of 00000001"
assert_eq 101 "$(store --db "$DB" checkpoint)" "checkpoint"

# 2. snapshot -> stream -> older snapshot -> newer snapshot.
company_line bulk - 2025-08-01 00000002 active | store --db "$DB"
assert_eq "active||2025-08-01T00:00:00Z|bulk||0" "$(row 00000002)" "first snapshot"
assert_eq 0 "$(changes 00000002)" "a snapshot is the baseline"
company_line stream 200 2025-08-10T12:00:00Z 00000002 active active-proposal-to-strike-off | store --db "$DB"
assert_eq "active|active-proposal-to-strike-off|2025-08-10T12:00:00Z|stream|200|0" "$(row 00000002)" "stream after snapshot"
company_line bulk - 2025-07-01 00000002 dissolved | store --db "$DB"
assert_eq "active|active-proposal-to-strike-off|2025-08-10T12:00:00Z|stream|200|0" "$(row 00000002)" "older snapshot"
company_line bulk - 2025-09-01 00000002 dissolved | store --db "$DB"
assert_eq "dissolved||2025-09-01T00:00:00Z|bulk||0" "$(row 00000002)" "newer snapshot"
assert_eq "stream|bulk|200||2025-09-01T00:00:00Z" \
  "$(sql "$DB" "SELECT group_concat(source, '|'), group_concat(ifnull(timepoint, ''), '|'), max(published_at)
                FROM (SELECT * FROM status_changes WHERE company_number = '00000002' ORDER BY id)")" \
  "changes of 00000002: one from the stream, one dated by the newer snapshot"
assert_eq 200 "$(store --db "$DB" checkpoint)" "a snapshot never moves the checkpoint"

# 3. A stream state newer than a snapshot arriving later stays; a stream record
# older than the stored snapshot loses but still advances the checkpoint.
company_line stream 300 2025-08-20T00:00:00Z 00000003 dissolved | store --db "$DB"
company_line bulk - 2025-08-01 00000003 active | store --db "$DB"
assert_eq "dissolved||2025-08-20T00:00:00Z|stream|300|0" "$(row 00000003)" "stream newer than the snapshot"
company_line bulk - 2025-09-01 00000004 active | store --db "$DB"
company_line stream 301 2025-08-31T23:59:59Z 00000004 dissolved | store --db "$DB"
assert_eq "active||2025-09-01T00:00:00Z|bulk||0" "$(row 00000004)" "stream older than the snapshot"
assert_eq 301 "$(store --db "$DB" checkpoint)" "checkpoint after a losing record"
company_line stream 302 2025-09-01T00:00:00Z 00000004 liquidation | store --db "$DB"
assert_eq "liquidation||2025-09-01T00:00:00Z|stream|302|0" "$(row 00000004)" "a tie goes to the stream"

# 4. The same snapshot twice changes nothing at all.
{
  company_line bulk - 2025-10-01 00000005 active
  company_line bulk - 2025-10-01 00000006 active active-proposal-to-strike-off
} > "$TMP/snapshot.ndjson"
store --db "$DB" < "$TMP/snapshot.ndjson"
dump_db "$DB" > "$TMP/once.txt"
store --db "$DB" < "$TMP/snapshot.ndjson"
dump_db "$DB" > "$TMP/twice.txt"
cmp -s "$TMP/once.txt" "$TMP/twice.txt" || fail "the same snapshot twice changed the database"

# 5. deleted: only the mark (a row for an unknown company); changed clears it.
{
  company_line stream 400 2025-11-01T00:00:00Z 00000005 dissolved - deleted "SOMETHING ELSE"
  company_line stream 401 2025-11-01T00:00:01Z 00000099 active - deleted
} | store --db "$DB"
assert_eq "active||2025-10-01T00:00:00Z|bulk||1" "$(row 00000005)" "deleted sets only the mark"
assert_eq "ACME 00000005 LTD" "$(sql "$DB" "SELECT company_name FROM companies WHERE company_number = '00000005'")" \
  "deleted keeps the name"
assert_eq "|1|stream|401" "$(sql "$DB" "SELECT ifnull(company_status, '') || '|' || deleted || '|' || source || '|' ||
                                       timepoint FROM companies WHERE company_number = '00000099'")" "deleted unknown"
assert_eq 0 "$(changes 00000099)" "deleted writes no status change"
company_line stream 402 2025-11-02T00:00:00Z 00000099 active | store --db "$DB"
assert_eq "active||2025-11-02T00:00:00Z|stream|402|0" "$(row 00000099)" "changed clears the mark"
assert_eq 1 "$(changes 00000099)" "first status after a deletion stub"

# 6. Real snapshot rows through ch-parse: 2021 then 2023 samples.
BULK="$TMP/bulk.db"
"$BIN/ch-parse" --format bulk-csv --as-of 2021-01-01 < "$ROOT/samples/real/basic-company-data-sample.csv" 2>/dev/null |
  store --db "$BULK" || fail "bulk import exited $?"
rows=$(sql "$BULK" "SELECT count(*) FROM companies")
[ "$rows" -gt 20 ] || fail "only $rows companies from the 2021 sample"
assert_eq 0 "$(sql "$BULK" "SELECT count(*) FROM status_changes")" "a first snapshot writes no status change"
assert_eq 0 "$(sql "$BULK" "SELECT count(*) FROM companies WHERE source != 'bulk' OR timepoint IS NOT NULL")" "bulk rows"
assert_eq "2021-01-01" "$(sql "$BULK" "SELECT last_snapshot_as_of FROM stream_state")" "snapshot recorded"
assert_eq "" "$(store --db "$BULK" checkpoint)" "no checkpoint from a snapshot"
"$BIN/ch-parse" --format bulk-csv --as-of 2023-10-01 < "$ROOT/samples/real/basic-company-data-sample-2023.csv" \
  2>/dev/null | store --db "$BULK" || fail "second bulk import exited $?"
assert_eq 0 "$(sql "$BULK" "SELECT count(*) FROM companies WHERE json_valid(data) = 0")" "data is JSON"
echo "PASS 32_store_ordering"
