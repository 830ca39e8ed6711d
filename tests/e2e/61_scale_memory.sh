#!/bin/bash
# ch-store's memory does not grow with its input: a long run whose records
# include rejects and control lines (which take the full JSON parse) stays
# within the same bound as a clean one. Each of the 128 reading slots used to
# keep the 64 KiB parse arena (and the longest line and reject it had met)
# for good: 8 MiB more once every slot had met one reject, 25.9 MB in all
# over a 460,000-event catch-up with 1 % bad lines (issue 13).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${CH_SANITIZED:-0}" = 1 ] || ldd "$BIN/ch-store" 2>/dev/null | grep -q -e libasan -e libtsan; then
  echo "PASS 61_scale_memory (skipped: a sanitizer's shadow memory is no measure)"
  exit 0
fi

# 40,000 company records over 8,000 companies; every 50th line is a reject
# of 3 KB, every 500th a gap line; the last 10 % of the rejects carry 30 KB.
python3 - "$TMP/records.ndjson" <<'PY'
import base64, json, sys
out = open(sys.argv[1], "w")
def company(tp, n):
    number = "%08d" % n
    return json.dumps({"kind": "company", "stream": "companies", "source": "stream", "timepoint": tp,
                       "published_at": "2024-01-01T00:00:00Z", "as_of": "2024-01-01T00:00:00Z",
                       "event_type": "changed", "company_number": number,
                       "company_name": "COMPANY %d LIMITED" % n,
                       "company_status": ["active", "dissolved", "liquidation"][tp % 3],
                       "company_status_detail": None, "registered_office_address": {},
                       "sic_codes": ["62020"], "data": {"company_number": number, "pad": "x" * 1500}},
                      separators=(",", ":"))
def reject(i, size):
    raw = (b"bad line %d " % i) * (size // 12)
    return json.dumps({"kind": "reject", "stream": "companies", "source": "stream", "timepoint": None,
                       "reason": "invalid JSON", "raw_length": len(raw),
                       "raw_base64": base64.b64encode(raw).decode()}, separators=(",", ":"))
tp = 0
for i in range(40000):
    tp += 1
    out.write(company(tp, i % 8000) + "\n")
    if i % 50 == 0:
        out.write(reject(i, 30000 if i > 36000 else 3000) + "\n")
    if i % 500 == 0:
        out.write('{"gap":{"stream":"companies","after_timepoint":%d,"reason":"timepoint-out-of-range"}}\n' % tp)
PY
head -n 4000 "$TMP/records.ndjson" | grep -v -e '"kind":"reject"' -e '^{"gap"' > "$TMP/clean.ndjson"

# peak_rss FILE DB: ch-store's peak RSS in KB over FILE.
peak_rss() {
  python3 - "$BIN/ch-store" "$1" "$2" <<'PY'
import resource, subprocess, sys
with open(sys.argv[2], "rb") as f:
    rc = subprocess.call([sys.argv[1], "--db", sys.argv[3]], stdin=f, stderr=subprocess.DEVNULL,
                         env={"CH_LOG_LEVEL": "error"})
if rc != 0:
    sys.exit("ch-store exited %d" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
clean=$(peak_rss "$TMP/clean.ndjson" "$TMP/clean.db")
mixed=$(peak_rss "$TMP/records.ndjson" "$TMP/mixed.db")
assert_eq 800 "$(sql "$TMP/mixed.db" "SELECT count(*) FROM rejects")" "rejects stored"
assert_eq 40000 "$(store --db "$TMP/mixed.db" checkpoint)" "checkpoint"
# The clean run has the same fixed costs (page cache, state cache, code): a
# long run with rejects may add a few slots' worth, not one per slot.
[ "$mixed" -lt $((clean + 3 * 1024)) ] ||
  fail "peak RSS $mixed KB over 40,000 records with rejects, $clean KB over 4,000 clean ones"
[ "$mixed" -lt $((20 * 1024)) ] || fail "peak RSS $mixed KB (limit 20 MB)"
echo "PASS 61_scale_memory (peak RSS: $clean KB clean, $mixed KB with rejects and gaps)"
