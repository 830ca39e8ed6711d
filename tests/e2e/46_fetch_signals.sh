#!/usr/bin/env bash
# e2e: alone (it times how fast a signal stops ch-fetch)
# 46_fetch_signals: SIGTERM/SIGINT stop ch-fetch promptly with exit 0
# whatever it is doing (streaming, mid-line, backing off, waiting for a
# first byte) and never write a partial line; a stdout that fails (disk
# full, reader gone) is exit 74, even on a quiet stream.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 99))

# is_line_prefix OUT: OUT holds the first N lines of the capture, whole.
is_line_prefix() {
  cmp -s "$1" <(head -n "$(count "$1")" "${WORK}/capture.ndjson") && [[ ! -s "$1" || "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" == '\n' ]]
}

# SIGTERM and SIGINT while streaming: exit 0 within a second.
for sig in TERM INT; do
  start_server "run${sig}" --capture "${WORK}/capture.ndjson" --heartbeat 0.3
  start_fetch "run${sig}" --timepoint "${FIRST}"
  wait_until 10 has_lines "${WORK}/run${sig}.out" 100 || fail "SIG${sig}: the events never came"
  stop_fetch "${sig}"
  expect "SIG${sig} while streaming: exit code" "${RC}" 0
  (( STOP_MS < 1000 )) || fail "SIG${sig} while streaming: took ${STOP_MS} ms"
  cmp -s "${WORK}/run${sig}.out" "${WORK}/capture.ndjson" || fail "SIG${sig}: stdout is not the capture"
done

# SIGTERM in the middle of a line that arrives in slow pieces: the piece
# already received is not written.
start_server mid --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --chunk-split --seed 3 --split-delay 0.05
start_fetch mid --timepoint "${FIRST}"
wait_until 20 has_lines "${WORK}/mid.out" 3 || fail "mid-line: the events never came"
stop_fetch
expect "SIGTERM mid-line: exit code" "${RC}" 0
is_line_prefix "${WORK}/mid.out" || fail "SIGTERM mid-line: stdout is not whole lines of the capture"
[[ "$(count "${WORK}/mid.out")" -lt 100 ]] || fail "SIGTERM mid-line: the stream was already complete"

# SIGTERM during a long backoff, and while waiting for a first byte.
start_server wait --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --faults '*:status=503'
start_fetch wait --timepoint "${FIRST}" --backoff-initial 20 --backoff-max 30
wait_until 10 grep -q '"phase":"start"' "${WORK}/wait.log" || fail "backoff: no request"
sleep 0.3
stop_fetch
expect "SIGTERM during backoff: exit code" "${RC}" 0
(( STOP_MS < 1000 )) || fail "SIGTERM during backoff: took ${STOP_MS} ms"

start_server mute --capture "${WORK}/capture.ndjson" --heartbeat 0.3 --faults '*:stall_before_headers'
start_fetch mute --timepoint "${FIRST}"
wait_until 10 grep -q '"phase":"start"' "${WORK}/mute.log" || fail "first byte: no request"
sleep 0.3
stop_fetch
expect "SIGTERM before the first byte: exit code" "${RC}" 0
(( STOP_MS < 1000 )) || fail "SIGTERM before the first byte: took ${STOP_MS} ms"

# stdout that cannot be written: exit 74. A full disk first...
start_server full --capture "${WORK}/capture.ndjson" --heartbeat 0.3
RC=0
CH_STREAM_KEY=testkey CH_STREAM_URL="http://127.0.0.1:${PORT}" timeout 10 "${FETCH}" --timepoint "${FIRST}" \
  >/dev/full 2>"${WORK}/full.err" || RC=$?
expect "/dev/full: exit code" "${RC}" 74

# ...then a reader that goes away after five lines (EPIPE)...
start_server pipe --capture "${WORK}/capture.ndjson" --heartbeat 0.3
set +o pipefail
CH_STREAM_KEY=testkey CH_STREAM_URL="http://127.0.0.1:${PORT}" timeout 10 "${FETCH}" --timepoint "${FIRST}" \
  2>"${WORK}/pipe.err" | head -n 5 >"${WORK}/pipe.out"
RC="${PIPESTATUS[0]}"
set -o pipefail
expect "closed pipe: exit code" "${RC}" 74
expect "closed pipe: lines read" "$(count "${WORK}/pipe.out")" 5

# ...and a reader that has gone while the stream is quiet (only heartbeats):
# noticed without waiting for data.
start_server quiet --capture "${WORK}/capture.ndjson" --heartbeat 0.3
start="$(now_us)"
set +o pipefail
CH_STREAM_KEY=testkey CH_STREAM_URL="http://127.0.0.1:${PORT}" timeout 10 "${FETCH}" --timepoint $((FIRST + 1000)) \
  2>"${WORK}/quiet.err" | true
RC="${PIPESTATUS[0]}"
set -o pipefail
expect "reader gone on a quiet stream: exit code" "${RC}" 74
elapsed_ms=$(( ($(now_us) - start) / 1000 ))
(( elapsed_ms < 3000 )) || fail "reader gone on a quiet stream: noticed after ${elapsed_ms} ms"

echo "PASS ${NAME}"
