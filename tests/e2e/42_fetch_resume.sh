#!/usr/bin/env bash
# 42_fetch_resume: what reaches stdout is the stream byte for byte: lines cut
# by a disconnect (FIN or RST) never appear, reconnects resume at the last
# timepoint written + 1, a clean end reconnects at once, lines split across
# chunks are reassembled, garbage lines pass through without moving the
# resume point, and an over-long line is passed on whole with a warning.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 299))

# Cuts in the middle of a line (one with a TCP reset), then a clean end of
# the body: stdout must be the capture exactly (every event once, no piece of
# a cut line), each reconnect asks for the last timepoint written + 1, and
# the clean end reconnects at once.
start_server cuts --capture "${WORK}/capture.ndjson" --heartbeat 0.5 \
  --faults '1:close_after=50,midline;2:close_after=120,midline,reset;3:end_after=30'
start_fetch cuts --timepoint "${FIRST}" --backoff-initial 0.2 --backoff-max 0.4
wait_until 20 has_lines "${WORK}/cuts.out" 300 || fail "cuts: only $(count "${WORK}/cuts.out") of 300 events arrived"
stop_fetch
expect "cuts: exit code" "${RC}" 0
cmp -s "${WORK}/cuts.out" "${WORK}/capture.ndjson" || fail "cuts: stdout is not the capture byte for byte"
expect "cuts: connections" "$(q "${WORK}/cuts.log" 'len(starts)')" 4
expect "cuts: first two requests" "$(q "${WORK}/cuts.log" '[s["timepoint"] for s in starts[:2]]')" \
  "[${FIRST}, $((FIRST + 50))]"
expect "cuts: after the clean end" "$(q "${WORK}/cuts.log" 'starts[3]["timepoint"] - ends[2]["last_timepoint"]')" 1
expect "cuts: the cut connections were cut" "$(q "${WORK}/cuts.log" '[e["end"] for e in ends[:3]]')" \
  "['abrupt', 'abrupt', 'clean']"
expect "cuts: backoff after a cut (0.1 to 0.2 s, plus slack)" \
  "$(q "${WORK}/cuts.log" '0.1 <= starts[1]["t"] - ends[0]["t"] < 0.5')" True
expect "cuts: prompt reconnect after the clean end" "$(q "${WORK}/cuts.log" 'starts[3]["t"] - ends[2]["t"] < 0.3')" True
expect "cuts: cut-off lines reported" "$(grep -c 'dropped a line cut off' "${WORK}/cuts.err")" 2

# Lines split across many small chunks come out byte for byte.
start_server split --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --chunk-split --seed 7 \
  --faults '1:close_after=70,midline'
start_fetch split --timepoint "${FIRST}" --backoff-initial 0.2 --backoff-max 0.4
wait_until 20 has_lines "${WORK}/split.out" 300 || fail "split: only $(count "${WORK}/split.out") of 300 events arrived"
stop_fetch
expect "split: exit code" "${RC}" 0
cmp -s "${WORK}/split.out" "${WORK}/capture.ndjson" || fail "split: stdout is not the capture byte for byte"
expect "split: requests" "$(q "${WORK}/split.log" '[s["timepoint"] for s in starts]')" "[${FIRST}, $((FIRST + 70))]"

# Garbage lines pass through untouched (ch-parse rejects them, not ch-fetch)
# and do not move the resume point; a line above --max-line-bytes is passed
# on whole with a warning (ch-parse makes it a reject). The capture holds a garbage line (line 101) and an
# oversized event (line 251); the server also injects one after 150 lines.
python3 - "${WORK}/capture.ndjson" "${WORK}/messy.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines(True)
big = json.loads(lines[248])
big["data"]["company_name"] = "X" * 5000
big["event"]["timepoint"] = json.loads(lines[248])["event"]["timepoint"]
lines.insert(100, "this is not json{{\n")
lines.insert(250, json.dumps(big, separators=(",", ":")) + "\n")
open(sys.argv[2], "w").write("".join(lines))
PY
start_server messy --capture "${WORK}/messy.ndjson" --heartbeat 0.5 --faults '1:garbage_after=150,close_after=200'
start_fetch messy --timepoint "${FIRST}" --backoff-initial 0.2 --backoff-max 0.4 --max-line-bytes 2000
wait_until 20 has_lines "${WORK}/messy.out" 302 || fail "messy: only $(count "${WORK}/messy.out") lines arrived"
stop_fetch
expect "messy: exit code" "${RC}" 0
python3 - "${WORK}/messy.ndjson" "${WORK}/expected.ndjson" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines(True)
# The injected garbage comes after 150 capture lines; the oversized line
# (index 250) is passed on like the others.
out = lines[:150] + ["this is not json{{\n"] + lines[150:]
open(sys.argv[2], "w").write("".join(out))
PY
cmp -s "${WORK}/messy.out" "${WORK}/expected.ndjson" || fail "messy: stdout differs from the capture with garbage"
expect "messy: resume after line 200 (event $((FIRST + 198)))" \
  "$(q "${WORK}/messy.log" '[s["timepoint"] for s in starts]')" "[${FIRST}, $((FIRST + 199))]"
grep -q 'longer than --max-line-bytes' "${WORK}/messy.err" || fail "messy: the long line was not logged"

echo "PASS ${NAME}"
