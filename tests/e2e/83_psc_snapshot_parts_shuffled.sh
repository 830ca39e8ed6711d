#!/bin/bash
# 83_psc_snapshot_parts_shuffled: the parts of a snapshot concatenated in
# another order (the totals line in the middle, as `unzip -p` with a
# wildcard may give them) make the same database as the parts in order, a
# complete snapshot that heals the gaps, and what tests/oracle.py says; so
# does the part holding the totals line given twice (its totals line too).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/psc_lib.sh"

D=$(day 1)
gen_psc --lines 2500 --seed 11 --date "$D" --parts 5 --out-dir "$TMP/parts"
cat "$TMP"/parts/*_{1,2,3,4,5}of5.txt >"$TMP/ordered.txt"
cat "$TMP"/parts/*_{3,5,1,4,2}of5.txt >"$TMP/shuffled.txt"
cat "$TMP"/parts/*_{1,2,3,4,5,5}of5.txt >"$TMP/last_twice.txt"
assert_eq 2 "$(grep -c totals "$TMP/last_twice.txt")" "totals lines in last_twice"
tail -n 1 "$TMP/shuffled.txt" | grep -q totals && fail "the totals line is still last"
cmp -s "$TMP/ordered.txt" "$TMP/shuffled.txt" && fail "the parts were not shuffled"

for order in ordered shuffled last_twice; do
  open_gaps "$TMP/$order.db"
  import_psc "$TMP/$order.db" "$TMP/$order.txt" "$D"
  grep -q '"message":"PSC snapshot complete"' "$TMP/store.err" || fail "$order: not complete: $(cat "$TMP/store.err")"
  assert_eq 0 "$(sql "$TMP/$order.db" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "$order: open gaps"
  check_oracle "$TMP/$order.db" "$TMP/o_$order" --psc-snapshot "$TMP/$order.txt" --as-of "$D"
done
# The typed tables' rows without resource_rowid (resources.id: the order of
# insertion, which the order of the parts decides).
cols() { sql "$TMP/ordered.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('$1') WHERE name <> 'resource_rowid'"; }
tables="SELECT resource_uri, stream, resource_kind, resource_id, company_number, as_of, source, deleted, data
          FROM resources ORDER BY resource_uri;
        SELECT $(cols pscs) FROM pscs ORDER BY resource_uri;
        SELECT $(cols psc_statements) FROM psc_statements ORDER BY resource_uri;
        SELECT $(cols company_exemptions) FROM company_exemptions ORDER BY resource_uri;
        SELECT stream, last_snapshot_as_of, last_snapshot_rows FROM stream_state ORDER BY stream"
[ "$(sql "$TMP/ordered.db" "$tables")" = "$(sql "$TMP/shuffled.db" "$tables")" ] ||
  fail "shuffled parts made another database"
[ "$(sql "$TMP/ordered.db" "$tables")" = "$(sql "$TMP/last_twice.db" "$tables")" ] ||
  fail "the last part twice made another database"
assert_eq 0 "$(sql "$TMP/last_twice.db" "SELECT count(*) FROM rejects")" "rejects with the last part twice"
assert_eq 2499 "$(sql "$TMP/shuffled.db" "SELECT count(*) FROM resources")" "resources"
