#!/bin/bash
# 84_psc_snapshot_unknown_kinds: lines of kinds ch-parse does not know are
# stored (in resources, under the PSC stream, with their company number and
# data, no typed row), never rejected; the snapshot is complete whether the
# totals line counts them or not; the real snapshot lines import too
# (ceased as an integer); bad lines are rejects and make the import
# incomplete, and so does a totals line generated before --as-of. Each time
# the database is what tests/oracle.py says.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/psc_lib.sh"

D=$(day 1)
PSC=persons-with-significant-control
gen_psc --lines 1500 --seed 13 --date "$D" --unknown-kinds 7 --out "$TMP/uncounted.txt"
gen_psc --lines 1500 --seed 13 --date "$D" --unknown-kinds 7 --count-unknown --out "$TMP/counted.txt"

for variant in uncounted counted; do
  DB="$TMP/$variant.db"
  open_gaps "$DB"
  import_psc "$DB" "$TMP/$variant.txt" "$D"
  check_oracle "$DB" "$TMP/o_$variant" --psc-snapshot "$TMP/$variant.txt" --as-of "$D"
  assert_eq "7|7|0" "$(sql "$DB" "SELECT count(*), count(company_number), count(DISTINCT resource_kind) - 2
                                  FROM resources WHERE resource_kind NOT IN (SELECT DISTINCT resource_kind FROM pscs)
                                  AND stream = '$PSC'")" "$variant: unknown kinds stored"
  assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM rejects")" "$variant: rejects"
  assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "$variant: open gaps"
  grep -q '"other_kinds":7' "$TMP/store.err" || fail "$variant: not complete with 7 other kinds: $(cat "$TMP/store.err")"
done

# The real lines (samples/real/psc-snapshot.ndjson: an individual, a
# super-secure PSC with "ceased":1, the 2022 totals line): the counts do not
# match (three lines of a ten-million-line file), so incomplete, the two
# lines stored. Imported as of the day the totals line was generated: a
# later --as-of refuses the totals line (below).
REAL="$ROOT/samples/real/psc-snapshot.ndjson"
import_psc "$TMP/real.db" "$REAL" 2022-06-28
check_oracle "$TMP/real.db" "$TMP/o_real" --psc-snapshot "$REAL" --as-of 2022-06-28
assert_eq "company-psc-individual|2018-05-14|
company-psc-supersecure||1" "$(sql "$TMP/real.db" "SELECT resource_kind, ceased_on, ceased FROM pscs ORDER BY resource_kind")" "real lines"
grep -q "incomplete: pscs 2 of 9,792,999; statements 0 of 627,924; exemptions 0 of 60" "$TMP/store.err" ||
  fail "real lines: $(cat "$TMP/store.err")"

# Bad lines are rejects (filed under the PSC stream) and the import is
# incomplete even when the counts match.
{ cat "$TMP/uncounted.txt"; printf '%s\n' 'not json' '{"company_number":"01234567","data":{"kind":"individual-person-with-significant-control"}}'; } >"$TMP/bad.txt"
import_psc "$TMP/bad.db" "$TMP/bad.txt" "$D"
check_oracle "$TMP/bad.db" "$TMP/o_bad" --psc-snapshot "$TMP/bad.txt" --as-of "$D"
assert_eq "$PSC|2" "$(sql "$TMP/bad.db" "SELECT stream, count(*) FROM rejects GROUP BY stream")" "rejects"
grep -q "incomplete: 2 rejected lines; 7 lines of unknown kinds" "$TMP/store.err" || fail "bad lines: $(cat "$TMP/store.err")"

# The same snapshot imported with an --as-of after the day its totals line
# says it was generated ($D): the totals line is refused (a reject), so the
# import is incomplete and heals no gap, though its lines are stored.
LATER=$(day 2)
open_gaps "$TMP/later.db"
import_psc "$TMP/later.db" "$TMP/uncounted.txt" "$LATER"
check_oracle "$TMP/later.db" "$TMP/o_later" --psc-snapshot "$TMP/uncounted.txt" --as-of "$LATER"
assert_eq "$(echo $PSC_STREAMS | wc -w)" "$(sql "$TMP/later.db" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" \
  "later --as-of: open gaps"
assert_eq 1 "$(sql "$TMP/later.db" "SELECT count(*) FROM rejects WHERE reason LIKE '%is before --as-of%'")" \
  "later --as-of: the totals line is a reject"
grep -q "incomplete: totals line missing (.*); 1 rejected line" "$TMP/store.err" ||
  fail "later --as-of: not reported incomplete: $(cat "$TMP/store.err")"

# Progress lines on stderr, as for the company bulk file (--progress): the
# final one counts every line but the totals line.
"$BIN/ch-parse" --format psc-snapshot --as-of "$D" --progress <"$TMP/uncounted.txt" 2>"$TMP/progress.err" >/dev/null ||
  fail "ch-parse --progress exited $?"
grep '"message":"bulk progress: done"' "$TMP/progress.err" | grep -q '"rows":1499' ||
  fail "no final progress line with rows 1499: $(cat "$TMP/progress.err")"
