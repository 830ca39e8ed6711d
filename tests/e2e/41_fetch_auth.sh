#!/usr/bin/env bash
# 41_fetch_auth: a rejected key (401 or 403) is one request and exit 78 with
# a message naming CH_STREAM_KEY, never a retry loop, and the key never
# appears on stderr; a key file rotated while running is picked up at the
# next connection without a restart.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 59))

# A key the server rejects (401): exit 78 after exactly one request, with a
# message naming CH_STREAM_KEY and without the key.
readonly BAD_KEY="wrong-SECRET-4242"
start_server s401 --capture "${WORK}/capture.ndjson" --key testkey --heartbeat 0.5
KEY="${BAD_KEY}" start_fetch f401 --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.2
wait_exit 10
expect "401: exit code" "${RC}" 78
sleep 0.5
expect "401: requests" "$(q "${WORK}/s401.log" 'len(starts)')" 1
expect "401: the server saw the key as rejected" "$(q "${WORK}/s401.log" 'starts[0]["auth_ok"]')" False
grep -q CH_STREAM_KEY "${WORK}/f401.err" || fail "401: no error naming CH_STREAM_KEY"
grep -qF "${BAD_KEY}" "${WORK}/f401.err" && fail "401: the key appears on stderr"
grep -qF "$(printf '%s:' "${BAD_KEY}" | base64)" "${WORK}/f401.err" && fail "401: the Basic credential appears on stderr"
[[ -s "${WORK}/f401.out" ]] && fail "401: wrote to stdout"

# 403 is treated the same way.
start_server s403 --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '*:status=403'
start_fetch f403 --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.2
wait_exit 10
expect "403: exit code" "${RC}" 78
sleep 0.5
expect "403: requests" "$(q "${WORK}/s403.log" 'len(starts)')" 1
grep -q CH_STREAM_KEY "${WORK}/f403.err" || fail "403: no error naming CH_STREAM_KEY"

# Key rotation without a restart: the server and the key file switch to a
# new key while the first connection is stalled; the reconnect must use the
# new key and carry on from where it was.
printf 'key-one\n' >"${WORK}/accepted.keys"
printf 'key-one\n' >"${WORK}/fetch.key"
start_server srot --capture "${WORK}/capture.ndjson" --key-file "${WORK}/accepted.keys" --heartbeat 5 \
  --faults '1:stall_after=20'
CH_STREAM_KEY_FILE="${WORK}/fetch.key" start_fetch frot --timepoint "${FIRST}" --idle-timeout 1 \
  --backoff-initial 0.1 --backoff-max 0.2
wait_until 10 has_lines "${WORK}/frot.out" 20 || fail "rotation: the first 20 events never came"
printf 'key-two\n' >"${WORK}/accepted.keys.tmp" && mv "${WORK}/accepted.keys.tmp" "${WORK}/accepted.keys"
printf 'key-two\n' >"${WORK}/fetch.key.tmp" && mv "${WORK}/fetch.key.tmp" "${WORK}/fetch.key"
wait_until 15 has_lines "${WORK}/frot.out" 60 || fail "rotation: the stream did not resume with the new key"
stop_fetch
expect "rotation: exit code after SIGTERM" "${RC}" 0
expect "rotation: requests" "$(q "${WORK}/srot.log" 'len(starts)')" 2
expect "rotation: second request accepted" "$(q "${WORK}/srot.log" 'starts[1]["auth_ok"]')" True
expect "rotation: second request resumes" "$(q "${WORK}/srot.log" 'starts[1]["timepoint"]')" $((FIRST + 20))
cmp -s "${WORK}/frot.out" "${WORK}/capture.ndjson" || fail "rotation: stdout differs from the capture"
grep -qE 'key-one|key-two' "${WORK}/frot.err" && fail "rotation: a key appears on stderr"

echo "PASS ${NAME}"
