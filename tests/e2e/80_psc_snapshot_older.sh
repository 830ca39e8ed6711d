#!/bin/bash
# 80_psc_snapshot_older: a PSC snapshot, then PSC stream events that cease,
# change, delete and add PSCs, then an older snapshot and the same snapshot
# again: the second and third imports change nothing (DESIGN.md "The daily
# PSC snapshot": as_of decides, an older or equal snapshot changes nothing),
# heal no gap (the gaps were detected after both dates), and the database
# is what tests/oracle.py says at every step.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/psc_lib.sh"

DB="$TMP/psc.db"
D1=$(day -10)
D0=$(day -20)
PSC=persons-with-significant-control
gen_psc --lines 3000 --seed 3 --date "$D1" --out "$TMP/s1.txt" --stream-out "$TMP/events.ndjson" \
  --stream-every 40 --stream-published-at "$(day -5)T09:00:00"
gen_psc --lines 3000 --seed 3 --date "$D0" --out "$TMP/s0.txt"
events=$(wc -l <"$TMP/events.ndjson")
[ "$events" -ge 40 ] || fail "only $events stream events"

# 1. The snapshot alone: every line a resource as of D1, no signals.
import_psc "$DB" "$TMP/s1.txt" "$D1"
check_oracle "$DB" "$TMP/o1" --psc-snapshot "$TMP/s1.txt" --as-of "$D1"
assert_eq "2999 0 0" "$(sql "$DB" "SELECT count(*), count(timepoint), (SELECT count(*) FROM signals)
                                    FROM resources WHERE source = 'bulk' AND as_of = '${D1}T00:00:00Z'" | tr '|' ' ')" \
  "resources of the snapshot"
grep -q '"message":"PSC snapshot complete"' "$TMP/store.err" || fail "no 'PSC snapshot complete' line: $(cat "$TMP/store.err")"

# 2. Gaps, then the stream: its events are newer than the snapshot and win.
open_gaps "$DB"
apply_stream "$DB" "$PSC" "$TMP/events.ndjson"
check_oracle "$DB" "$TMP/o2" --psc-snapshot "$TMP/s1.txt" --as-of "$D1" --stream "$PSC" "$TMP/events.ndjson"
changed=$(sql "$DB" "SELECT count(*) FROM resources WHERE source = 'stream'")
[ "$changed" -ge 30 ] || fail "only $changed resources from the stream"
ceased=$(sql "$DB" "SELECT count(*) FROM pscs p JOIN resources r USING (resource_uri)
                    WHERE r.source = 'stream' AND p.ceased_on = substr(r.published_at, 1, 10)")
[ "$ceased" -ge 5 ] || fail "only $ceased PSCs ceased by the stream"
before=$(dump_db "$DB"; sql "$DB" "SELECT * FROM resources ORDER BY resource_uri; SELECT * FROM pscs ORDER BY resource_uri;
                                   SELECT * FROM psc_statements ORDER BY resource_uri; SELECT count(*) FROM signals")

# 3. An older snapshot, then the same one again: nothing changes at all.
import_psc "$DB" "$TMP/s0.txt" "$D0"
import_psc "$DB" "$TMP/s1.txt" "$D1"
after=$(dump_db "$DB"; sql "$DB" "SELECT * FROM resources ORDER BY resource_uri; SELECT * FROM pscs ORDER BY resource_uri;
                                  SELECT * FROM psc_statements ORDER BY resource_uri; SELECT count(*) FROM signals")
[ "$before" = "$after" ] || fail "an older or equal snapshot changed the database: $(diff <(echo "$before") <(echo "$after") | head -n 6)"
check_oracle "$DB" "$TMP/o3" --psc-snapshot "$TMP/s1.txt" --as-of "$D1" --stream "$PSC" "$TMP/events.ndjson" \
  --psc-snapshot "$TMP/s0.txt" --as-of "$D0" --psc-snapshot "$TMP/s1.txt" --as-of "$D1"
# The gaps stay open (detected today, after both dates); the last complete
# snapshot stays D1 (snapshots.csv above, and here).
assert_eq "3" "$(sql "$DB" "SELECT count(*) FROM gaps WHERE healed_by IS NULL")" "open gaps"
assert_eq "$D1 $D1 $D1" "$(sql "$DB" "SELECT group_concat(last_snapshot_as_of, ' ') FROM stream_state
                                      WHERE stream IN ('$PSC', '$PSC-statements', 'company-exemptions')")" \
  "last snapshots"
