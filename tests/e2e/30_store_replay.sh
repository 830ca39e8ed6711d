#!/bin/bash
# ch-store, replaying a capture through ch-parse: the database holds exactly
# what tests/oracle.py says the capture implies (companies field by field,
# every status change in order, checkpoint, rejects); replaying it again
# changes nothing at all; --emit-changes prints each committed change and
# signal once;
# the checkpoint command and the metrics file agree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CAPTURE="$ROOT/samples/capture.ndjson"
[ -s "$CAPTURE" ] || fail "no $CAPTURE"
DB="$TMP/replay.db"

# 1. One replay, compared with the oracle.
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" "$CAPTURE" 2>/dev/null || fail "oracle.py failed"
"$BIN/ch-parse" < "$CAPTURE" 2>/dev/null |
  store --db "$DB" --emit-changes --metrics-dir "$TMP" > "$TMP/changes.ndjson" || fail "replay exited $?"
sql_csv "$DB" "SELECT company_number, company_name, company_status, company_status_detail, as_of, source, deleted
               FROM companies ORDER BY company_number" > "$TMP/companies.csv"
sql_csv "$DB" "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,
                      new_status_detail, source FROM status_changes ORDER BY id" > "$TMP/status_changes.csv"
cmp -s "$TMP/oracle/companies.csv" "$TMP/companies.csv" ||
  fail "companies differ from the oracle: $(diff "$TMP/oracle/companies.csv" "$TMP/companies.csv" | head -5)"
cmp -s "$TMP/oracle/status_changes.csv" "$TMP/status_changes.csv" ||
  fail "status changes differ: $(diff "$TMP/oracle/status_changes.csv" "$TMP/status_changes.csv" | head -5)"
assert_eq "$(cat "$TMP/oracle/checkpoint.txt")" "$(store --db "$DB" checkpoint)" "checkpoint"
assert_eq "$(cat "$TMP/oracle/rejects.txt")" "$(sql "$DB" "SELECT count(*) FROM rejects")" "rejects"
changes=$(sql "$DB" "SELECT count(*) FROM status_changes")
[ "$changes" -gt 100 ] || fail "only $changes status changes: the capture is not exercising much"

# 2. --emit-changes printed every committed change once, in id order, as JSON,
# and every signal once (lines whose first member is "signal_id").
signals=$(sql "$DB" "SELECT count(*) FROM signals")
[ "$signals" -gt 10 ] || fail "only $signals signals"
python3 - "$TMP/changes.ndjson" "$changes" "$signals" <<'PY' || fail "emitted changes"
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
rows = [r for r in lines if next(iter(r)) == "id"]
signals = [r for r in lines if next(iter(r)) == "signal_id"]
assert len(rows) + len(signals) == len(lines)
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
assert [s["signal_id"] for s in signals] == list(range(1, int(sys.argv[3]) + 1)), signals[:3]
assert all(list(s) == ["signal_id", "signal", "stream", "company_number", "company_name", "occurred_on",
                       "published_at", "detail", "resource_uri", "timepoint"] for s in signals), signals[0]
assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
keys = ["id", "company_number", "timepoint", "published_at", "old_status", "old_status_detail",
        "new_status", "new_status_detail", "source", "company_name"]
assert all(list(r) == keys for r in rows), rows[0]
PY

# 3. The metrics agree with the database.
grep -q "^chstream_status_changes_total{program=\"ch-store\",stream=\"companies\"} $changes\$" "$TMP/ch-store.prom" ||
  fail "metrics: $(grep status_changes "$TMP/ch-store.prom")"
grep -q "^chstream_checkpoint{program=\"ch-store\",stream=\"companies\"} $(cat "$TMP/oracle/checkpoint.txt")\$" "$TMP/ch-store.prom" ||
  fail "metrics checkpoint"

# 4. Replaying the same capture again changes nothing, not even a reject.
dump_db "$DB" > "$TMP/before.txt"
"$BIN/ch-parse" < "$CAPTURE" 2>/dev/null | store --db "$DB" --emit-changes > "$TMP/again.ndjson" ||
  fail "second replay exited $?"
dump_db "$DB" > "$TMP/after.txt"
cmp -s "$TMP/before.txt" "$TMP/after.txt" || fail "a second replay changed the database"
[ ! -s "$TMP/again.ndjson" ] || fail "a second replay emitted changes"

# 5. The capture given twice in one run (a reconnect overlapping everything).
cat "$CAPTURE" "$CAPTURE" | "$BIN/ch-parse" 2>/dev/null | store --db "$TMP/twice.db" || fail "double replay"
dump_db "$TMP/twice.db" > "$TMP/twice.txt"
cmp -s "$TMP/before.txt" "$TMP/twice.txt" || fail "the capture given twice differs from once"
echo "PASS 30_store_replay"
