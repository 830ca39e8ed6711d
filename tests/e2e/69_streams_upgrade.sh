#!/bin/bash
# The upgrade from phase 1 keeps the promise of `leads --after-id`: a
# consumer that resumed before the upgrade neither misses nor repeats a
# lead after it. The database is one the phase-1 release (faeb830) wrote
# with its own programs (tests/fixtures/phase1/, made by make.sh there:
# building that release takes minutes, too long for make test), from part 1
# of the companies capture. Then:
#   - this ch-store reads it, not yet migrated, as the release did (leads in
#     NDJSON and CSV, byte for byte);
#   - consumers resumed before the upgrade at several ids (none, a lead in
#     the middle, a status change id that is no lead as --emit-changes gave
#     it, the last lead);
#   - the upgrade: the rest of the companies capture and four other streams
#     (tests/gen_streams.py) through the new ch-parse | ch-store;
#   - `leads --after-id X` gives exactly the leads after X: the release's
#     leads above X with their ids and values, then the new ones; together
#     with what the consumer had, every lead once;
#   - the upgraded database equals tests/oracle.py --stream over the whole
#     input, file by file (the phase-1 leads are its status signals, by id
#     order too).
#   - the down steps: 5 -> 4 -> 5 gives the phase-1 leads view, then the
#     same database back (signal ids included); 5 -> 2 gives the release's
#     schema exactly, keeps companies, status changes, the companies
#     checkpoint and the phase-1 leads (the release's, then the later
#     status changes), and forgets the other streams' checkpoints;
#     2 -> 5 again brings the status leads back as signals with their
#     status change ids (the phase-2 tables' content is gone: a downgrade
#     drops them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# The newest schema version: one per migration (0006 is the PSC snapshot's).
LATEST=$(ls "$ROOT"/migrations/*.sql | wc -l)

F="$ROOT/tests/fixtures/phase1"
DB="$TMP/up.db"
gzip -dc "$F/phase1.db.gz" >"$DB"
assert_eq 2 "$(sql "$DB" "PRAGMA user_version")" "the fixture's schema (phase 1)"
grep -v '"resource_kind":"filing-history"' "$ROOT/samples/capture.ndjson" >"$TMP/companies.ndjson"
sed -n 1,400p "$TMP/companies.ndjson" >"$TMP/part1.ndjson"
assert_eq "$(cat "$F/part1.sha256")" "$(sha256sum <"$TMP/part1.ndjson" | cut -d' ' -f1)" \
  "part 1 of samples/capture.ndjson changed: regenerate the fixture with tests/fixtures/phase1/make.sh"
sed -n 401,1200p "$TMP/companies.ndjson" >"$TMP/part2a.ndjson"
sed -n '1201,$p' "$TMP/companies.ndjson" >"$TMP/part2b.ndjson"

# The release's leads, read by this ch-store before the upgrade.
store --db "$DB" leads --format ndjson >"$TMP/before.ndjson"
cmp -s "$F/leads.ndjson" "$TMP/before.ndjson" ||
  fail "leads (NDJSON) of the phase-1 database differ from the release's: $(diff "$F/leads.ndjson" "$TMP/before.ndjson" | head -n 4)"
store --db "$DB" leads >"$TMP/before.csv"
cmp -s "$F/leads.csv" "$TMP/before.csv" ||
  fail "leads (CSV) of the phase-1 database differ from the release's: $(diff "$F/leads.csv" "$TMP/before.csv" | head -n 4)"
assert_eq 2 "$(sql "$DB" "PRAGMA user_version")" "reading leads migrated nothing"
python3 -c 'import json, sys; print("\n".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' \
  "$TMP/before.ndjson" >"$TMP/before.ids"
n_before=$(wc -l <"$TMP/before.ids")
[ "$n_before" -ge 10 ] || fail "only $n_before leads in the fixture"
mid=$(sed -n "$((n_before / 2))p" "$TMP/before.ids")
last=$(tail -n 1 "$TMP/before.ids")
# A status change id between two leads that is no lead itself.
nonlead=$(sql "$DB" "SELECT max(id) FROM status_changes WHERE id < $last AND id NOT IN (SELECT id FROM leads)")
[ -n "$nonlead" ] || fail "no status change that is not a lead"
cursors=(0 "$mid" "$nonlead" "$last")
max_change_before=$(sql "$DB" "SELECT max(id) FROM status_changes")

# The upgrade: new records through the new programs.
G="$TMP/gen"
python3 "$ROOT/tests/gen_streams.py" --seed 69 --days 1 --scale 0.01 \
  --streams filings,insolvency-cases,officers,persons-with-significant-control --out-dir "$G" \
  2>"$TMP/gen.err" || fail "gen_streams.py: $(cat "$TMP/gen.err")"
parse_into "$DB" companies "$TMP/part2a.ndjson"
assert_eq "$LATEST" "$(sql "$DB" "PRAGMA user_version")" "migrated by the first records"
for s in filings insolvency-cases officers persons-with-significant-control; do
  parse_into "$DB" "$s" "$G/$s.ndjson"
done
parse_into "$DB" companies "$TMP/part2b.ndjson"

# Every lead of the release keeps its id and its values.
store --db "$DB" leads --format ndjson >"$TMP/after.ndjson"
python3 - "$TMP/before.ndjson" "$TMP/after.ndjson" <<'PY' || fail "the release's leads after the upgrade"
import json, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
for b in before:
    a = after.get(b["id"])
    assert a is not None, "lead %d lost" % b["id"]
    for k in ("company_number", "new_status", "new_status_detail", "old_status", "old_status_detail",
              "changed_at", "timepoint", "source"):
        assert a[k] == b[k], (b["id"], k, b[k], a[k])
PY
sql "$DB" "SELECT id FROM leads ORDER BY id" >"$TMP/all.ids"
n_after=$(wc -l <"$TMP/all.ids")
[ "$n_after" -gt "$((n_before + 10))" ] || fail "only $((n_after - n_before)) new leads"
for x in "${cursors[@]}"; do
  store --db "$DB" leads --format ndjson --after-id "$x" |
    python3 -c 'import json, sys; print("\n".join(str(json.loads(l)["id"]) for l in sys.stdin))' >"$TMP/resumed.ids"
  # What the consumer had before the upgrade, then what it gets now.
  { awk -v x="$x" '$1 <= x' "$TMP/before.ids"; cat "$TMP/resumed.ids"; } >"$TMP/consumer.ids"
  cmp -s "$TMP/all.ids" "$TMP/consumer.ids" ||
    fail "a consumer resumed at $x before the upgrade missed or repeated leads (< all, > consumer): $(diff "$TMP/all.ids" "$TMP/consumer.ids" | head -n 6)"
  awk -v x="$x" '$1 <= x { bad = 1 } END { exit bad }' "$TMP/resumed.ids" || fail "--after-id $x gave an id not above it"
done
# Below the release's last status change id there are only its leads
# (migrated with their ids); every new signal comes after.
assert_eq "$(paste -sd, "$TMP/before.ids")" \
  "$(sql "$DB" "SELECT group_concat(id) FROM (SELECT id FROM signals WHERE id <= $max_change_before ORDER BY id)")" \
  "signals up to the release's last status change"

# The whole database is the oracle's.
oracle_streams "$TMP/want" companies "$TMP/part1.ndjson" companies "$TMP/part2a.ndjson" \
  filings "$G/filings.ndjson" insolvency-cases "$G/insolvency-cases.ndjson" \
  officers "$G/officers.ndjson" persons-with-significant-control "$G/persons-with-significant-control.ndjson" \
  companies "$TMP/part2b.ndjson"
compare_with_oracle "$DB" "$TMP/want" "the upgraded database"
cmp -s "$TMP/want/signals_by_id.csv" "$DB.files/signals_by_id.csv" ||
  fail "signal ids are not in the order of application: $(diff "$TMP/want/signals_by_id.csv" "$DB.files/signals_by_id.csv" | head -n 4)"
# ------------------------------------------------------------ down steps
# phase1_leads: what the phase-1 leads view must hold: every status change
# into a strike-off proposal or into dissolved, by status change id.
phase1_rule="(new_status_detail = 'active-proposal-to-strike-off' AND old_status_detail IS NOT 'active-proposal-to-strike-off')
             OR (new_status = 'dissolved' AND old_status IS NOT 'dissolved')"
phase1_leads() {
  sql "$DB" "SELECT id || '|' || company_number || '|' || coalesce(new_status, '') || '|' ||
                    coalesce(new_status_detail, '') || '|' || changed_at FROM leads ORDER BY id"
}
want_phase1=$(sql "$DB" "SELECT id || '|' || company_number || '|' || coalesce(new_status, '') || '|' ||
                                coalesce(new_status_detail, '') || '|' || published_at
                         FROM status_changes WHERE $phase1_rule ORDER BY id")
[ "$(printf '%s\n' "$want_phase1" | wc -l)" -gt "$n_before" ] || fail "no status change lead after the upgrade"
companies_part() { # the companies stream's part, wall clock aside
  dump_db "$DB" | grep -E '^(company|change|state\|companies)\|'
}
companies_part >"$TMP/phase1_part.before"
sql "$DB" "SELECT id, signal_key FROM signals ORDER BY id" >"$TMP/signal_ids.before"
checkpoint_before=$(store --db "$DB" checkpoint)
mv "$DB.files" "$TMP/upgraded.files"

# 5 -> 4 -> 5: the leads view over status changes and back; nothing else moves.
store --db "$DB" migrate --to 4
assert_eq 4 "$(sql "$DB" "PRAGMA user_version")" "one step down"
assert_eq "$want_phase1" "$(phase1_leads)" "the phase-1 leads view at schema 4"
store --db "$DB" migrate
assert_eq "$LATEST" "$(sql "$DB" "PRAGMA user_version")" "up again"
db_as_oracle_files "$DB" "$TMP/again.files"
diff -r "$TMP/upgraded.files" "$TMP/again.files" >"$TMP/again.diff" ||
  fail "5 -> 4 -> 5 changed the database: $(head -n 6 "$TMP/again.diff")"
sql "$DB" "SELECT id, signal_key FROM signals ORDER BY id" >"$TMP/signal_ids.again"
cmp -s "$TMP/signal_ids.before" "$TMP/signal_ids.again" || fail "5 -> 4 -> 5 changed signal ids"

# 5 -> 2: the phase-1 schema. The phase-2 tables are gone, and so are the
# checkpoints of the streams whose records they held (kept, an upgrade
# would resume those streams after records the database no longer has);
# the companies, status changes, the companies checkpoint and the phase-1
# leads (the release's with their ids and values, then the later status
# changes) are kept.
store --db "$DB" migrate --to 2
assert_eq 2 "$(sql "$DB" "PRAGMA user_version")" "down to the phase-1 schema"
schema() { sql "$1" "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name"; }
gzip -dc "$F/phase1.db.gz" >"$TMP/release.db"
schema "$TMP/release.db" >"$TMP/schema.release"
schema "$DB" >"$TMP/schema.down"
cmp -s "$TMP/schema.release" "$TMP/schema.down" ||
  fail "the schema at 2 is not the release's: $(diff "$TMP/schema.release" "$TMP/schema.down" | head -n 6)"
companies_part >"$TMP/phase1_part.down"
cmp -s "$TMP/phase1_part.before" "$TMP/phase1_part.down" ||
  fail "down to 2 changed companies, status changes or checkpoints: $(diff "$TMP/phase1_part.before" "$TMP/phase1_part.down" | head -n 4)"
assert_eq "$checkpoint_before" "$(store --db "$DB" checkpoint)" "the companies checkpoint at schema 2"
assert_eq companies "$(sql "$DB" "SELECT group_concat(stream) FROM stream_state")" \
  "the checkpoints at schema 2: the dropped streams' are gone"
assert_eq "$want_phase1" "$(phase1_leads)" "the phase-1 leads view at schema 2"
store --db "$DB" leads --format ndjson --after-id "$last" >"$TMP/down.ndjson"
python3 - "$F/leads.ndjson" "$TMP/down.ndjson" "$last" <<'PY' || fail "phase-1 leads at schema 2"
import json, sys
release = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(sys.argv[2])]
last = int(sys.argv[3])
# The release's columns, in its order; every id above the release's last.
assert after and all(list(a) == list(release[0]) for a in after), (list(after[0]), list(release[0]))
assert all(a["id"] > last for a in after), [a["id"] for a in after]
PY

# 2 -> 5 again: the status changes' leads come back as signals with their
# status change ids (what the phase-1 view gave), so a consumer of the
# phase-1 leads resumes across this upgrade too.
parse_into "$DB" companies "$TMP/part2b.ndjson"
assert_eq "$LATEST" "$(sql "$DB" "PRAGMA user_version")" "migrated again by applying records"
assert_eq "$want_phase1" \
  "$(sql "$DB" "SELECT l.id || '|' || l.company_number || '|' || coalesce(l.new_status, '') || '|' ||
                       coalesce(l.new_status_detail, '') || '|' || l.changed_at
                FROM leads l JOIN signals s ON s.id = l.id WHERE s.status_change_id = l.id ORDER BY l.id")" \
  "the status changes' leads after the second upgrade, by status change id"
assert_eq "$(sql "$DB" "SELECT count(*) FROM status_changes WHERE $phase1_rule")" \
  "$(sql "$DB" "SELECT count(*) FROM signals")" "signals after the second upgrade: the status changes' only"
for s in filings insolvency-cases officers persons-with-significant-control; do
  assert_eq "" "$(store --db "$DB" checkpoint --stream "$s")" "$s starts afresh after the second upgrade"
done
assert_eq "$checkpoint_before" "$(store --db "$DB" checkpoint)" "the companies checkpoint after the second upgrade"
echo "PASS 69_streams_upgrade ($n_before leads before the upgrade, $n_after after; resumed at ${cursors[*]})"
