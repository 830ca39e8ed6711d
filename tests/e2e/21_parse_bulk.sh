#!/bin/bash
# ch-parse --format bulk-csv: the real sample snapshots parse row for row
# (spot-checked fields), split part files concatenated with their repeated
# headers read as one snapshot, CRLF and a BOM change nothing, bad rows
# become rejects without stopping, a cut-off file gets no snapshot_end, a
# wrong header is exit 65 naming the column, and --as-of is required (78).
set -euo pipefail
: "${BIN:?BIN must name the directory holding ch-parse}" "${ROOT:?ROOT must name the repository}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
S2021=$ROOT/samples/real/basic-company-data-sample.csv
S2023=$ROOT/samples/real/basic-company-data-sample-2023.csv
P="$BIN/ch-parse"

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The real samples: every row is a record, then snapshot_end.
"$P" --format bulk-csv --as-of 2021-01-01 < "$S2021" > "$TMP/2021.out" 2> "$TMP/2021.err" || fail "exit $? on $S2021"
CH_FORMAT=bulk-csv CH_AS_OF=2023-10-01 "$P" < "$S2023" > "$TMP/2023.out" 2> /dev/null || fail "exit $? on $S2023"
python3 - "$TMP/2021.out" "$TMP/2023.out" <<'PY' || fail "sample output"
import json, sys
def load(path):
    lines = [json.loads(l) for l in open(path)]
    return lines[:-1], lines[-1]
rows, end = load(sys.argv[1])
assert len(rows) == 31 and all(r["kind"] == "company" for r in rows), [r.get("reason") for r in rows]
assert end == {"snapshot_end": {"stream": "companies", "as_of": "2021-01-01", "rows": 31}}, end
by = {r["company_number"]: r for r in rows}
ltd = by["08209948"]
assert ltd["company_name"] == "! LTD" and ltd["sic_codes"] == ["99999"], ltd
assert (ltd["source"], ltd["timepoint"], ltd["published_at"], ltd["event_type"]) == ("bulk", None, None, "changed")
assert ltd["as_of"] == "2021-01-01T00:00:00Z" and ltd["company_status"] == "active", ltd
assert ltd["date_of_creation"] == "2012-09-11" and ltd["type"] == "ltd", ltd
assert ltd["registered_office_address"] == {"address_line_1": "METROHOUSE 57 PEPPER ROAD",
    "address_line_2": "HUNSLET", "locality": "LEEDS", "region": "YORKSHIRE", "postal_code": "LS10 2RU"}, ltd
d = ltd["data"]
assert d["accounts"] == {"accounting_reference_date": {"day": "30", "month": "09"}, "next_due": "2021-06-30",
                         "last_accounts": {"made_up_to": "2019-09-30"}}, d
assert d["confirmation_statement"] == {"next_due": "2021-09-25", "last_made_up_to": "2020-09-11"}, d
assert list(ltd)[-1] == "data"
assert by["SC606050"]["jurisdiction"] == "scotland" and by["FC031362"]["jurisdiction"] == "england-wales"
assert by["CE000952"]["type"] == "charitable-incorporated-organisation"
names = {r["company_name"] for r in rows}
assert '"1 C O LIMITED"' in names and '"A" CERAMICS LIMITED' in names, names
mongolia = [r for r in rows if r["registered_office_address"].get("region") == "ULAANBAATAR, MONGOLIA"]
assert len(mongolia) == 1, "comma inside a quoted field"
prev = [r for r in rows if r["data"].get("previous_company_names")]
assert any(p["data"]["previous_company_names"][0].get("ceased_on") for p in prev), prev
assert sum(1 for r in rows if r["type"] == "other" and r["type_raw"] == "Other company type") == 2
rows, end = load(sys.argv[2])
assert len(rows) == 11 and end["snapshot_end"]["rows"] == 11, end
assert sum(r["company_status"] == "liquidation" for r in rows) == 1
PY

# 2. Split part files: each repeats the header; concatenated they are one snapshot.
{ head -1 "$S2021"; sed -n '2,16p' "$S2021"; } > "$TMP/part1_2.csv"
{ head -1 "$S2021"; sed -n '17,$p' "$S2021"; } > "$TMP/part2_2.csv"
cat "$TMP/part1_2.csv" "$TMP/part2_2.csv" | "$P" --format bulk-csv --as-of 2021-01-01 > "$TMP/parts.out" 2>/dev/null \
  || fail "exit $? on concatenated parts"
cmp -s "$TMP/parts.out" "$TMP/2021.out" || fail "concatenated part files differ from the whole file"

# 3. CRLF line ends and a BOM change nothing.
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$S2021"; } | "$P" --format bulk-csv --as-of 2021-01-01 > "$TMP/crlf.out" 2>/dev/null
cmp -s "$TMP/crlf.out" "$TMP/2021.out" || fail "CRLF + BOM input gave different output"

# 4. Bad rows are rejects; good rows around them survive; snapshot_end counts every data row.
{ head -3 "$S2021"
  echo '"SHORT ROW","12345678"'
  sed -n '4p' "$S2021" | sed 's/"11399177"/"12-34"/'
  sed -n '5p' "$S2021" | sed 's#"05/06/2018"#"31/02/2018"#; s#"28/12/2018"#"31/02/2018"#'
  sed -n '6p' "$S2021" | sed 's/^"/"x"y/'
  sed -n '7,10p' "$S2021"
} > "$TMP/bad.csv"
"$P" --format bulk-csv --as-of 2021-01-01 < "$TMP/bad.csv" > "$TMP/bad.out" 2>/dev/null || fail "exit $? on bad rows"
python3 - "$TMP/bad.out" <<'PY' || fail "bad rows output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
kinds = [l.get("kind") or next(iter(l)) for l in lines]
assert kinds == ["company", "company", "reject", "reject", "reject", "reject",
                 "company", "company", "company", "company", "snapshot_end"], kinds
reasons = [l["reason"] for l in lines if l.get("kind") == "reject"]
assert "wrong field count: 2 (expected 55)" in reasons[0], reasons
assert "invalid company number" in reasons[1] and "invalid date" in reasons[2], reasons
assert "malformed CSV" in reasons[3], reasons
assert all(l["source"] == "bulk" and l["timepoint"] is None for l in lines if l.get("kind") == "reject")
assert lines[-1]["snapshot_end"]["rows"] == 10, lines[-1]
PY

# 5. A file cut off inside a quoted field: the row is a reject, no snapshot_end.
head -c 2510 "$S2021" > "$TMP/cut.csv"
tail -c 1 "$TMP/cut.csv" | grep -q '"' && fail "test input should end inside a field"
"$P" --format bulk-csv --as-of 2021-01-01 < "$TMP/cut.csv" > "$TMP/cut.out" 2>"$TMP/cut.err" || fail "exit $? on a cut file"
grep -q snapshot_end "$TMP/cut.out" && fail "snapshot_end written for a truncated file"
tail -1 "$TMP/cut.out" | grep -q '"reason":"unterminated quoted field' || fail "no reject for the cut row"

# 6. A wrong header: exit 65, naming the first bad column; nothing on stdout.
sed '1s/CompanyStatus/Status/' "$S2021" > "$TMP/wrong.csv"
set +e
"$P" --format bulk-csv --as-of 2021-01-01 < "$TMP/wrong.csv" > "$TMP/wrong.out" 2> "$TMP/wrong.err"
rc=$?
set -e
[ "$rc" -eq 65 ] || fail "wrong header: exit $rc, expected 65"
grep -q "column 12 is 'Status', expected 'CompanyStatus'" "$TMP/wrong.err" || fail "message: $(cat "$TMP/wrong.err")"
[ ! -s "$TMP/wrong.out" ] || fail "output written despite a wrong header"
set +e
: | "$P" --format bulk-csv --as-of 2021-01-01 > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 65 ] || fail "empty bulk input: exit $rc, expected 65"

# 7. --as-of is required and must be a real date: exit 78 naming it.
for args in "--format bulk-csv" "--format bulk-csv --as-of 2021-02-30" "--format bulk-csv --as-of 01/01/2021"; do
  set +e
  # shellcheck disable=SC2086
  "$P" $args < "$S2021" > /dev/null 2> "$TMP/asof.err"
  rc=$?
  set -e
  [ "$rc" -eq 78 ] || fail "'$args': exit $rc, expected 78"
  grep -q -- "--as-of" "$TMP/asof.err" || fail "'$args': message does not name --as-of"
done

# 8. A synthetic snapshot from the generator: every row accounted for.
if [ -f "$ROOT/tests/gen_bulk_csv.py" ]; then
  python3 "$ROOT/tests/gen_bulk_csv.py" --rows 3000 > "$TMP/gen.csv" 2>/dev/null
  "$P" --format bulk-csv --as-of 2025-08-01 < "$TMP/gen.csv" > "$TMP/gen.out" 2>/dev/null || fail "exit $? on generated CSV"
  records=$(grep -c '"kind":"company"' "$TMP/gen.out" || true)
  rejects=$(grep -c '"kind":"reject"' "$TMP/gen.out" || true)
  grep -q "\"snapshot_end\":{\"stream\":\"companies\",\"as_of\":\"2025-08-01\",\"rows\":$((records + rejects))}" "$TMP/gen.out" \
    || fail "generated CSV: snapshot_end does not count $records records + $rejects rejects"
  [ "$records" -ge 2900 ] || fail "generated CSV: only $records records"
fi
echo "PASS 21_parse_bulk"
