#!/usr/bin/env bash
# 46_fetch_signals: SIGTERM/SIGINT stop ch-fetch promptly with exit 0
# whatever it is doing (streaming, mid-line, backing off, waiting for a
# first byte) and never write a partial line; a stdout that fails (disk
# full, reader gone) is exit 74, even on a quiet stream.
set -euo pipefail
export LC_ALL=C

NAME="$(basename "$0" .sh)"
readonly NAME
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
readonly ROOT
readonly FETCH="${BIN:?set BIN to the directory holding ch-fetch}/ch-fetch"
readonly SERVER="${ROOT}/tests/fake_stream_server.py"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/${NAME}.XXXXXX")"
readonly WORK
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -KILL "${pid}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

fail() {
  echo "FAIL ${NAME}: $*"
  local f
  for f in "${WORK}"/*.err; do
    if [[ -s "${f}" ]]; then
      echo "--- $(basename "${f}"), last lines:"
      tail -n 4 "${f}" | cut -c 1-400
    fi
  done
  exit 1
}

# make_capture FILE FIRST LAST: one company-profile event per timepoint,
# shaped like the real stream's lines.
make_capture() {
  python3 - "$@" <<'EOF'
import json, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "a") as f:
    for tp in range(first, last + 1):
        num = "%08d" % (tp % 100000000)
        f.write(json.dumps({
            "resource_kind": "company-profile",
            "resource_uri": "/company/" + num, "resource_id": num,
            "data": {"company_number": num, "company_name": "COMPANY %d LIMITED" % tp,
                     "company_status": "active", "type": "ltd",
                     "registered_office_address": {"address_line_1": "%d High Street" % tp,
                                                   "locality": "London", "postal_code": "EC1A 1BB"},
                     "sic_codes": ["62020"], "etag": "%040x" % tp},
            "event": {"timepoint": tp, "published_at": "2023-11-04T14:33:29",
                      "type": "changed"}}, separators=(",", ":")) + "\n")
EOF
}

# start_server NAME ARGS...: the fake stream server, logging its connections
# to NAME.log; sets PORT.
start_server() {
  local name="$1"
  shift
  python3 "${SERVER}" --port-file "${WORK}/${name}.port" --log "${WORK}/${name}.log" \
    --max-lifetime 55 "$@" 2>"${WORK}/${name}.server.err" &
  PIDS+=("$!")
  local _
  for _ in $(seq 200); do
    [[ -s "${WORK}/${name}.port" ]] && break
    sleep 0.05
  done
  [[ -s "${WORK}/${name}.port" ]] || fail "fake server ${name} did not start"
  PORT="$(cat "${WORK}/${name}.port")"
  touch "${WORK}/${name}.log"
}

# start_fetch NAME ARGS...: ch-fetch in the background against the last
# server started, with key ${KEY:-testkey}; stdout NAME.out, stderr NAME.err.
# Sets FETCH_PID.
start_fetch() {
  local name="$1"
  shift
  CH_STREAM_KEY="${KEY:-testkey}" CH_STREAM_URL="http://127.0.0.1:${PORT}" \
    "${FETCH}" "$@" >"${WORK}/${name}.out" 2>"${WORK}/${name}.err" &
  FETCH_PID=$!
  PIDS+=("${FETCH_PID}")
}

# now_us: microseconds since the epoch.
now_us() {
  local t="${EPOCHREALTIME}"
  echo "${t/[.,]/}"
}

# wait_until SECONDS CMD...: true as soon as CMD succeeds (polled every
# 50 ms); false when SECONDS (an integer) pass first.
wait_until() {
  local deadline=$(( $(now_us) + $1 * 1000000 ))
  shift
  until "$@"; do
    (( $(now_us) < deadline )) || return 1
    sleep 0.05
  done
}

# wait_exit SECONDS: waits for ch-fetch to exit by itself; sets RC.
wait_exit() {
  wait_until "$1" eval '! kill -0 "${FETCH_PID}" 2>/dev/null' || fail "ch-fetch still running after $1 s"
  RC=0
  wait "${FETCH_PID}" || RC=$?
}

# stop_fetch [SIGNAL]: signals ch-fetch (TERM by default); sets RC and
# STOP_MS (milliseconds it took to exit).
stop_fetch() {
  local start
  start="$(now_us)"
  kill -"${1:-TERM}" "${FETCH_PID}"
  wait_exit 5
  STOP_MS=$(( ($(now_us) - start) / 1000 ))
}

# count FILE: lines in FILE.
count() { wc -l <"$1" | tr -d ' '; }

# has_lines FILE N: FILE has at least N lines.
has_lines() { [[ -f "$1" && "$(count "$1")" -ge "$2" ]]; }

# q LOG EXPR: evaluates a Python expression over a server log, where
# `starts` and `ends` are its start and end records in connection order.
q() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
starts = sorted((r for r in records if r["phase"] == "start"), key=lambda r: r["conn"])
ends = sorted((r for r in records if r["phase"] == "end"), key=lambda r: r["conn"])
print(eval(sys.argv[2]))
EOF
}

# expect WHAT ACTUAL EXPECTED
expect() {
  [[ "$2" == "$3" ]] || fail "$1: got '$2', expected '$3'"
}

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
