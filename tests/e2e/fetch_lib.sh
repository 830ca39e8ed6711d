#!/usr/bin/env bash
# Shared setup and helpers of the ch-fetch end-to-end scripts (40-48),
# sourced right after `set -euo pipefail`: NAME, ROOT, FETCH, SERVER, a
# temporary WORK directory removed at exit with every process in PIDS,
# fail, make_capture, start_server, start_fetch, wait helpers, q (queries
# over the fake server's log) and expect. Not a test itself.
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

