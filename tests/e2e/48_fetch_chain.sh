#!/usr/bin/env bash
# 48_fetch_chain: the real chain ch-fetch | ch-parse | ch-store against the
# fake server replaying the realistic capture, through every fault: the
# database ends with every event exactly once (compared with
# tests/oracle.py); a 416 becomes a row in gaps and the stream continues.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

for program in ch-parse ch-store; do
  [[ -x "${BIN}/${program}" ]] || fail "${BIN}/${program} is missing: this test needs the whole chain"
done
command -v sqlite3 >/dev/null || fail "sqlite3 is missing"

# The bundled realistic capture: duplicates, out-of-order events, bad lines.
CAPTURE="${ROOT}/samples/capture.ndjson"
if [[ ! -s "${CAPTURE}" ]]; then
  CAPTURE="${WORK}/capture.ndjson"
  python3 "${ROOT}/tests/gen_capture.py" --events 3000 --out "${CAPTURE}" 2>/dev/null
fi
FIRST="$(head -n 1 "${CAPTURE}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')"
readonly CAPTURE FIRST
mkdir "${WORK}/oracle"
python3 "${ROOT}/tests/oracle.py" --out-dir "${WORK}/oracle" "${CAPTURE}" 2>/dev/null
final="$(cat "${WORK}/oracle/checkpoint.txt")"
readonly final

# run_chain NAME DB ARGS...: ch-fetch ARGS | tee NAME.fetched | ch-parse |
# ch-store in the background against the last server started; sets CHAIN_PID
# (the subshell) and FETCH_PID.
run_chain() {
  local name="$1" db="$2"
  shift 2
  (
    CH_STREAM_KEY=testkey CH_STREAM_URL="http://127.0.0.1:${PORT}" "${FETCH}" "$@" 2>"${WORK}/${name}.fetch.err" &
    echo $! >"${WORK}/${name}.fetch.pid"
    wait $!
  ) | tee "${WORK}/${name}.fetched" | "${BIN}/ch-parse" 2>"${WORK}/${name}.parse.err" |
    "${BIN}/ch-store" --db "${db}" 2>"${WORK}/${name}.store.err" &
  CHAIN_PID=$!
  PIDS+=("${CHAIN_PID}")
  wait_until 5 test -s "${WORK}/${name}.fetch.pid" || fail "${name}: ch-fetch did not start"
  FETCH_PID="$(cat "${WORK}/${name}.fetch.pid")"
  PIDS+=("${FETCH_PID}")
}

# checkpoint_is DB N: the stored checkpoint is N.
checkpoint_is() { [[ "$("${BIN}/ch-store" checkpoint --db "$1" 2>/dev/null)" == "$2" ]]; }

# stop_chain NAME: SIGTERM to ch-fetch; every stage must then exit 0.
stop_chain() {
  kill -TERM "${FETCH_PID}"
  wait_until 10 eval '! kill -0 "${CHAIN_PID}" 2>/dev/null' || fail "$1: the chain did not stop"
  local rc=0
  wait "${CHAIN_PID}" || rc=$?
  expect "$1: ch-store exit code" "${rc}" 0
}

# same_as_oracle NAME DB: the database holds what tests/oracle.py computes
# for the capture (companies, status changes, checkpoint) and for the lines
# ch-fetch actually delivered (rejects: a resume may skip a garbage line
# that sat between the cut and the next event, which is correct).
same_as_oracle() {
  local name="$1" db="$2"
  local sq=(sqlite3 -batch -init /dev/null -csv -header "${db}")
  mkdir -p "${WORK}/${name}.oracle-delivered"
  python3 "${ROOT}/tests/oracle.py" --out-dir "${WORK}/${name}.oracle-delivered" "${WORK}/${name}.fetched" 2>/dev/null
  "${sq[@]}" "SELECT company_number, company_name, company_status, company_status_detail, as_of, source, deleted
              FROM companies ORDER BY company_number" >"${WORK}/${name}.companies.csv"
  "${sq[@]}" "SELECT company_number, timepoint, published_at, old_status, old_status_detail, new_status,
              new_status_detail, source FROM status_changes ORDER BY id" >"${WORK}/${name}.status_changes.csv"
  cmp -s "${WORK}/${name}.companies.csv" "${WORK}/oracle/companies.csv" ||
    fail "${name}: companies differ from the oracle"
  cmp -s "${WORK}/${name}.status_changes.csv" "${WORK}/oracle/status_changes.csv" ||
    fail "${name}: status_changes differ from the oracle (lost or duplicated events)"
  cmp -s "${WORK}/oracle/companies.csv" "${WORK}/${name}.oracle-delivered/companies.csv" ||
    fail "${name}: what ch-fetch delivered does not cover the capture"
  expect "${name}: checkpoint" "$("${BIN}/ch-store" checkpoint --db "${db}")" \
    "$(cat "${WORK}/oracle/checkpoint.txt")"
  expect "${name}: rejects" "$(sqlite3 -batch -init /dev/null "${db}" 'SELECT count(*) FROM rejects')" \
    "$(cat "${WORK}/${name}.oracle-delivered/rejects.txt")"
}

# Every fault, the chain end to end: the database ends as if the capture had
# been applied once, with nothing lost or doubled.
start_server faults --capture "${CAPTURE}" --heartbeat 0.3 --chunk-split --seed 5 \
  --faults '1:close_after=700,midline;2:status=503;3:stall_after=500;4:status=429,retry_after=1;5:close_after=800,reset;6:end_after=300;7:stall_before_headers'
run_chain faults "${WORK}/faults.db" --timepoint "${FIRST}" --idle-timeout 1 --first-byte-timeout 1 \
  --backoff-initial 0.2 --backoff-max 0.5
wait_until 40 checkpoint_is "${WORK}/faults.db" "${final}" || fail "faults: the checkpoint never reached ${final}"
stop_chain faults
expect "faults: connections" "$(q "${WORK}/faults.log" 'len(starts)')" 8
same_as_oracle faults "${WORK}/faults.db"
expect "faults: gaps" "$(sqlite3 -batch -init /dev/null "${WORK}/faults.db" 'SELECT count(*) FROM gaps')" 0

# A 416: a row in gaps (after the timepoint before the one asked), and the
# stream carries on live.
start_server gone --capture "${CAPTURE}" --heartbeat 0.3 --retain-min $((FIRST + 100)) --live-from-start
run_chain gone "${WORK}/gone.db" --timepoint $((FIRST + 10)) --backoff-initial 0.2 --backoff-max 0.5
wait_until 30 checkpoint_is "${WORK}/gone.db" "${final}" || fail "416: the checkpoint never reached ${final}"
stop_chain gone
expect "416: requests" "$(q "${WORK}/gone.log" '[s["timepoint"] for s in starts]')" "[$((FIRST + 10)), None]"
expect "416: the gap row" "$(sqlite3 -batch -init /dev/null "${WORK}/gone.db" \
  "SELECT stream, after_timepoint, resumed_timepoint, reason FROM gaps")" \
  "companies|$((FIRST + 9))|${FIRST}|timepoint-out-of-range"
same_as_oracle gone "${WORK}/gone.db"

# A line over the cap (CH_MAX_LINE_BYTES for the whole chain, as
# pipeline.sh passes it): ch-fetch passes it on as it comes, and ch-store
# keeps it as a reject with its length. ch-fetch dropped it, and the
# database had no trace of it (DESIGN.md: bad input is never lost).
python3 - "${WORK}/big.ndjson" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for tp in (1, 2, 3):
        num = "%08d" % tp
        e = {"resource_kind": "company-profile", "resource_uri": "/company/" + num,
             "resource_id": num,
             "data": {"company_number": num, "company_name": "X", "company_status": "active"},
             "event": {"timepoint": tp, "published_at": "2023-11-04T14:33:29", "type": "changed"}}
        if tp == 2:
            e["data"]["pad"] = "x" * 3000
        f.write(json.dumps(e, separators=(",", ":")) + "\n")
PY
start_server big --capture "${WORK}/big.ndjson" --heartbeat 0.3 --chunk-split --seed 3
CH_MAX_LINE_BYTES=2000 run_chain big "${WORK}/big.db" --timepoint 1 --backoff-initial 0.2
wait_until 20 checkpoint_is "${WORK}/big.db" 3 || fail "big line: the checkpoint never reached 3"
stop_chain big
expect "big line: companies" "$(sqlite3 -batch -init /dev/null "${WORK}/big.db" \
  'SELECT group_concat(company_number) FROM companies')" "00000001,00000003"
big_len=$(sed -n 2p "${WORK}/big.ndjson" | tr -d '\n' | wc -c)
expect "big line: its reject" "$(sqlite3 -batch -init /dev/null "${WORK}/big.db" \
  'SELECT reason, raw_length, length(raw) FROM rejects')" "line too long (${big_len} bytes)|${big_len}|${big_len}"

echo "PASS ${NAME}"
