#!/usr/bin/env bash
# 44_fetch_backoff: reconnect timing. A 429 waits exactly Retry-After (or
# --retry-429), not capped by --backoff-max; 5xx answers back off with
# jitter between half the initial delay and the doubling ceiling; after
# --breaker-threshold failures in a row the circuit breaker opens (waits
# --backoff-max, reported in the log and the metrics) until a success.
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

# gaps LOG: seconds between the starts of consecutive connections.
gaps() { q "$1" '[round(b["t"] - a["t"], 3) for a, b in zip(starts, starts[1:])]'; }

# within LOG I LO HI: the I-th gap between connections is in [LO, HI).
within() {
  [[ "$(q "$1" "${3} <= starts[${2} + 1]['t'] - starts[${2}]['t'] < ${4}")" == True ]] ||
    fail "$(basename "$1" .log): gap $2 not in [$3, $4): $(gaps "$1")"
}

# 429 with Retry-After: wait exactly that long, even above --backoff-max.
start_server ra --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1:status=429,retry_after=2'
start_fetch ra --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.5 --retry-429 10
wait_until 10 has_lines "${WORK}/ra.out" 100 || fail "429 Retry-After: the stream never resumed"
stop_fetch
expect "429 Retry-After: exit code" "${RC}" 0
expect "429 Retry-After: connections" "$(q "${WORK}/ra.log" '[s["status"] for s in starts]')" "[429, 200]"
within "${WORK}/ra.log" 0 2.0 2.6

# 429 without Retry-After: wait --retry-429.
start_server r429 --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1:status=429'
start_fetch r429 --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.5 --retry-429 1.5
wait_until 10 has_lines "${WORK}/r429.out" 100 || fail "429: the stream never resumed"
stop_fetch
expect "429: exit code" "${RC}" 0
within "${WORK}/r429.log" 0 1.5 2.1

# 5xx: exponential backoff with jitter, between half the initial delay and
# the doubling ceiling, capped at --backoff-max.
start_server s5xx --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1-4:status=503'
start_fetch s5xx --timepoint "${FIRST}" --backoff-initial 0.4 --backoff-max 0.8 --breaker-threshold 10
wait_until 15 has_lines "${WORK}/s5xx.out" 100 || fail "5xx: the stream never resumed"
stop_fetch
expect "5xx: exit code" "${RC}" 0
expect "5xx: connections" "$(q "${WORK}/s5xx.log" 'len(starts)')" 5
within "${WORK}/s5xx.log" 0 0.2 0.7
within "${WORK}/s5xx.log" 1 0.2 1.1
within "${WORK}/s5xx.log" 2 0.2 1.1
within "${WORK}/s5xx.log" 3 0.2 1.1
expect "5xx: every retry asks for the same timepoint" \
  "$(q "${WORK}/s5xx.log" 'sorted(set(s["timepoint"] for s in starts))')" "[${FIRST}]"

# Circuit breaker: after 3 failures in a row every wait is --backoff-max and
# the breaker is reported open (log and metrics) until a connection succeeds.
mkdir "${WORK}/metrics"
readonly PROM="${WORK}/metrics/ch-fetch.prom"
start_server brk --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1-4:status=502'
start_fetch brk --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 1.5 --breaker-threshold 3 \
  --metrics-dir "${WORK}/metrics"
wait_until 10 grep -qs 'chstream_breaker_open{program="ch-fetch"} 1' "${PROM}" ||
  fail "breaker: the metrics never showed it open"
grep -q 'chstream_consecutive_failures{program="ch-fetch"} 3' "${PROM}" ||
  fail "breaker: consecutive failures not 3 when it opened: $(grep consecutive "${PROM}")"
wait_until 10 has_lines "${WORK}/brk.out" 100 || fail "breaker: the stream never resumed"
wait_until 5 grep -qs 'chstream_breaker_open{program="ch-fetch"} 0' "${PROM}" ||
  fail "breaker: the metrics never showed it closed again"
grep -q 'chstream_connected{program="ch-fetch"} 1' "${PROM}" || fail "breaker: not reported connected"
stop_fetch
expect "breaker: exit code" "${RC}" 0
within "${WORK}/brk.log" 0 0.05 0.4
within "${WORK}/brk.log" 1 0.05 0.5
within "${WORK}/brk.log" 2 1.5 2.0
within "${WORK}/brk.log" 3 1.5 2.0
grep -q '"message":"circuit breaker open' "${WORK}/brk.err" || fail "breaker: opening not logged"
grep -q '"message":"circuit breaker closed' "${WORK}/brk.err" || fail "breaker: closing not logged"
expect "breaker: reconnects counted by reason" \
  "$(grep -c 'chstream_reconnects_total{program="ch-fetch",reason="server-error"} 4' "${PROM}")" 1

echo "PASS ${NAME}"
