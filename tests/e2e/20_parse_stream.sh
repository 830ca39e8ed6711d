#!/bin/bash
# ch-parse, stream format: every kind of bad line becomes exactly one reject
# record (raw bytes intact, timepoint when one could be read), the good lines
# around them survive, tolerated oddities (BOM, CRLF, heartbeats, unknown
# fields, numbers as strings, a last line without newline) parse, control
# lines pass through, events of other resource kinds become resource
# records, and the real sample events give 1 company + 2 resource records.
set -euo pipefail
: "${BIN:?BIN must name the directory holding ch-parse}" "${ROOT:?ROOT must name the repository}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The real sample events.
"$BIN/ch-parse" < $ROOT/samples/real/real-stream-events.ndjson > "$TMP/real.out" 2> "$TMP/real.err" \
  || fail "ch-parse exited $? on the real samples"
python3 - "$TMP/real.out" <<'PY' || fail "real sample output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["kind"] for l in lines] == ["company", "resource", "resource"], lines
c = lines[0]
assert c["company_number"] == "05954546" and c["timepoint"] == 68805561, c
assert c["published_at"] == "2023-11-04T14:33:29Z" and c["company_status"] == "active", c
assert list(c)[-1] == "data" and c["data"]["etag"] == "055ef4b361baa737e96bdaf5e7c0cb9b1ba31b3b", c
f = lines[1]
assert f["timepoint"] == 140062688 and f["resource_kind"] == "filing-history" and f["table"] == "filings", f
assert f["company_number"] == "10620794" and f["rows"][0]["type"] == "AA" and f["signals"] == [], f
assert list(f)[-1] == "data" and f["data"]["barcode"] == "XCFK6VA9", f
e = lines[2]
assert e["timepoint"] == 2401 and e["resource_uri"] == "/company/14438833/exemptions", e
assert e["company_number"] == "14438833" and e["table"] == "company_exemptions", e
PY

# 2. Every kind of bad line between good ones. The script writes the input
# and, beside it, what each non-blank line must become.
python3 - "$TMP/in.ndjson" "$TMP/expect.json" <<'PY'
import json, sys
def event(n, tp, data=None, etype="changed", published="2023-11-04T14:33:29", **top):
    obj = {"resource_kind": "company-profile", "resource_uri": "/company/%08d" % n, "resource_id": "%08d" % n,
           "data": {"company_number": "%08d" % n, "company_name": "GOOD %d LTD" % n, "company_status": "active"}
           if data is None else data,
           "event": {"timepoint": tp, "published_at": published, "type": etype}}
    obj.update(top)
    return json.dumps(obj, separators=(",", ":")).encode()
good = lambda n: (event(n, 1000 + n), ("company", None, None))
def bad(raw, reason, tp=None):
    return raw, ("reject", reason, tp)
cases = [
    good(1),
    bad(event(2, 1002)[:-20], "invalid JSON"),                                  # truncated
    bad(event(3, 1003) + b" trailing", "invalid JSON"),                         # trailing garbage
    bad(event(4, 1004) + b"{}", "invalid JSON"),                                # two objects
    bad(event(5, 1005).replace(b"GOOD", b"GO\x00OD"), "NUL byte"),              # NUL byte
    bad(event(6, 1006) + b"\x00junk", "NUL byte"),                              # NUL after the object
    bad(event(7, 1007).replace(b"GOOD", b"GO\xffOD"), "invalid JSON"),          # invalid UTF-8
    bad(event(8, 1008).replace(b"GOOD", b"GO\xc0\x80OD"), "invalid JSON"),      # overlong UTF-8
    bad(b"[" * 200000 + b"]" * 200000, "nested deeper"),                        # deep nesting
    bad(b'["company-profile",1]', "not a JSON object"),
    bad(b"<html><body><h1>502 Bad Gateway</h1></body></html>", "invalid JSON"),
    # Another resource kind is a resource record; it needs a URI that holds
    # the company number its kind requires.
    (event(9, 1009, resource_kind="filing-history"), ("resource", None, None)),
    bad(event(9, 1109, resource_kind="filing-history", resource_uri="/filing-history/X"),
        "company number", 1109),
    bad(event(9, 1209, resource_kind="company-officers", resource_uri=None), "resource_uri", 1209),
    bad(b'{"resource_uri":"/company/1","data":{},"event":{"timepoint":1309,"type":"changed"}}',
        "resource_kind", 1309),
    bad(b'{"resource_kind":"company-profile","data":{"company_number":"1"}}', "event"),
    bad(event(10, 1e30), "timepoint"),
    bad(event(11, -5), "timepoint"),
    bad(event(12, "abc"), "timepoint"),
    bad(event(13, 13.5), "timepoint"),
    bad(event(14, 1014, etype="updated"), "event.type", 1014),
    bad(event(15, 1015, published="yesterday"), "published_at", 1015),
    bad(event(16, 1016, published="2023-02-30T00:00:00"), "published_at", 1016),
    bad(event(17, 1017, data=[1, 2]), "data is not an object", 1017),
    bad(event(18, 1018, data="x"), "data is not an object", 1018),
    bad(event(19, 1019).replace(b',"data":{', b',"nodata":{'), "data is missing", 1019),
    bad(event(20, 1020, data={"company_number": 12345678}), "not a string", 1020),
    bad(event(21, 1021, data={"company_number": "12-34/56"}), "invalid company number", 1021),
    bad(event(22, 1022, data={"company_number": "ABCDEFGHIJK"}), "invalid company number", 1022),
    bad(b'{"resource_kind":"company-profile","data":{},"event":{"timepoint":1023,"published_at":"2023-11-04","type":"changed"}}',
        "no company number", 1023),
    bad(b'{"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":1}}', "snapshot_end"),
    bad(b'{"gap":{"stream":"companies","after_timepoint":-1,"reason":"x"}}', "invalid gap"),
    bad(b'{"gap":{"stream":"companies","after_timepoint":1}}', "invalid gap"),
    # Tolerated: BOM, CRLF, spaces, unknown fields, numbers as strings, uri without slash.
    (b"\xef\xbb\xbf" + event(30, 1030), ("company", None, None)),
    (event(31, 1031) + b"\r", ("company", None, None)),
    (b"  " + event(32, 1032) + b" \t", ("company", None, None)),
    (event(33, "1033", data={"company_number": "sc000033", "x_unknown": {"deep": [1, "2"]},
                             "accounts": {"accounting_reference_date": {"day": "30", "month": "09"}}}),
     ("company", None, None)),
    (b'{"resource_kind":"company-profile","resource_uri":"company/00000034","data":{"company_status":"Active - Proposal to Strike off"},"event":{"timepoint":1034,"published_at":"2023-11-04T15:33:29+01:00","type":"changed"}}',
     ("company", None, None)),
    (b'{"resource_kind":"company-profile","resource_id":"00000035","event":{"timepoint":1035,"published_at":"2023-11-03T22:13:03.742120Z","type":"deleted"}}',
     ("company", None, None)),
    (b'{"gap":{"stream":"companies","after_timepoint":68805561,"reason":"timepoint-out-of-range"}}', ("gap", None, None)),
    (b'{"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}}', ("gap", None, None)),
    good(40),
]
with open(sys.argv[1], "wb") as f:
    for i, (raw, _) in enumerate(cases):
        f.write(raw + b"\n")
        if i % 5 == 0:
            f.write(b"\n   \n\r\n")          # heartbeats and blank lines: no output
    f.write(event(41, 1041))                  # a last line without a newline
cases.append((event(41, 1041), ("company", None, None)))
json.dump([[raw.hex(), exp] for raw, exp in cases], open(sys.argv[2], "w"))
PY

"$BIN/ch-parse" < "$TMP/in.ndjson" > "$TMP/out.ndjson" 2> "$TMP/err.log" || fail "ch-parse exited $? on bad input"

python3 - "$TMP/expect.json" "$TMP/out.ndjson" <<'PY' || fail "output does not match"
import base64, json, sys
expect = json.load(open(sys.argv[1]))
out = [json.loads(l) for l in open(sys.argv[2], "rb")]
assert len(out) == len(expect), "%d output lines for %d non-blank input lines" % (len(out), len(expect))
company_order = ["kind", "stream", "source", "timepoint", "published_at", "as_of", "event_type",
                 "company_number", "company_name", "company_status", "company_status_detail",
                 "company_status_raw", "type", "type_raw", "jurisdiction", "date_of_creation",
                 "date_of_cessation", "registered_office_address", "sic_codes", "data"]
resource_order = ["kind", "stream", "source", "timepoint", "published_at", "as_of", "event_type",
                  "resource_kind", "resource_uri", "resource_id", "company_number", "table", "rows",
                  "signals", "data"]
for n, ((raw_hex, (kind, reason, tp)), rec) in enumerate(zip(expect, out)):
    raw = bytes.fromhex(raw_hex)
    got = rec.get("kind") or next(iter(rec))
    assert got == kind, "line %d: %s, expected %s: %s" % (n, got, kind, json.dumps(rec)[:300])
    if kind == "reject":
        assert reason in rec["reason"], "line %d: reason %r lacks %r" % (n, rec["reason"], reason)
        assert rec["timepoint"] == tp, "line %d: timepoint %r, expected %r" % (n, rec["timepoint"], tp)
        assert rec["raw_length"] == len(raw), (n, rec["raw_length"], len(raw))
        assert base64.b64decode(rec["raw_base64"]) == raw[:65536], "line %d: raw bytes differ" % n
        assert rec["source"] == "stream" and rec["stream"] == "companies"
    if kind == "company":
        assert list(rec) == company_order, (n, list(rec))
    if kind == "resource":
        assert list(rec) == resource_order, (n, list(rec))
byno = {r["company_number"]: r for r in out if r.get("kind") == "company"}
assert byno["00000001"]["company_name"] == "GOOD 1 LTD"
assert byno["SC000033"]["timepoint"] == 1033
assert byno["SC000033"]["data"]["x_unknown"] == {"deep": [1, "2"]}
s = byno["00000034"]
assert (s["company_status"], s["company_status_detail"]) == ("active", "active-proposal-to-strike-off"), s
assert s["published_at"] == "2023-11-04T14:33:29Z", s
d = byno["00000035"]
assert d["event_type"] == "deleted" and d["data"] == {} and d["published_at"] == "2023-11-03T22:13:03Z", d
assert byno["00000041"]["timepoint"] == 1041
res = [r for r in out if r.get("kind") == "resource"]
assert len(res) == 1 and res[0]["timepoint"] == 1009 and res[0]["table"] == "filings", res
assert res[0]["resource_uri"] == "/company/00000009" and res[0]["company_number"] == "00000009", res
gaps = [r for r in out if "gap" in r]
assert gaps[0] == {"gap": {"stream": "companies", "after_timepoint": 68805561, "reason": "timepoint-out-of-range"}}
assert gaps[1] == {"gap": {"stream": "companies", "after_timepoint": None, "reason": "started-live"}}
print("checked %d lines: %d rejects" % (len(out), sum(r.get("kind") == "reject" for r in out)))
PY

# 3. The same input through the stream name option.
CH_STREAM=test-stream "$BIN/ch-parse" < "$TMP/in.ndjson" > "$TMP/out2.ndjson" 2>/dev/null
grep -q '"stream":"test-stream"' "$TMP/out2.ndjson" || fail "CH_STREAM not used in records"
# 4. ch-parse yields the CPU: it adds CH_PARSE_NICE (default 10) to its
# niceness, up to 19, and 0 leaves it alone.
# Prints ch-parse's niceness once it is $1 (or, after 3 s, whatever it is),
# with the rest of the arguments as its environment.
niceness_of_parse() {
  local want="$1" pid got=""
  shift
  rm -f "$TMP/stdin.fifo"
  mkfifo "$TMP/stdin.fifo"
  env "$@" "$BIN/ch-parse" <"$TMP/stdin.fifo" >/dev/null 2>&1 &
  pid=$!
  exec 3>"$TMP/stdin.fifo"  # ch-parse waits for input until this closes
  for _ in $(seq 150); do
    if [ "$(awk '{print $2}' "/proc/$pid/stat" 2>/dev/null)" = "(ch-parse)" ]; then
      got=$(awk '{print $19}' "/proc/$pid/stat")
      [ "$got" = "$want" ] && break
    fi
    sleep 0.02
  done
  echo "$got"
  exec 3>&-
  wait "$pid" 2>/dev/null || true
}
base=$(awk '{print $19}' /proc/$$/stat)
want=$((base + 10 > 19 ? 19 : base + 10))
got=$(niceness_of_parse "$want" CH_LOG_LEVEL=error)
[ "$got" = "$want" ] || fail "ch-parse niceness by default: $got, expected $want (base $base)"
want=$((base + 3 > 19 ? 19 : base + 3))
got=$(niceness_of_parse "$want" CH_PARSE_NICE=3)
[ "$got" = "$want" ] || fail "ch-parse niceness with CH_PARSE_NICE=3: $got, expected $want"
# Given the time to change it, CH_PARSE_NICE=0 has not.
got=$(niceness_of_parse "never" CH_PARSE_NICE=0)
[ "$got" = "$base" ] || fail "ch-parse niceness with CH_PARSE_NICE=0: $got, expected $base"

echo "PASS 20_parse_stream"
