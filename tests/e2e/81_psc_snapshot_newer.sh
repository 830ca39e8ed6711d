#!/bin/bash
# 81_psc_snapshot_newer: a snapshot, open gaps, PSC stream events spread over
# two days, then a newer snapshot dated between them (a later day of the
# same population: PSCs ceased, gone and new): the snapshot wins over every
# stream state older than its date, the stream's states at or after it
# still win, no signal is added, the gaps of the three streams it covers are
# healed (they were detected before its date), and the database is what
# tests/oracle.py says.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/psc_lib.sh"

DB="$TMP/psc.db"
D1=$(day -3)
D2=$(day 1)
PSC=persons-with-significant-control
# 3000 lines, an event every 40th PSC line: about 70 events, 3,600 s apart
# from today 00:00, so that about a third are dated D2 or later.
gen_psc --lines 3000 --seed 5 --date "$D1" --out "$TMP/s1.txt" --stream-out "$TMP/events.ndjson" \
  --stream-every 40 --stream-published-at "$(day 0)T00:00:00" --stream-step-seconds 3600
gen_psc --lines 3000 --seed 5 --date "$D2" --variant 1 --out "$TMP/s2.txt"

import_psc "$DB" "$TMP/s1.txt" "$D1"
open_gaps "$DB"
apply_stream "$DB" "$PSC" "$TMP/events.ndjson"
signals=$(sql "$DB" "SELECT count(*) FROM signals")
import_psc "$DB" "$TMP/s2.txt" "$D2"
check_oracle "$DB" "$TMP/o" --psc-snapshot "$TMP/s1.txt" --as-of "$D1" \
  --stream "$PSC" "$TMP/events.ndjson" --psc-snapshot "$TMP/s2.txt" --as-of "$D2"

# The stream's later states won, its earlier ones lost to the snapshot.
later=$(sql "$DB" "SELECT count(*) FROM resources WHERE source = 'stream' AND published_at >= '${D2}T00:00:00Z'")
# Those older than D2 that survived are resources the newer snapshot lacks.
earlier=$(sql "$DB" "SELECT resource_uri FROM resources WHERE source = 'stream' AND published_at < '${D2}T00:00:00Z'" |
  while read -r uri; do if grep -qF "\"self\":\"$uri\"" "$TMP/s2.txt"; then echo "$uri"; fi; done | wc -l)
[ "$later" -ge 10 ] || fail "only $later stream states dated $D2 or later survived"
assert_eq 0 "$earlier" "stream states older than the newer snapshot that survived it though it has them"
grep -c '"published_at":"'"$(day 0)" "$TMP/events.ndjson" >/dev/null || fail "no event dated before $D2"
# A PSC absent from the newer snapshot is kept (as of D1).
kept=$(sql "$DB" "SELECT count(*) FROM resources WHERE source = 'bulk' AND as_of = '${D1}T00:00:00Z'")
[ "$kept" -ge 10 ] || fail "only $kept resources of the older snapshot kept"
assert_eq "$signals" "$(sql "$DB" "SELECT count(*) FROM signals")" "signals added by a snapshot"
# Healed: every gap of the three streams, by this snapshot.
assert_eq "3|snapshot:$D2" "$(sql "$DB" "SELECT count(*), group_concat(DISTINCT healed_by) FROM gaps")" "gaps healed"
status=$(store --db "$DB" status --stream "$PSC" || true)
assert_contains "$status" '"psc_snapshot":{"last_complete_as_of":"'"$D2"'","incomplete_as_of":null,"missing":null,"import_last_commit_age_seconds":null}' "status"
assert_contains "$status" '"gaps_open":0' "status gaps"
