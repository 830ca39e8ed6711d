#!/bin/bash
# Issue 13, the deterministic case, through the real binaries at the release
# size of ch-store's remembered-state cache (32,768 companies): fill it, send
# one more company (the cache starts afresh), make ch-store meet
# `liquidation` and `dissolved` again, then send that company again:
#  A. as dissolved: exactly one change active -> dissolved, and a lead;
#  B. without company_status: it stays active, no change.
# ch-store used to read the company back as dissolved after the restart: no
# change and no lead in A, and `dissolved` written for an active company in
# B. Both databases must be what tests/oracle.py says, change by change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

python3 - "$TMP" <<'PY'
import json, sys
out = sys.argv[1]
def event(tp, number, status):
    data = {"company_name": "COMPANY %s LIMITED" % number, "company_number": number}
    if status is not None:
        data["company_status"] = status
    return json.dumps({"resource_kind": "company-profile", "resource_uri": "/company/" + number,
                       "resource_id": number, "data": data,
                       "event": {"timepoint": tp, "published_at": "2024-05-01T10:00:00",
                                 "type": "changed"}}, separators=(",", ":")) + "\n"
lines = [event(1, "L0000000", "liquidation")]
lines += [event(1 + i, "%08d" % i, "active") for i in range(1, 32768)]  # the cache is full
lines += [event(40001, "X0000001", "active"),                            # the restart
          event(40002, "L0000001", "liquidation"),
          event(40003, "D0000001", "dissolved")]
for variant, status in (("a", "dissolved"), ("b", None)):
    with open("%s/%s.ndjson" % (out, variant), "w") as f:
        f.writelines(lines + [event(40004, "X0000001", status)])
PY

for variant in a b; do
  "$BIN/ch-parse" < "$TMP/$variant.ndjson" 2>/dev/null | store --db "$TMP/$variant.db" ||
    fail "variant $variant: the chain exited $?"
  python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle-$variant" --compare-db "$TMP/$variant.db" \
    "$TMP/$variant.ndjson" 2> "$TMP/oracle-$variant.err" ||
    fail "variant $variant differs from the oracle: $(grep -v 'oracle: lines=' "$TMP/oracle-$variant.err" | head -n 6)"
done

changes() {
  sql "$1" "SELECT coalesce(old_status, 'NULL') || '->' || new_status FROM status_changes
            WHERE company_number = 'X0000001' ORDER BY id" | tr '\n' ' '
}
assert_eq "NULL->active active->dissolved " "$(changes "$TMP/a.db")" "A: the changes of X0000001"
assert_eq 1 "$(sql "$TMP/a.db" "SELECT count(*) FROM leads WHERE company_number = 'X0000001'")" "A: leads of X0000001"
assert_eq "active" "$(sql "$TMP/b.db" "SELECT company_status FROM companies WHERE company_number = 'X0000001'")" "B: status of X0000001"
assert_eq "NULL->active " "$(changes "$TMP/b.db")" "B: the changes of X0000001"
echo "PASS 60_scale_cache_restart (32,772 companies: the company that restarts the cache keeps its status)"
