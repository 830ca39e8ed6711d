#!/usr/bin/env bash
# 45_fetch_stall: stall detection. No byte at all for --idle-timeout (after
# the response started) replaces the connection; heartbeats count as bytes;
# before the first byte the longer --first-byte-timeout applies, so a slow
# first answer is waited for and a silent one is given up.
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
