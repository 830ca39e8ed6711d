#!/usr/bin/env bash
# 40_fetch_config: configuration errors stop ch-fetch with exit 78 (or 64 for
# usage) and one clear line naming the variable, before any request: a
# missing, empty or unreadable key, invalid values, credentials in the URL,
# and a key given as a flag. --help lists every option with its variable.
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

start_server cfg --capture /dev/null --heartbeat 0.5

# run_fetch ARGS...: ch-fetch in the foreground against the server, with the
# environment the caller set; stdout run.out, stderr run.err; sets RC.
run_fetch() {
  RC=0
  CH_STREAM_URL="${CH_STREAM_URL:-http://127.0.0.1:${PORT}}" timeout 10 "${FETCH}" "$@" \
    >"${WORK}/run.out" 2>"${WORK}/run.err" || RC=$?
}

# expect_config_error WHAT NEEDLE ARGS...: exit 78, one line on stderr naming
# NEEDLE, nothing on stdout.
expect_config_error() {
  local what="$1" needle="$2"
  shift 2
  run_fetch "$@"
  expect "${what}: exit code" "${RC}" 78
  grep -qF -- "${needle}" "${WORK}/run.err" || fail "${what}: stderr does not name ${needle}: $(cat "${WORK}/run.err")"
  expect "${what}: stderr lines" "$(count "${WORK}/run.err")" 1
  [[ ! -s "${WORK}/run.out" ]] || fail "${what}: wrote to stdout"
}

unset CH_STREAM_KEY CH_STREAM_KEY_FILE
expect_config_error "no key at all" CH_STREAM_KEY
CH_STREAM_KEY="" expect_config_error "empty key" CH_STREAM_KEY
CH_STREAM_KEY_FILE="${WORK}/missing" expect_config_error "missing key file" CH_STREAM_KEY_FILE
: >"${WORK}/empty.key"
CH_STREAM_KEY_FILE="${WORK}/empty.key" expect_config_error "empty key file" CH_STREAM_KEY_FILE

export CH_STREAM_KEY=testkey-0123456789
expect_config_error "negative idle timeout" "--idle-timeout/CH_IDLE_TIMEOUT" --idle-timeout=-1
CH_BACKOFF_INITIAL=10 CH_BACKOFF_MAX=5 expect_config_error "initial backoff above the maximum" CH_BACKOFF_INITIAL
CH_IDLE_TIMEOUT=soon expect_config_error "a non-number in the environment" CH_IDLE_TIMEOUT
expect_config_error "ftp URL" "--url/CH_STREAM_URL" --url ftp://127.0.0.1/
expect_config_error "timepoint not a number" CH_TIMEPOINT --timepoint 12x
CH_ON_GAP=ignore expect_config_error "unknown gap policy" CH_ON_GAP
expect_config_error "unreadable CA bundle" CH_CACERT --cacert "${WORK}/no-such-ca.pem"
expect_config_error "key in the URL" CH_STREAM_URL --url "http://sekrit-in-url:@127.0.0.1:${PORT}"
grep -q "sekrit-in-url" "${WORK}/run.err" && fail "the URL's credentials were echoed"

# The key can never be passed on the command line.
run_fetch --key testkey
expect "--key flag: exit code" "${RC}" 64
grep -q "help" "${WORK}/run.err" || fail "usage error without a hint to --help"

# --help lists every option with its variable and exits 0.
run_fetch --help
expect "--help exit code" "${RC}" 0
for option in url:CH_STREAM_URL stream:CH_STREAM timepoint:CH_TIMEPOINT idle-timeout:CH_IDLE_TIMEOUT \
  first-byte-timeout:CH_FIRST_BYTE_TIMEOUT connect-timeout:CH_CONNECT_TIMEOUT \
  backoff-initial:CH_BACKOFF_INITIAL backoff-max:CH_BACKOFF_MAX retry-429:CH_RETRY_429 \
  breaker-threshold:CH_BREAKER_THRESHOLD max-line-bytes:CH_MAX_LINE_BYTES cacert:CH_CACERT \
  on-gap:CH_ON_GAP log-level:CH_LOG_LEVEL metrics-dir:CH_METRICS_DIR; do
  grep -q -- "--${option%%:*}" "${WORK}/run.out" || fail "--help does not list --${option%%:*}"
  # (the help text is wrapped, sometimes inside a word)
  tr -d ' \n' <"${WORK}/run.out" | grep -q -- "${option##*:}" || fail "--help does not name ${option##*:}"
done

# None of the failures above reached the network.
sleep 0.2
expect "requests made by misconfigured runs" "$(count "${WORK}/cfg.log")" 0

echo "PASS ${NAME}"
