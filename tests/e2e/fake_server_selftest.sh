#!/usr/bin/env bash
# Self-test of tests/fake_stream_server.py, the fake Companies House stream
# server the other end-to-end tests run against: drives it with curl and
# checks each behaviour those tests rely on (inclusive timepoints, 401, 416,
# scripted faults, heartbeats, chunk splitting, follow mode, the request log,
# the bounded lifetime and SIGTERM), and several streams from one server
# (--capture NAME=FILE: per-stream faults, retention, follow mode and end,
# 404 for a path not served). Needs python3 and curl; ignores BIN.
# Prints one PASS line, or one FAIL line naming the failed check and exits 1.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
readonly SERVER="${HERE}/../fake_stream_server.py"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fake_server_selftest.XXXXXX")"
readonly WORK
PIDS=()

fail() {
  echo "FAIL fake_server_selftest: $*"
  exit 1
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "${pid}" 2>/dev/null || true
  done
  rm -rf "${WORK}"
}

# make_capture FILE FIRST LAST: one companies event per timepoint.
make_capture() {
  python3 - "$@" <<'EOF'
import json, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "a") as f:
    for tp in range(first, last + 1):
        num = "%08d" % tp
        f.write(json.dumps({
            "resource_kind": "company-profile",
            "resource_uri": "/company/" + num, "resource_id": num,
            "data": {"company_number": num, "company_name": "CO %d LTD" % tp,
                     "company_status": "active"},
            "event": {"timepoint": tp, "published_at": "2023-11-04T14:33:29",
                      "type": "changed"}}, separators=(",", ":")) + "\n")
EOF
}

# start_server NAME ARGS...: sets PORT and PID; stderr goes to NAME.err.
start_server() {
  local name="$1"
  shift
  python3 "${SERVER}" --port-file "${WORK}/${name}.port" "$@" \
    2>"${WORK}/${name}.err" &
  PID=$!
  PIDS+=("${PID}")
  local _
  for _ in $(seq 100); do
    [[ -s "${WORK}/${name}.port" ]] && break
    kill -0 "${PID}" 2>/dev/null || fail "server ${name} died at start: $(tail -1 "${WORK}/${name}.err")"
    sleep 0.05
  done
  [[ -s "${WORK}/${name}.port" ]] || fail "server ${name} wrote no port file"
  PORT="$(cat "${WORK}/${name}.port")"
  [[ "${PORT}" =~ ^[0-9]+$ ]] || fail "port file of ${name} holds '${PORT}'"
}

# fetch NAME URL_PATH MAX_TIME [CURL_ARGS...]: body to NAME.body, headers to
# NAME.hdr; sets CODE (HTTP status) and RC (curl exit code).
fetch() {
  local name="$1" path="$2" max_time="$3"
  shift 3
  RC=0
  CODE="$(curl -sS -N --max-time "${max_time}" -o "${WORK}/${name}.body" \
    -D "${WORK}/${name}.hdr" -w '%{http_code}' "$@" \
    "http://127.0.0.1:${PORT_A}${path}" 2>/dev/null)" || RC=$?
}

# expect_lines NAME SPEC: checks NAME.body line by line against SPEC, a
# space-separated list of timepoints, "G" (the injected garbage line) and
# "P<tp>" (an unterminated prefix of that event's line, last only). Blank
# heartbeat lines are counted into HEARTBEATS and otherwise ignored.
expect_lines() {
  HEARTBEATS="$(python3 - "${WORK}/$1.body" "$2" "${WORK}/capture.ndjson" <<'EOF'
import json, sys
body = open(sys.argv[1], "rb").read()
want = sys.argv[2].split()
events = {}
for l in open(sys.argv[3], "rb"):
    try:
        events[json.loads(l)["event"]["timepoint"]] = l
    except ValueError:
        pass
lines = body.split(b"\n")
tail = lines.pop()  # after the last "\n": empty unless a partial line
hb = sum(1 for l in lines if l == b"")
got = []
for l in lines:
    if l == b"":
        continue
    if l == b"this is not json{{":
        got.append("G")
        continue
    try:
        got.append(str(json.loads(l)["event"]["timepoint"]))
    except ValueError:
        got.append("?" + l[:30].decode("latin-1"))
if tail:
    match = [tp for tp, full in events.items()
             if full.startswith(tail) and len(tail) < len(full) - 1]
    got.append("P%d" % match[0] if match else "?partial")
if got != want:
    print("got [%s], want [%s]" % (" ".join(got), " ".join(want)))
    sys.exit(1)
print(hb)
EOF
)" || fail "$1: ${HEARTBEATS}"
}

# wait_started LOG CONN: waits (up to 10 s) until LOG has the start record
# of connection CONN, i.e. the server has read that request.
wait_started() {
  local _
  for _ in $(seq 200); do
    grep -q "\"phase\":\"start\",\"conn\":$2," "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "no start record for connection $2 in $1"
}

# wait_exit PID SECONDS: sets EXIT to the exit code, fails if still running.
wait_exit() {
  local pid="$1" _
  for _ in $(seq "$(($2 * 20))"); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "${pid}" 2>/dev/null && fail "server ${pid} still running after $2 s"
  EXIT=0
  wait "${pid}" || EXIT=$?
}

main() {
  trap cleanup EXIT
  make_capture "${WORK}/capture.ndjson" 1001 1020
  cp "${WORK}/capture.ndjson" "${WORK}/capture_b.ndjson"

  # Server B runs alongside: chunk splitting, live-from-start, a rate, and a
  # 2 s lifetime that must end it while a client is still connected.
  start_server b --capture "${WORK}/capture_b.ndjson" --log "${WORK}/b.log" \
    --chunk-split --seed 7 --live-from-start --rate 40 --heartbeat 0.2 \
    --max-lifetime 2
  local pid_b="${PID}" rc_b=0
  curl -sS -N --raw --max-time 6 -u testkey: -o "${WORK}/b.raw" \
    "http://127.0.0.1:${PORT}/companies" 2>/dev/null &
  local curl_b=$!

  start_server a --capture "${WORK}/capture.ndjson" --log "${WORK}/a.log" \
    --heartbeat 0.3 --retain-min 1003 --follow --max-lifetime 30 \
    --faults '5:end_after=7;6:close_after=4,midline;7:status=429,retry_after=2;8:status=429;9:status=503;10:garbage_after=2,end_after=5;11:stall_after=3;12:stall_before_headers'
  local pid_a="${PID}"
  PORT_A="${PORT}"

  fetch c1 '/companies?timepoint=1005' 1.2 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 28 ]] || fail "c1 inclusive stream: code ${CODE} rc ${RC}"
  expect_lines c1 "$(seq -s ' ' 1005 1020)"
  ((HEARTBEATS >= 2)) || fail "c1 heartbeats: ${HEARTBEATS} blank lines in 1.2 s at 0.3 s"

  fetch c2 '/companies?timepoint=1005' 2 -u wrongkey:
  [[ "${CODE}" == 401 ]] || fail "c2 wrong key: code ${CODE}"
  [[ "$(cat "${WORK}/c2.body")" == '{"error":"Invalid Authorization"}' ]] \
    || fail "c2 401 body: $(cat "${WORK}/c2.body")"

  fetch c3 '/companies' 2
  [[ "${CODE}" == 401 ]] || fail "c3 no auth: code ${CODE}"

  fetch c4 '/companies?timepoint=1002' 2 -u testkey:
  [[ "${CODE}" == 416 ]] || fail "c4 below --retain-min: code ${CODE}"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "${WORK}/c4.body" \
    || fail "c4 416 body is not JSON"

  fetch c5 '/companies?timepoint=1003' 2 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 0 ]] || fail "c5 end_after=7: code ${CODE} rc ${RC} (want clean end)"
  expect_lines c5 "$(seq -s ' ' 1003 1009)"

  fetch c6 '/companies?timepoint=1003' 2 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 18 ]] || fail "c6 close_after midline: code ${CODE} rc ${RC} (want 18)"
  expect_lines c6 "1003 1004 1005 1006 P1007"

  fetch c7 '/companies' 2 -u testkey:
  [[ "${CODE}" == 429 ]] || fail "c7 status=429: code ${CODE}"
  grep -qi '^Retry-After: 2' "${WORK}/c7.hdr" || fail "c7 429 lacks Retry-After: 2"

  fetch c8 '/companies' 2 -u testkey:
  [[ "${CODE}" == 429 ]] || fail "c8 status=429: code ${CODE}"
  grep -qi '^Retry-After' "${WORK}/c8.hdr" && fail "c8 429 has a Retry-After header"

  fetch c9 '/companies' 2 -u testkey:
  [[ "${CODE}" == 503 ]] || fail "c9 status=503: code ${CODE}"
  grep -qi '<html' "${WORK}/c9.body" || fail "c9 503 body is not HTML"

  fetch c10 '/companies?timepoint=1010' 2 -u testkey:
  [[ "${RC}" == 0 ]] || fail "c10 garbage_after+end_after: rc ${RC}"
  expect_lines c10 "1010 1011 G 1012 1013 1014"

  fetch c11 '/companies?timepoint=1003' 1 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 28 ]] || fail "c11 stall_after: code ${CODE} rc ${RC}"
  expect_lines c11 "1003 1004 1005"
  ((HEARTBEATS == 0)) || fail "c11 stall_after sent ${HEARTBEATS} heartbeats"

  fetch c12 '/companies' 0.7 -u testkey:
  [[ "${CODE}" == 000 && "${RC}" == 28 ]] || fail "c12 stall_before_headers: code ${CODE} rc ${RC}"

  # c13: live (no timepoint) in follow mode sees only what is appended
  # (made beforehand: a python3 start can take a second on a busy machine).
  make_capture "${WORK}/append13.ndjson" 1021 1022
  fetch c13 '/companies' 2 -u testkey: &
  local curl_13=$!
  wait_started "${WORK}/a.log" 13
  sleep 0.2
  cat "${WORK}/append13.ndjson" >>"${WORK}/capture.ndjson"
  wait "${curl_13}" || true
  expect_lines c13 "1021 1022"

  fetch c14 '/filings' 2 -u testkey:
  [[ "${CODE}" == 404 ]] || fail "c14 other stream: code ${CODE}"

  kill -TERM "${pid_a}"
  wait_exit "${pid_a}" 3
  [[ "${EXIT}" == 0 ]] || fail "server a exit code ${EXIT} after SIGTERM"

  local msg
  msg="$(python3 - "${WORK}/a.log" <<'EOF'

import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
start = {r["conn"]: r for r in recs if r["phase"] == "start"}
end = {r["conn"]: r for r in recs if r["phase"] == "end"}
def check(cond, what):
    if not cond:
        print(what)
        sys.exit(1)
check(sorted(end) == list(range(1, 15)), "end lines for conns %s" % sorted(end))
check(sorted(start) == list(range(1, 15)), "start lines for conns %s" % sorted(start))
check(end[1]["timepoint"] == 1005 and end[1]["status"] == 200
      and end[1]["events_sent"] == 16 and end[1]["end"] == "client-closed", "conn 1 %s" % end[1])
check(end[2]["auth_ok"] is False and end[2]["status"] == 401 and end[2]["end"] == "clean", "conn 2 %s" % end[2])
check(end[3]["timepoint"] is None and end[3]["auth_ok"] is False, "conn 3 %s" % end[3])
check(end[4]["status"] == 416, "conn 4 %s" % end[4])
check(end[5]["events_sent"] == 7 and end[5]["end"] == "clean", "conn 5 %s" % end[5])
check(end[6]["events_sent"] == 4 and end[6]["end"] == "abrupt", "conn 6 %s" % end[6])
check(end[12]["status"] is None and end[12]["end"] == "client-closed", "conn 12 %s" % end[12])
check(end[13]["events_sent"] == 2 and end[13]["last_timepoint"] == 1022, "conn 13 %s" % end[13])
check(all(end[c]["t"] >= end[c]["t_start"] for c in end), "t before t_start")
EOF
)" || fail "a.log: ${msg}"

  # Server B must have ended by itself (lifetime 2 s) with its client on.
  wait_exit "${pid_b}" 2
  [[ "${EXIT}" == 0 ]] || fail "server b exit code ${EXIT} at max lifetime"
  wait "${curl_b}" || rc_b=$?
  [[ "${rc_b}" == 18 ]] || fail "b client: curl rc ${rc_b}, want 18 (cut without terminating chunk)"
  msg="$(python3 - "${WORK}/b.raw" "${WORK}/capture_b.ndjson" "${WORK}/b.log" 2>&1 <<'EOF'

import json, sys
body = open(sys.argv[1], "rb").read()  # --raw: chunk framing kept
chunks, pos = [], 0
while pos < len(body):
    eol = body.index(b"\r\n", pos)
    size = int(body[pos:eol], 16)
    assert size > 0, "terminating chunk despite lifetime end"
    chunks.append(body[eol + 2:eol + 2 + size])
    assert body[eol + 2 + size:eol + 4 + size] == b"\r\n"
    pos = eol + 4 + size
data = b"".join(chunks)
events = [l for l in data.split(b"\n") if l]
assert b"".join(l + b"\n" for l in events) == open(sys.argv[2], "rb").read(), "payload differs"
split = sum(1 for c in chunks if c != b"\n" and not c.endswith(b"\n"))
assert split >= 10, "only %d chunks end inside a line" % split
assert data.endswith(b"\n\n"), "no heartbeat after the capture"
recs = [json.loads(l) for l in open(sys.argv[3])]
assert [r["end"] for r in recs if r["phase"] == "end"] == ["lifetime"], recs
EOF
)" || fail "b (chunk-split, lifetime): $(tail -1 <<<"${msg}")"

  multi_stream
  echo "PASS fake_server_selftest"
}

# multi_stream: server C serves three streams from one port, each with its
# own capture and settings; faults aimed at one stream count that stream's
# requests only; an unserved path is a 404.
multi_stream() {
  local bad
  bad="$(python3 - "${SERVER}" "${WORK}/capture.ndjson" 2>/dev/null <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("server", sys.argv[1])
server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server)
cap = "companies=" + sys.argv[2]
for argv in (["--capture", cap, "--capture", sys.argv[2]],      # the two forms mixed
             ["--capture", cap, "--per-stream", "nope:follow"],  # not a served stream
             ["--capture", cap, "--stream", "companies"],        # --stream is single-form
             ["--capture", cap, "--faults", "officers:status=429"]):  # no selector
    try:
        server.parse_args(argv)
    except SystemExit as e:
        if e.code == 2:
            continue
    print(" ".join(argv))
EOF
)" || fail "usage checks did not run"
  [[ -z "${bad}" ]] || fail "accepted: ${bad}"
  make_capture "${WORK}/filings.ndjson" 5001 5010
  : >"${WORK}/insolvency.ndjson"
  start_server c --capture "companies=${WORK}/capture_b.ndjson" \
    --capture "filings=${WORK}/filings.ndjson" \
    --capture "insolvency-cases=${WORK}/insolvency.ndjson" \
    --per-stream 'filings:retain_min=5003,end_after_capture;insolvency-cases:follow,heartbeat=0.2' \
    --faults 'filings:1:status=429,retry_after=3;companies:2:end_after=2;4:retry_after=1' \
    --heartbeat 0.3 --log "${WORK}/c.log" --sent-log "${WORK}/c.sent" --max-lifetime 30
  local pid_c="${PID}"
  PORT_A="${PORT}"

  fetch d1 '/filings?timepoint=5004' 2 -u testkey:
  [[ "${CODE}" == 429 ]] || fail "d1 filings:1 status=429: code ${CODE}"
  grep -qi '^Retry-After: 3' "${WORK}/d1.hdr" || fail "d1 429 lacks Retry-After: 3"
  fetch d2 '/companies?timepoint=1001' 1 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 28 ]] || fail "d2 companies: code ${CODE} rc ${RC}"
  expect_lines d2 "$(seq -s ' ' 1001 1020)"
  fetch d3 '/companies?timepoint=1005' 2 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 0 ]] || fail "d3 companies:2 end_after=2: code ${CODE} rc ${RC}"
  expect_lines d3 "1005 1006"
  fetch d4 '/filings?timepoint=5002' 2 -u testkey:
  [[ "${CODE}" == 416 ]] || fail "d4 filings below its retain_min: code ${CODE}"
  grep -qi '^Retry-After: 1' "${WORK}/d4.hdr" || fail "d4 lacks the global fault 4:retry_after=1"
  fetch d5 '/filings?timepoint=5004' 2 -u testkey:
  [[ "${CODE}" == 200 && "${RC}" == 0 ]] || fail "d5 filings end_after_capture: code ${CODE} rc ${RC}"
  expect_lines d5 "$(seq -s ' ' 5004 5010)"
  fetch d6 '/officers?timepoint=1' 2 -u testkey:
  [[ "${CODE}" == 404 ]] || fail "d6 unserved /officers: code ${CODE}"
  make_capture "${WORK}/append7.ndjson" 7001 7002
  fetch d7 '/insolvency-cases' 2 -u testkey: &
  local curl_7=$!
  wait_started "${WORK}/c.log" 7
  sleep 0.2
  cat "${WORK}/append7.ndjson" >>"${WORK}/insolvency.ndjson"
  wait "${curl_7}" || true
  expect_lines d7 "7001 7002"
  ((HEARTBEATS >= 2)) || fail "d7 heartbeat=0.2 of insolvency-cases: ${HEARTBEATS} blank lines"

  kill -TERM "${pid_c}"
  wait_exit "${pid_c}" 3
  [[ "${EXIT}" == 0 ]] || fail "server c exit code ${EXIT} after SIGTERM"
  local msg
  msg="$(python3 - "${WORK}/c.log" "${WORK}/c.sent" <<'EOF'

import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
end = {r["conn"]: r for r in recs if r["phase"] == "end"}
def check(cond, what):
    if not cond:
        print(what)
        sys.exit(1)
check(sorted(end) == list(range(1, 8)), "end lines for conns %s" % sorted(end))
want = {1: ("/filings", 1, 429), 2: ("/companies", 1, 200), 3: ("/companies", 2, 200),
        4: ("/filings", 2, 416), 5: ("/filings", 3, 200), 6: ("/officers", 1, 404),
        7: ("/insolvency-cases", 1, 200)}
for c, (path, sc, st) in want.items():
    e = end[c]
    check((e["path"], e["stream_conn"], e["status"]) == (path, sc, st), "conn %d %s" % (c, e))
check(end[5]["events_sent"] == 7 and end[5]["end"] == "clean", "conn 5 %s" % end[5])
sent = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
check(all(len(f) == 3 for f in sent), "sent-log lines without a stream: %s" % sent[:3])
got = {(f[0], f[2]) for f in sent}
check({("1001", "companies"), ("5010", "filings"), ("7002", "insolvency-cases")} <= got,
      "sent-log misses events: %s" % sorted(got)[:5])
EOF
)" || fail "c.log: ${msg}"
}

main "$@"
