#!/bin/bash
# 89_store_bulk_import_stopped: a company bulk import stopped half-way shows
# in `ch-store status`, as a PSC snapshot's does (82): the rows that came
# are applied, no gap is healed, and
# - ch-parse killed mid-file (no snapshot_end reaches ch-store): the end of
#   ch-store's input says the import was cut off, and status reports it;
# - ch-store killed (kill -9) or stopped by a full disk, where nothing can
#   say why: each commit of rows recorded the import as incomplete with its
#   time, so status calls it running within --watchdog, and a problem after;
# - the whole file then: complete, gaps healed, the problem gone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Tomorrow: a snapshot heals only the gaps detected before its date.
D=$(date -u -d "1 days" +%F)
python3 "$ROOT/tests/gen_bulk_csv.py" --rows 3000 --seed 89 --snapshot-date "$D" --out "$TMP/bulk.csv"
"$BIN/ch-parse" --format bulk-csv --as-of "$D" <"$TMP/bulk.csv" >"$TMP/bulk.ndjson" 2>/dev/null
tail -n 1 "$TMP/bulk.ndjson" | grep -q '"snapshot_end"' || fail "no snapshot_end at the end of the file"
rows=$(($(wc -l <"$TMP/bulk.ndjson") - 1))

# A database with an open gap (a live start) that only a complete import heals.
DB="$TMP/c.db"
printf '%s\n' '{"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}}' |
  store --db "$DB" || fail "gap line exited $?"
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "open gap before the imports"

# 1. ch-parse dies mid-file (SIGPIPE, as head stops reading).
{ "$BIN/ch-parse" --format bulk-csv --as-of "$D" <"$TMP/bulk.csv" 2>/dev/null || true; } |
  head -n 700 | "$BIN/ch-store" --db "$DB" 2>"$TMP/store.err" ||
  fail "ch-store exited $? at the end of a cut-off import"
cut="company bulk import $D incomplete: cut off (the input ended without its snapshot_end after 700 of its rows)"
assert_contains "$(grep '"level":"warn"' "$TMP/store.err" || true)" "$cut" "warn line"
status=$(store --db "$DB" status || true)
assert_contains "$status" '"healthy":false' "status after a cut-off import"
assert_contains "$status" "$cut" "status problem"
assert_contains "$status" "\"bulk_import\":{\"last_complete_as_of\":null,\"incomplete_as_of\":\"$D\"" "status member"
status=$(store --db "$DB" status --stream filings || true)
assert_contains "$status" "$cut" "the problem is the database's, whatever --stream"
assert_eq 700 "$(sql "$DB" "SELECT count(*) FROM companies")" "rows applied before the cut"
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "gap after a cut-off import"

# 2. A full disk mid-import (the database's page limit): exit 74, and the
# commits before it recorded the import as running.
FULL="$TMP/full.db"
rc=0
CH_TEST_LIMITS=bulk_batch_records=100 CH_TEST_SQLITE_MAX_PAGES=150 "$BIN/ch-store" --db "$FULL" \
  <"$TMP/bulk.ndjson" 2>"$TMP/full.err" || rc=$?
assert_eq 74 "$rc" "ch-store's exit on a full disk mid-import"
applied=$(sql "$FULL" "SELECT count(*) FROM companies")
[ "$applied" -ge 100 ] && [ "$applied" -lt "$rows" ] || fail "no commit before the disk was full: $applied companies"
assert_contains "$(store --db "$FULL" status --watchdog 60 || true)" "\"incomplete_as_of\":\"$D\"" \
  "status after a full disk"
assert_import_running_then_stopped "$FULL" "company bulk import $D incomplete:" \
  "no snapshot_end yet after $applied of its rows"

# 3. kill -9 with the input still open: what was committed, mark included, stays.
KILLED="$TMP/killed.db"
kill_import_at "$KILLED" companies 450 <"$TMP/bulk.ndjson"
status=$(store --db "$KILLED" status --watchdog 60) || fail "not running right after the kill: $status"
assert_contains "$status" "\"missing\":\"no snapshot_end yet after 450 of its rows" "status after kill -9"

# 4. The whole file: complete, the gap healed, the problem cleared.
store --db "$DB" <"$TMP/bulk.ndjson" 2>/dev/null
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "gap after the whole file"
assert_eq "$rows" "$(sql "$DB" "SELECT count(*) FROM companies")" "companies after the whole file"
status=$(store --db "$DB" status) || fail "not healthy after a complete import: $status"
assert_contains "$status" "\"bulk_import\":{\"last_complete_as_of\":\"$D\",\"incomplete_as_of\":null,\"missing\":null,\"import_last_commit_age_seconds\":null}" \
  "status after the whole file"
echo "company bulk import stopped half-way: cut off, full disk ($applied rows) and kill -9 each shown; whole file healed"
