#!/usr/bin/env bash
# 43_fetch_gap: no silent gaps. A start without --timepoint writes one
# started-live gap line before any event; a 416 writes a
# timepoint-out-of-range gap line (after_timepoint = the timepoint asked - 1)
# and carries on live at once, or exits 65 under --on-gap=exit.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 199))

# gap_line AFTER REASON: the control line ch-fetch must write.
gap_line() {
  printf '{"gap":{"stream":"companies","after_timepoint":%s,"reason":"%s"}}\n' "$1" "$2"
}

# Without --timepoint the stream starts live: one started-live gap line comes
# first, and only once, even when the first live connections deliver nothing.
start_server live --capture "${WORK}/capture.ndjson" --live-from-start --heartbeat 0.5 \
  --faults '1:close_after=0;2:close_after=20'
start_fetch live --backoff-initial 0.1 --backoff-max 0.2
wait_until 20 has_lines "${WORK}/live.out" 201 || fail "live: only $(count "${WORK}/live.out") lines arrived"
stop_fetch
expect "live: exit code" "${RC}" 0
{ gap_line null started-live; cat "${WORK}/capture.ndjson"; } >"${WORK}/live.expected"
cmp -s "${WORK}/live.out" "${WORK}/live.expected" || fail "live: stdout is not one started-live gap line then the events"
expect "live: requests" "$(q "${WORK}/live.log" '[s["timepoint"] for s in starts]')" "[None, None, $((FIRST + 20))]"

# A 416 for the first timepoint: a timepoint-out-of-range gap line naming the
# timepoint before it, then at once a live request (and no started-live gap).
start_server gone --capture "${WORK}/capture.ndjson" --live-from-start --heartbeat 0.5 --retain-min $((FIRST + 100))
start_fetch gone --timepoint $((FIRST + 10)) --backoff-initial 0.1 --backoff-max 0.2
wait_until 20 has_lines "${WORK}/gone.out" 201 || fail "416: only $(count "${WORK}/gone.out") lines arrived"
stop_fetch
expect "416: exit code" "${RC}" 0
{ gap_line $((FIRST + 9)) timepoint-out-of-range; cat "${WORK}/capture.ndjson"; } >"${WORK}/gone.expected"
cmp -s "${WORK}/gone.out" "${WORK}/gone.expected" || fail "416: stdout is not the gap line then the live stream"
expect "416: requests" "$(q "${WORK}/gone.log" '[s["timepoint"] for s in starts]')" "[$((FIRST + 10)), None]"
expect "416: statuses" "$(q "${WORK}/gone.log" '[s["status"] for s in starts]')" "[416, 200]"
expect "416: live request at once" "$(q "${WORK}/gone.log" 'starts[1]["t"] - ends[0]["t"] < 0.3')" True

# A 416 on a resume names the checkpoint it resumed from.
start_server regone --capture "${WORK}/capture.ndjson" --live-from-start --heartbeat 0.5 \
  --faults '1:close_after=10;2:status=416'
start_fetch regone --timepoint $((FIRST + 150)) --backoff-initial 0.1 --backoff-max 0.2
wait_until 20 has_lines "${WORK}/regone.out" 211 || fail "resume 416: only $(count "${WORK}/regone.out") lines arrived"
stop_fetch
expect "resume 416: exit code" "${RC}" 0
expect "resume 416: the gap line" "$(sed -n 11p "${WORK}/regone.out")" \
  "$(gap_line $((FIRST + 159)) timepoint-out-of-range)"
expect "resume 416: requests" "$(q "${WORK}/regone.log" '[s["timepoint"] for s in starts]')" \
  "[$((FIRST + 150)), $((FIRST + 160)), None]"

# --on-gap=exit: the gap line, then exit 65 (not restarted by pipeline.sh).
start_server stop --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --retain-min $((FIRST + 100))
start_fetch stop --timepoint $((FIRST + 10)) --on-gap=exit --backoff-initial 0.1
wait_exit 10
expect "--on-gap=exit: exit code" "${RC}" 65
expect "--on-gap=exit: stdout" "$(cat "${WORK}/stop.out")" "$(gap_line $((FIRST + 9)) timepoint-out-of-range)"
sleep 0.3
expect "--on-gap=exit: requests" "$(q "${WORK}/stop.log" 'len(starts)')" 1

echo "PASS ${NAME}"
