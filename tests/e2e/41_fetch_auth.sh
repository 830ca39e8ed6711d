#!/usr/bin/env bash
# 41_fetch_auth: a rejected key (401 or 403) is one request and exit 78 with
# a message naming CH_STREAM_KEY, never a retry loop, and the key never
# appears on stderr; a key file rotated while running is picked up at the
# next connection without a restart.
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
