#!/usr/bin/env bash
# e2e: alone (it times stall detection and backoffs)
# 45_fetch_stall: stall detection. No byte at all for --idle-timeout (after
# the response started) replaces the connection; heartbeats count as bytes;
# before the first byte the longer --first-byte-timeout applies, so a slow
# first answer is waited for and a silent one is given up.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 99))

# A stream that goes silent (not even heartbeats) after 30 events is
# replaced after --idle-timeout, and the new connection resumes; afterwards
# heartbeats alone keep the quiet connection open.
start_server stall --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --sent-log "${WORK}/stall.sent" \
  --faults '1:stall_after=30'
start_fetch stall --timepoint "${FIRST}" --idle-timeout 1 --backoff-initial 0.2 --backoff-max 0.4
wait_until 15 has_lines "${WORK}/stall.out" 100 || fail "stall: only $(count "${WORK}/stall.out") of 100 events"
sleep 2.5  # well over the idle timeout, with heartbeats only
stop_fetch
expect "stall: exit code" "${RC}" 0
cmp -s "${WORK}/stall.out" "${WORK}/capture.ndjson" || fail "stall: stdout is not the capture"
expect "stall: connections (heartbeats keep the second one open)" "$(q "${WORK}/stall.log" 'len(starts)')" 2
expect "stall: resumed at" "$(q "${WORK}/stall.log" 'starts[1]["timepoint"]')" $((FIRST + 30))
last_sent="$(sed -n 30p "${WORK}/stall.sent" | cut -f2)"
expect "stall: reconnect 1 s after the last byte, plus a backoff of 0.1 to 0.2 s" \
  "$(q "${WORK}/stall.log" "1.0 <= starts[1]['t'] - ${last_sent} < 1.8")" True
grep -q '"end":"stall"' "${WORK}/stall.err" || fail "stall: the connection log does not say stall"

# No answer at all (not even a status line): given up after the first-byte
# timeout (never less than the idle timeout), then a new connection.
start_server mute --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --faults '1:stall_before_headers'
start_fetch mute --timepoint "${FIRST}" --idle-timeout 0.5 --first-byte-timeout 1 --backoff-initial 0.2 \
  --backoff-max 0.4
wait_until 15 has_lines "${WORK}/mute.out" 100 || fail "mute: only $(count "${WORK}/mute.out") of 100 events"
stop_fetch
expect "mute: exit code" "${RC}" 0
expect "mute: connections" "$(q "${WORK}/mute.log" 'len(starts)')" 2
expect "mute: waited the first-byte timeout, then backed off 0.1 to 0.4 s" \
  "$(q "${WORK}/mute.log" '1.0 <= starts[1]["t"] - starts[0]["t"] < 1.9')" True
grep -q '"end":"first-byte-timeout"' "${WORK}/mute.err" || fail "mute: the connection log does not say first-byte-timeout"

# A slow first byte within --first-byte-timeout is not a stall, even when it
# takes longer than --idle-timeout.
start_server slow --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --faults '1:delay_headers=1.2'
start_fetch slow --timepoint "${FIRST}" --idle-timeout 0.5 --first-byte-timeout 2 --backoff-initial 0.2
wait_until 15 has_lines "${WORK}/slow.out" 100 || fail "slow: only $(count "${WORK}/slow.out") of 100 events"
stop_fetch
expect "slow: exit code" "${RC}" 0
expect "slow: connections" "$(q "${WORK}/slow.log" 'len(starts)')" 1

echo "PASS ${NAME}"
