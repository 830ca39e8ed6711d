#!/bin/bash
# A 404 for a stream's path is a stream the service does not have
# (DESIGN.md "Starting points"): ch-fetch exits 78 after that one request,
# with one JSON error line naming the stream, instead of retrying forever.
# The same server still serves the stream it has.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_capture "$TMP/capture.ndjson" 1 20
# The single --capture form serves /companies only: any other path is a 404.
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3

rc=0
start=$(now_ms)
CH_STREAM_URL="http://127.0.0.1:$PORT" CH_STREAM_KEY=testkey CH_BACKOFF_INITIAL=0.1 \
  timeout -k 2 20 "$BIN/ch-fetch" --stream filings --timepoint 1 >"$TMP/out" 2>"$TMP/err" || rc=$?
elapsed=$(($(now_ms) - start))
assert_eq 78 "$rc" "exit status after a 404"
[ "$elapsed" -lt 5000 ] || fail "the 404 took $elapsed ms to stop ch-fetch"
assert_eq "1|[404]|['/filings']" \
  "$(server_q "$TMP/srv.log" '"%d|%s|%s" % (len(starts), [e["status"] for e in ends], [s["path"] for s in starts])')" \
  "requests (count|status|path)"
[ ! -s "$TMP/out" ] || fail "ch-fetch wrote to stdout: $(head -c 200 "$TMP/out")"
python3 - "$TMP/err" <<'PY' || fail "the error line: $(cat "$TMP/err")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
# The connection's own record says 404, then one fatal line names the stream.
conns = [l for l in lines if l["message"] == "connection"]
assert [(c["status"], c["end"]) for c in conns] == [(404, "no-such-stream")], conns
fatal = [l for l in lines if "exit_code" in l]
assert len(fatal) == 1, fatal
assert fatal[0]["level"] == "error", fatal[0]
assert fatal[0]["message"].startswith("the service has no stream filings"), fatal[0]
assert fatal[0]["exit_code"] == 78, fatal[0]
PY

# The stream the server has still flows from the same server.
CH_STREAM_URL="http://127.0.0.1:$PORT" CH_STREAM_KEY=testkey CH_LOG_LEVEL=error \
  timeout 3 "$BIN/ch-fetch" --stream companies --timepoint 1 >"$TMP/companies.out" 2>/dev/null || true
assert_eq 20 "$(wc -l <"$TMP/companies.out" | tr -d ' ')" "events of the stream the server has"

echo "PASS 70_fetch_no_such_stream"
