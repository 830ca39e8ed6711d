#!/bin/bash
# ch-store leads: one row per signal of a status change into a proposal to
# strike off or into dissolved (from the stream or a newer snapshot), in
# signal order with its id; CSV with a header and RFC 4180 quoting by default, or NDJSON;
# --after-id resumes after the last id handled, --since filters by the
# change's date; the leads of the replayed capture match the view.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/l.db"
{
  company_line stream 1 2024-01-01T00:00:00Z 00000001 active - changed 'SMITH, JONES & "PARTNERS" LTD'
  company_line stream 2 2024-02-01T00:00:00Z 00000001 active active-proposal-to-strike-off changed 'SMITH, JONES & "PARTNERS" LTD'
  company_line stream 3 2024-02-02T00:00:00Z 00000002 active
  company_line stream 4 2024-03-01T00:00:00Z 00000001 dissolved - changed 'SMITH, JONES & "PARTNERS" LTD'
  company_line stream 5 2024-03-05T00:00:00Z 00000002 liquidation
  company_line stream 6 2024-04-01T00:00:00Z 00000003 dissolved
  company_line bulk - 2024-05-01 00000002 active active-proposal-to-strike-off
} | store --db "$DB"

# CSV: header, quoting, order.
store --db "$DB" leads > "$TMP/leads.csv"
python3 - "$TMP/leads.csv" <<'PY' || fail "CSV leads: $(cat "$TMP/leads.csv")"
import csv, sys
raw = open(sys.argv[1], newline="").read()
assert raw.endswith("\r\n"), "RFC 4180 line ends"
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
head = open(sys.argv[1]).readline().strip().split(",")
assert head[:8] == ["id", "signal", "stream", "occurred_on", "published_at", "detail", "company_number",
                    "company_name"], head
assert {"officers", "pscs", "changed_at", "new_status", "new_status_detail", "old_status", "sic_codes",
        "source"} <= set(head), head
got = [(r["id"], r["company_number"], r["new_status"], r["new_status_detail"], r["changed_at"], r["source"])
       for r in rows]
assert got == [("1", "00000001", "active", "active-proposal-to-strike-off", "2024-02-01T00:00:00Z", "stream"),
               ("2", "00000001", "dissolved", "", "2024-03-01T00:00:00Z", "stream"),
               ("3", "00000003", "dissolved", "", "2024-04-01T00:00:00Z", "stream"),
               ("4", "00000002", "active", "active-proposal-to-strike-off", "2024-05-01T00:00:00Z", "bulk")], got
assert rows[0]["company_name"] == 'SMITH, JONES & "PARTNERS" LTD', rows[0]
assert rows[0]["postal_code"] == "EC1A 1BB" and rows[0]["locality"] == "LONDON" and rows[0]["sic_codes"] == "62020"
PY

# NDJSON, --after-id and --since.
store --db "$DB" leads --format ndjson --after-id 2 > "$TMP/after.ndjson"
assert_eq "3 4" "$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' "$TMP/after.ndjson")" \
  "--after-id"
assert_eq "2 3" "$(store --db "$DB" leads --format ndjson --since 2024-02-15 --after-id 0 |
  python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin if json.loads(l)["changed_at"] < "2024-05-01"))')" \
  "--since a date"
assert_eq "4" "$(store --db "$DB" leads --format ndjson --since 2024-04-01T00:00:01Z |
  python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))')" "--since a timestamp"
assert_eq "" "$(store --db "$DB" leads --format ndjson --after-id 4)" "nothing after the last id"
assert_eq 1 "$(store --db "$DB" leads --after-id 4 | wc -l)" "CSV of no leads is the header"

# The replayed capture: the command prints exactly the view's rows.
"$BIN/ch-parse" < "$ROOT/samples/capture.ndjson" 2>/dev/null | store --db "$TMP/c.db"
view=$(sql "$TMP/c.db" "SELECT count(*) FROM leads")
[ "$view" -gt 10 ] || fail "only $view leads in the capture"
assert_eq "$view" "$(store --db "$TMP/c.db" leads --format ndjson | wc -l)" "leads of the capture"
assert_eq "$(sql "$TMP/c.db" "SELECT group_concat(id) FROM (SELECT id FROM leads ORDER BY id)")" \
  "$(store --db "$TMP/c.db" leads | python3 -c 'import csv,sys; print(",".join(r["id"] for r in csv.DictReader(sys.stdin)))')" \
  "ids of the capture's leads"
echo "PASS 37_store_leads"
