#!/bin/bash
# ch-store never stops on bad input and never loses it: every line it cannot
# use (not JSON, not an object, an unknown kind, invalid UTF-8, a NUL, a
# company record missing what the database needs, a line over the 8 MiB cap,
# a reject record with broken base64) becomes one row in rejects with its
# original bytes (at most 64 KiB) and a reason starting "ch-store: "; reject
# records from ch-parse keep their bytes and timepoint; the good lines around
# them are applied; rejects never move the checkpoint and the same reject
# seen again after a restart is not stored twice. prune removes old ones.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/r.db"
python3 - "$TMP/input.ndjson" "$TMP/expect.txt" <<'PY'
import base64, json, sys
def company(tp, number):
    return json.dumps({"kind": "company", "stream": "companies", "source": "stream", "timepoint": tp,
                       "published_at": "2024-01-01T00:00:00Z", "as_of": "2024-01-01T00:00:00Z",
                       "event_type": "changed", "company_number": number, "company_name": "GOOD LTD",
                       "company_status": "active", "company_status_detail": None,
                       "registered_office_address": {}, "sic_codes": [], "data": {"company_number": number}},
                      separators=(",", ":")).encode()
good = company(1, "00000001")
bad = [
    b"not json at all",
    b"[1,2,3]",
    b'{"kind":"mystery","x":1}',
    b'{"no_kind":true}',
    good.replace(b'"00000001","company_name"', b'"bad number!","company_name"'),
    good.replace(b'"source":"stream"', b'"source":"fax"'),
    good.replace(b'"as_of":"2024-01-01T00:00:00Z"', b'"as_of":"yesterday"'),
    good.replace(b'"timepoint":1', b'"timepoint":"abc"'),
    good.replace(b"GOOD", b"GO\xffOD"),
    good.replace(b"GOOD", b"GO\x00OD"),
    good[:-10],
    good + b" trailing",
    b'{"kind":"reject","raw_base64":"@@@"}',
    b'{"gap":"not an object"}',
    b'{"kind":"company","data":' + b"[" * 100 + b"]" * 100 + b"}",
]
from_parse = b'{"resource_kind":"filing-history","bytes":"\xff\xfe"}'
parse_reject = json.dumps({"kind": "reject", "stream": "companies", "source": "stream", "timepoint": 68805561,
                           "reason": "resource_kind is not company-profile", "raw_length": len(from_parse),
                           "raw_base64": base64.b64encode(from_parse).decode()}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(good + b"\n")
    for line in bad:
        f.write(line + b"\n")
    f.write(parse_reject + b"\n")
    f.write(company(2, "00000002") + b"\n")
    f.write(b"x" * (9 << 20) + b"\n")      # over the 8 MiB cap
    f.write(company(3, "00000003"))          # last line without a newline
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % (len(bad) + 2))
PY
store --db "$DB" < "$TMP/input.ndjson" || fail "ch-store exited $? on bad input"
expected=$(cat "$TMP/expect.txt")
assert_eq "$expected" "$(sql "$DB" "SELECT count(*) FROM rejects")" "one reject per bad line"
assert_eq 3 "$(sql "$DB" "SELECT count(*) FROM companies")" "the good lines around them"
assert_eq 3 "$(store --db "$DB" checkpoint)" "checkpoint"
assert_eq $((expected - 1)) "$(sql "$DB" "SELECT count(*) FROM rejects WHERE reason LIKE 'ch-store: %'")" \
  "reasons of ch-store's own rejects"
assert_eq "not json at all|15" "$(sql "$DB" "SELECT CAST(raw AS TEXT), raw_length FROM rejects WHERE raw = CAST('not json at all' AS BLOB)")" \
  "raw bytes kept"
assert_eq "7B22726573|68805561|resource_kind is not company-profile" \
  "$(sql "$DB" "SELECT substr(hex(raw), 1, 10), timepoint, reason FROM rejects WHERE reason NOT LIKE 'ch-store: %'")" \
  "a reject record from ch-parse"
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM rejects WHERE instr(hex(raw), 'FFFE') > 0")" "invalid UTF-8 kept as bytes"
assert_eq 1 "$(sql "$DB" "SELECT count(*) FROM rejects WHERE instr(hex(raw), '474F004F44') > 0")" "NUL kept"
assert_eq "65536|$((9 << 20))" \
  "$(sql "$DB" "SELECT length(raw), raw_length FROM rejects WHERE raw_length > 1000000")" "oversized line"

# The same input again (a restart replaying it): no reject is stored twice.
store --db "$DB" < "$TMP/input.ndjson" || fail "second run exited $?"
assert_eq "$expected" "$(sql "$DB" "SELECT count(*) FROM rejects")" "rejects after a second run"

# Through ch-parse: the real sample events, the second and third spoilt (a
# filing whose URI lacks the company number, an exemption with an unknown
# event type), give one company and two rejects, stored with their bytes
# and timepoints. (Unspoilt, those two are resource records.)
{
  sed -n 1p "$ROOT/samples/real/real-stream-events.ndjson"
  sed -n 2p "$ROOT/samples/real/real-stream-events.ndjson" | sed 's#"resource_uri":"/company/10620794/#"resource_uri":"/#'
  sed -n 3p "$ROOT/samples/real/real-stream-events.ndjson" | sed 's#"type":"changed"#"type":"updated"#'
} > "$TMP/real-spoilt.ndjson"
"$BIN/ch-parse" < "$TMP/real-spoilt.ndjson" 2>/dev/null | store --db "$TMP/real.db" ||
  fail "real samples exited $?"
assert_eq "140062688,2401" "$(sql "$TMP/real.db" "SELECT group_concat(timepoint) FROM (SELECT timepoint FROM rejects ORDER BY id)")" \
  "rejected sample events"
assert_eq 68805561 "$(store --db "$TMP/real.db" checkpoint)" "rejects do not move the checkpoint"
raw=$(sed -n 2p "$TMP/real-spoilt.ndjson" | tr -d "\n" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
assert_eq "$raw" "$(sql "$TMP/real.db" "SELECT hex(raw) FROM rejects WHERE timepoint = 140062688")" "original bytes"

# A timepoint far past the checkpoint (2^63-1 here: a valid JSON integer)
# would have become the checkpoint and hidden every real event after it,
# for good: ch-store keeps it as a reject. The next real event is applied;
# the oracle agrees.
first=$(sed -n 1p "$ROOT/samples/real/real-stream-events.ndjson")
{
  echo "$first"
  echo "$first" | sed 's/"timepoint":68805561/"timepoint":9223372036854775807/'
  echo "$first" | sed 's/"timepoint":68805561/"timepoint":68805562/'
} >"$TMP/poisoned.ndjson"
"$BIN/ch-parse" <"$TMP/poisoned.ndjson" 2>/dev/null | store --db "$TMP/poisoned.db" ||
  fail "the poisoned capture exited $?"
assert_eq 68805562 "$(store --db "$TMP/poisoned.db" checkpoint)" "checkpoint after a timepoint of 2^63-1"
assert_eq "9223372036854775807|1" \
  "$(sql "$TMP/poisoned.db" "SELECT timepoint, reason LIKE 'ch-store: timepoint % is more than 2^32 past the checkpoint 68805561 %' FROM rejects")" \
  "the far timepoint is a reject"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/poisoned.oracle" "$TMP/poisoned.ndjson" 2>/dev/null
assert_eq "$(cat "$TMP/poisoned.oracle/checkpoint.txt")" "68805562" "the oracle's checkpoint"
assert_eq "$(cat "$TMP/poisoned.oracle/rejects.txt")" "1" "the oracle's rejects"
# The same line as the very first of a new database: a stream without a
# checkpoint counts from 0.
sed -n 2,3p "$TMP/poisoned.ndjson" >"$TMP/poisoned-first.ndjson"
"$BIN/ch-parse" <"$TMP/poisoned-first.ndjson" 2>/dev/null | store --db "$TMP/poisoned-first.db" ||
  fail "the capture that starts poisoned exited $?"
assert_eq 68805562 "$(store --db "$TMP/poisoned-first.db" checkpoint)" "checkpoint after a first timepoint of 2^63-1"
assert_eq "9223372036854775807|1" \
  "$(sql "$TMP/poisoned-first.db" "SELECT timepoint, reason LIKE 'ch-store: timepoint % is more than 2^32 past 0, and its stream has no checkpoint yet%' FROM rejects")" \
  "the far first timepoint is a reject"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/poisoned-first.oracle" "$TMP/poisoned-first.ndjson" 2>/dev/null
assert_eq "$(cat "$TMP/poisoned-first.oracle/checkpoint.txt")" "68805562" "the oracle's checkpoint, poisoned first"
assert_eq "$(cat "$TMP/poisoned-first.oracle/rejects.txt")" "1" "the oracle's rejects, poisoned first"

# A record repeats parts of its event line (a filing's URI is also its
# transaction id and its signal key), so it may be three times as long: an
# event just under ch-parse's line cap must not be ch-store's reject for its
# length: a 2.9 MB filing whose record is 8.7 MB was, under the 8 MiB
# default. (ch-store takes CH_MAX_LINE_BYTES as ch-parse does; the default.)
python3 - "$ROOT/samples/real/events/filings.ndjson" "$TMP/long-uri.ndjson" <<'PY'
import json, sys
event = json.loads(open(sys.argv[1]).readline())
event["data"]["type"] = "GAZ1"
event["data"].get("links", {}).pop("self", None)
line = json.dumps(event, separators=(",", ":"))
event["resource_uri"] += "X" * (3000000 - len(line))
open(sys.argv[2], "w").write(json.dumps(event, separators=(",", ":")) + "\n")
PY
"$BIN/ch-parse" --stream filings <"$TMP/long-uri.ndjson" 2>/dev/null >"$TMP/long-uri.rec"
[ "$(wc -c <"$TMP/long-uri.rec")" -gt $((8 << 20)) ] || fail "the record is not over the cap: the case tests nothing"
store --db "$TMP/long.db" --stream filings <"$TMP/long-uri.rec" || fail "long record exited $?"
assert_eq "1|1|0" "$(sql "$TMP/long.db" "SELECT (SELECT count(*) FROM filings), (SELECT count(*) FROM signals), (SELECT count(*) FROM rejects)")" \
  "an event under the cap is stored whatever its record's length"

# prune: only rejects older than the given days go.
sql "$DB" "UPDATE rejects SET received_at = '2020-01-01T00:00:00Z' WHERE id <= 3"
assert_eq 3 "$(store --db "$DB" prune --rejects-older-than 30)" "pruned"
assert_eq $((expected - 3)) "$(sql "$DB" "SELECT count(*) FROM rejects")" "rejects left"
assert_eq 0 "$(store --db "$DB" prune --rejects-older-than 30)" "nothing more to prune"
assert_eq 0 "$(store --db "$TMP/none.db" prune --rejects-older-than 1)" "prune on a missing database"
[ ! -e "$TMP/none.db" ] || fail "prune created a database"
echo "PASS 33_store_rejects"
