#!/bin/bash
# 82_psc_snapshot_cut_off: a snapshot cut off before its totals line, and one
# missing a part, heal nothing: their lines are applied (the oracle says
# what the database holds), ch-store logs a warn line saying what was
# missing, and `ch-store status` reports the problem (not healthy) until a
# complete snapshot at least as new is imported, which heals the gaps and
# clears it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/psc_lib.sh"

DB="$TMP/psc.db"
D=$(day 1)
PSC=persons-with-significant-control
gen_psc --lines 2000 --seed 9 --date "$D" --parts 4 --out-dir "$TMP/parts"
cat "$TMP"/parts/*_{1,2,3,4}of4.txt >"$TMP/whole.txt"
head -n -1 "$TMP/whole.txt" >"$TMP/cut.txt"        # no totals line
cat "$TMP"/parts/*_{1,3,4}of4.txt >"$TMP/short.txt"  # part 2 lost
expected=$(tail -n 1 "$TMP/whole.txt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["persons_of_significant_control_count"])')

# short_import WHEN MISSING: the last import healed none of the 3 gaps,
# ch-store's warn line and `status` (not healthy) say "PSC snapshot $D
# incomplete: MISSING"; leaves the status object in $status.
short_import() {
  assert_eq 3 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "open gaps $1"
  assert_contains "$(grep '"level":"warn"' "$TMP/store.err" || true)" "PSC snapshot $D incomplete: $2" "warn line $1"
  status=$(store --db "$DB" status --stream "$PSC" || true)
  assert_contains "$status" '"healthy":false' "status $1"
  assert_contains "$status" "PSC snapshot $D incomplete: $2" "status problem $1"
}

open_gaps "$DB"
# 0. ch-parse dies mid-import (here of SIGPIPE, as head stops reading): no
# snapshot_end reaches ch-store, which must still say the import is short.
{ "$BIN/ch-parse" --format psc-snapshot --as-of "$D" <"$TMP/whole.txt" 2>/dev/null || true; } |
  head -n 700 >"$TMP/died.ndjson"
"$BIN/ch-store" --db "$DB" <"$TMP/died.ndjson" 2>"$TMP/store.err" ||
  fail "ch-store exited $? at the end of a cut-off import"
short_import "when ch-parse died" \
  "cut off (the input ended without its totals line after 700 of its lines)"

# 1. Cut off before the totals line.
import_psc "$DB" "$TMP/cut.txt" "$D"
check_oracle "$DB" "$TMP/o1" --psc-snapshot "$TMP/cut.txt" --as-of "$D"
short_import "when cut off before the totals line" "totals line missing (received pscs "
assert_contains "$status" '"incomplete_as_of":"'"$D"'"' "status psc_snapshot"
expect_exit 1 store --db "$DB" status --stream companies >/dev/null
pscs=$(sql "$DB" "SELECT count(*) FROM pscs")
[ "$pscs" -ge 1500 ] || fail "the lines that arrived were not applied: $pscs pscs rows"

# 2. A part missing: the totals line says how many should have come.
import_psc "$DB" "$TMP/short.txt" "$D"
check_oracle "$DB" "$TMP/o2" --psc-snapshot "$TMP/cut.txt" --as-of "$D" --psc-snapshot "$TMP/short.txt" --as-of "$D"
warn=$(grep '"level":"warn"' "$TMP/store.err" || true)
assert_contains "$warn" "of $(python3 -c "print(f'{$expected:,}')")\"" "warn line names the expected count"
assert_contains "$warn" "PSC snapshot $D incomplete: pscs " "warn line"
assert_eq 3 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "gaps after a short snapshot"

# 2b. Part 1 twice and part 2 missing: as many lines as the totals line
# says, but a part's PSCs never came (an audit run saw this heal the gaps).
cat "$TMP"/parts/*_{1,1,3,4}of4.txt >"$TMP/twice.txt"
[ "$(wc -l <"$TMP/twice.txt")" = "$(wc -l <"$TMP/whole.txt")" ] || fail "parts 1 and 2 differ in size: no test"
import_psc "$DB" "$TMP/twice.txt" "$D"
check_oracle "$DB" "$TMP/o2b" --psc-snapshot "$TMP/cut.txt" --as-of "$D" --psc-snapshot "$TMP/short.txt" --as-of "$D" \
  --psc-snapshot "$TMP/twice.txt" --as-of "$D"
assert_eq 3 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "gaps after a part twice and one missing"
warn=$(grep '"level":"warn"' "$TMP/store.err" || true)
assert_contains "$warn" "lines named a resource again (a part twice?)" "warn line names the repeated lines"

# 2c. Stopped where nothing can say why: a full disk (here the database's
# page limit) mid-import, then a kill -9. Each commit of lines recorded the
# snapshot as incomplete, with its time, in the same transaction: status
# calls the import running while that is within --watchdog, and a problem
# after.
FULL="$TMP/full.db"
rc=0
"$BIN/ch-parse" --format psc-snapshot --as-of "$D" <"$TMP/whole.txt" 2>/dev/null |
  CH_TEST_LIMITS=bulk_batch_records=100 CH_TEST_SQLITE_MAX_PAGES=400 "$BIN/ch-store" --db "$FULL" \
    2>"$TMP/full.err" || rc=$?
assert_eq 74 "$rc" "ch-store's exit on a full disk mid-import"
applied=$(sql "$FULL" "SELECT count(*) FROM resources")
[ "$applied" -ge 100 ] && [ "$applied" -lt 2000 ] || fail "no commit before the disk was full: $applied resources"
assert_contains "$(store --db "$FULL" status --watchdog 60 || true)" "\"incomplete_as_of\":\"$D\"" \
  "status after a full disk"
assert_import_running_then_stopped "$FULL" "PSC snapshot $D incomplete:" "no totals line yet after $applied of its lines"
# kill -9 with the input still open (the stage before alive, gone quiet):
# what was committed, mark included, stays.
KILLED="$TMP/killed.db"
{ "$BIN/ch-parse" --format psc-snapshot --as-of "$D" <"$TMP/cut.txt" 2>/dev/null || true; } |
  kill_import_at "$KILLED" resources 450
status=$(store --db "$KILLED" status --watchdog 60) || fail "not running right after the kill: $status"
assert_contains "$status" "\"missing\":\"no totals line yet after 450 of its lines" "status after kill -9"
# A first import builds pscs(company_number) at its end, not row by row
# (ch-store/deferred_psc_index.h): killed, it left the index unbuilt, and
# the next start of a writer builds it.
index_sql="SELECT coalesce(max(sql), '-') FROM sqlite_schema WHERE name = 'pscs_company_number'"
assert_eq - "$(sql "$KILLED" "$index_sql")" "the pscs index after kill -9 of a first import"
store --db "$KILLED" </dev/null || fail "a writer's start after the kill exited $?"
assert_eq "CREATE INDEX pscs_company_number ON pscs(company_number)" "$(sql "$KILLED" "$index_sql")" \
  "the pscs index after the next start"
assert_eq ok "$(sql "$KILLED" "PRAGMA integrity_check")" "integrity after the index was built"

# 3. The whole snapshot: complete, heals the gaps, clears the problem.
import_psc "$DB" "$TMP/whole.txt" "$D"
check_oracle "$DB" "$TMP/o3" --psc-snapshot "$TMP/cut.txt" --as-of "$D" --psc-snapshot "$TMP/short.txt" --as-of "$D" \
  --psc-snapshot "$TMP/twice.txt" --as-of "$D" --psc-snapshot "$TMP/whole.txt" --as-of "$D"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "gaps after the whole snapshot"
status=$(store --db "$DB" status --stream "$PSC") || fail "not healthy after a complete snapshot: $status"
assert_eq "CREATE INDEX pscs_company_number ON pscs(company_number)" "$(sql "$DB" "$index_sql")" \
  "the pscs index after the imports"
assert_contains "$status" '"psc_snapshot":{"last_complete_as_of":"'"$D"'","incomplete_as_of":null,"missing":null,"import_last_commit_age_seconds":null}' "status"
