#!/bin/bash
# Shared helpers for the end-to-end scripts. Source it right after
# `set -euo pipefail`:
#
#   . "$(dirname "$0")/lib.sh"
#
# It checks BIN and ROOT, makes a temporary directory $TMP that is removed at
# exit (kept with KEEP_TMP=1, for debugging) together with every process
# started through `start_bg`, and provides:
#   fail MSG                       print "FAIL <script>: MSG" on stderr, exit 1
#   assert_eq EXPECTED ACTUAL MSG  fail unless equal (both are shown)
#   assert_contains TEXT PART MSG  fail unless TEXT contains PART
#   expect_exit CODE CMD...        run CMD, fail unless it exits with CODE
#   sql DB QUERY                   sqlite3 in batch mode with a busy timeout
#   sql_csv DB QUERY               the same as CSV with a header (as oracle.py writes)
#   dump_db DB                     the database's content without wall-clock columns
#   wait_for SECONDS CMD...        poll CMD every 50 ms until it succeeds (1 if it never does)
#   start_bg CMD... [<INPUT]       run CMD in the background (keeping stdin); pid in $BG_PID.
#                                  CMD must be a program, not a shell function, so that
#                                  the pid is the program's own (kill -9 must hit it)
#   STORE                          the ch-store command as an array, for start_bg:
#                                  start_bg "${STORE[@]}" --db X < input
#   has_checkpoint DB              true once ch-store checkpoint prints something
#   store ARGS...                  "$BIN/ch-store" ARGS... with logs at error level
# For scripts that run the fake stream server and pipeline.sh:
#   make_capture FILE FIRST LAST   append one simple event per timepoint FIRST..LAST
#   gen_resumable_capture FILE EVENTS SEED  a realistic clean capture (gen_capture.py)
#                                  whose timepoints are all JSON integers (see below)
#   start_fake_server NAME ARGS... tests/fake_stream_server.py in the background
#                                  (log $TMP/NAME.log); sets PORT and SERVER_PID
#   server_q LOG EXPR              a Python expression over a server log, with
#                                  `starts` and `ends` in connection order
#   start_pipeline NAME [VAR=VALUE]...  pipeline.sh in the background against the
#                                  last server started (stderr $TMP/NAME.err),
#                                  following the companies stream alone unless
#                                  a VAR sets CH_STREAMS; sets PIPE_PID
#   children PID                   the pids of PID's children, one per line
#   child_pid PID COMM             the pid of PID's child named COMM (empty if none)
#   descendants PID                every descendant of PID (children first)
#   all_gone PID...                true when none of the PIDs is running (zombies count as gone)
#   now_ms                         milliseconds since the epoch
# At exit every process started through start_bg, start_fake_server or
# start_pipeline is killed together with its descendants.
set -euo pipefail

: "${BIN:?BIN must name the directory holding ch-fetch, ch-parse and ch-store}"
: "${ROOT:?ROOT must name the repository}"

SCRIPT_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/${SCRIPT_NAME}.XXXXXX")
BG_PIDS=()
BG_PID=""

lib_cleanup() {
  local pid child
  for pid in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do
    # Descendants first: once their parent is gone they cannot be found.
    for child in $(descendants "$pid"); do
      kill -KILL "$child" 2>/dev/null || true
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap lib_cleanup EXIT

fail() {
  echo "FAIL ${SCRIPT_NAME}: $*" >&2
  exit 1
}

assert_eq() {
  local expected="$1" actual="$2" message="${3:-values differ}"
  if [ "$expected" != "$actual" ]; then
    fail "$message: expected [$expected], got [$actual]"
  fi
}

assert_contains() {
  local text="$1" part="$2" message="${3:-text lacks a part}"
  case "$text" in
    *"$part"*) ;;
    *) fail "$message: [$part] not in [$text]" ;;
  esac
}

expect_exit() {
  local want="$1" rc=0
  shift
  "$@" || rc=$?
  if [ "$rc" != "$want" ]; then
    fail "exit $rc instead of $want from: $*"
  fi
}

sql() {
  sqlite3 -batch -init /dev/null -cmd ".timeout 5000" "$1" "$2"
}

sql_csv() {
  sqlite3 -batch -init /dev/null -cmd ".timeout 5000" -csv -header "$1" "$2"
}

# Everything a run of the pipeline decides, nothing the wall clock does.
dump_db() {
  local db="$1"
  sql "$db" "
    SELECT 'company', company_number, company_name, company_status, company_status_detail,
           company_status_raw, type, jurisdiction, date_of_creation, date_of_cessation, address_line_1,
           address_line_2, locality, region, postal_code, country, sic_codes, data, as_of, source,
           timepoint, deleted FROM companies ORDER BY company_number;
    SELECT 'change', id, company_number, timepoint, published_at, old_status, old_status_detail,
           new_status, new_status_detail, source FROM status_changes ORDER BY id;
    SELECT 'state', stream, timepoint, last_event_published_at, last_snapshot_as_of
           FROM stream_state ORDER BY stream;
    SELECT 'gap', id, stream, after_timepoint, resumed_timepoint, reason, healed_by FROM gaps ORDER BY id;
    SELECT 'reject', stream, timepoint, reason, hex(raw), raw_length, raw_hash FROM rejects ORDER BY raw_hash;"
}

wait_for() {
  local seconds="$1"
  shift
  # A deadline on the wall clock, not a count of tries: on a loaded machine
  # each try can take much longer than its 50 ms pause.
  local deadline
  deadline=$(awk -v now="$(date +%s%N)" -v s="$seconds" 'BEGIN { printf "%.0f", now + s * 1e9 }')
  while :; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

start_bg() {
  # An explicit <&0: bash gives background commands /dev/null as stdin otherwise.
  "$@" <&0 &
  BG_PID=$!
  BG_PIDS+=("$BG_PID")
}

STORE=(env "CH_LOG_LEVEL=${CH_LOG_LEVEL:-error}" "$BIN/ch-store")

has_checkpoint() {
  [ -n "$(store --db "$1" checkpoint 2>/dev/null)" ]
}

store() {
  CH_LOG_LEVEL="${CH_LOG_LEVEL:-error}" "$BIN/ch-store" "$@"
}

# json_or_null VALUE: VALUE as a JSON string (quotes and backslashes
# escaped), or null for "-".
json_or_null() {
  local json
  json_or_null_into json "$1"
  printf '%s' "$json"
}

# json_or_null_into VAR VALUE: the same into VAR, with no fork: company_line
# makes five a line, and a fork each made 300 lines take a minute under load.
json_or_null_into() {
  if [ "$2" = "-" ]; then
    printf -v "$1" 'null'
  else
    local text="${2//\\/\\\\}"
    printf -v "$1" '"%s"' "${text//\"/\\\"}"
  fi
}

# company_line SOURCE TIMEPOINT WHEN NUMBER STATUS [DETAIL] [EVENT_TYPE] [NAME]
# prints one normalized company record as ch-parse writes it; "-" is null.
# SOURCE stream: WHEN is published_at (and as_of), "YYYY-MM-DDTHH:MM:SSZ".
# SOURCE bulk: TIMEPOINT is "-" and WHEN the snapshot date "YYYY-MM-DD".
company_line() {
  local source="$1" timepoint="$2" when="$3" number="$4" status="$5"
  local detail="${6:--}" event_type="${7:-changed}" name="${8:-ACME $4 LTD}"
  local published="$when" as_of="$when"
  if [ "$source" = "bulk" ]; then
    published="-"
    as_of="${when}T00:00:00Z"
    timepoint="null"
  fi
  local j_published j_name j_status j_detail
  json_or_null_into j_published "$published"
  json_or_null_into j_name "$name"
  json_or_null_into j_status "$status"
  json_or_null_into j_detail "$detail"
  printf '{"kind":"company","stream":"companies","source":"%s","timepoint":%s,"published_at":%s,' \
    "$source" "$timepoint" "$j_published"
  printf '"as_of":"%s","event_type":"%s","company_number":"%s","company_name":%s,' \
    "$as_of" "$event_type" "$number" "$j_name"
  printf '"company_status":%s,"company_status_detail":%s,"company_status_raw":%s,' \
    "$j_status" "$j_detail" "$j_status"
  printf '"type":"ltd","type_raw":null,"jurisdiction":"england-wales","date_of_creation":"2001-02-03",'
  printf '"date_of_cessation":null,"registered_office_address":{"address_line_1":"1 HIGH STREET",'
  printf '"locality":"LONDON","postal_code":"EC1A 1BB"},"sic_codes":["62020"],'
  printf '"data":{"company_number":"%s","company_status":%s}}\n' "$number" "$j_status"
}

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
                     "company_status": "active", "type": "ltd"},
            "event": {"timepoint": tp, "published_at": "2023-11-04T14:33:29",
                      "type": "changed"}}, separators=(",", ":")) + "\n")
EOF
}

# The fake server resumes ?timepoint=N at the first line whose
# event.timepoint is a JSON integer >= N: a line with a numeric-string
# timepoint (a variant gen_capture.py writes, which ch-parse accepts) is
# "garbage" to it, and a resume landing on it would skip it (the real
# server knows its own events). Tests that restart the chain at random
# points use captures without them.
gen_resumable_capture() {
  python3 "$ROOT/tests/gen_capture.py" --clean --events "$2" --seed "$3" 2>/dev/null |
    sed -E 's/"timepoint":"([0-9]+)"/"timepoint":\1/g' >"$1"
  python3 - "$1" <<'EOF' || fail "gen_resumable_capture: a timepoint that is not an integer is left in $1"
import json, sys
sys.exit(any(not isinstance(json.loads(l)["event"]["timepoint"], int) for l in open(sys.argv[1])))
EOF
}

start_fake_server() {
  local name="$1"
  shift
  # --max-lifetime first, so that ARGS may override it: a server outlives no test.
  start_bg python3 "$ROOT/tests/fake_stream_server.py" --max-lifetime 110 --port-file "$TMP/$name.port" \
    --log "$TMP/$name.log" "$@" </dev/null 2>"$TMP/$name.server.err"
  SERVER_PID="$BG_PID"
  wait_for 10 test -s "$TMP/$name.port" || fail "fake server $name did not start: $(cat "$TMP/$name.server.err")"
  PORT=$(cat "$TMP/$name.port")
  touch "$TMP/$name.log"
}

server_q() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
starts = sorted((r for r in records if r["phase"] == "start"), key=lambda r: r["conn"])
ends = sorted((r for r in records if r["phase"] == "end"), key=lambda r: r["conn"])
print(eval(sys.argv[2]))
EOF
}

start_pipeline() {
  local name="$1"
  shift
  # --default-signal: a shell starts background commands with SIGINT ignored,
  # and bash cannot trap a signal ignored at its start; cron and systemd do not.
  start_bg env --default-signal=INT CH_BIN="$BIN" CH_STREAM_URL="http://127.0.0.1:${PORT:-1}" \
    CH_STREAM_KEY=testkey CH_STREAMS=companies "$@" bash "$ROOT/pipeline.sh" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
  PIPE_PID="$BG_PID"
}

children() {
  ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true
}

child_pid() {
  ps -o pid=,comm= --ppid "$1" 2>/dev/null | awk -v comm="$2" '$2 == comm { print $1; exit }' || true
}

descendants() {
  local child
  for child in $(children "$1"); do
    echo "$child"
    descendants "$child"
  done
}

all_gone() {
  # A zombie has exited: only its reaping is left (to init, for an orphan,
  # which may take a while).
  [ $# -eq 0 ] || ! ps -o stat= -p "$(echo "$@" | tr ' ' ,)" 2>/dev/null | grep -qv '^ *Z'
}

now_ms() {
  local t="${EPOCHREALTIME/[.,]/}"
  echo $((10#$t / 1000))
}

# ---- every stream against tests/oracle.py --stream (64-69)
#   STREAMS_ALL                    the nine stream names, in the order DESIGN.md lists them
#   parse_into DB STREAM FILE...   bin/ch-parse --stream STREAM < FILE | bin/ch-store --db DB,
#                                  for each FILE in turn (fails on a non-zero exit)
#   oracle_streams DIR STREAM FILE [STREAM FILE ...]  the oracle's files in DIR
#                                  (tests/oracle.py --stream, the pairs in the order given)
#   db_as_oracle_files DB DIR      the database as the files of `oracle.py --print-sql`
#                                  (one sqlite3 process), plus signals_by_id.csv
#   compare_with_oracle DB DIR [WHAT]  fail unless every file of --print-sql made from DB
#                                  equals the oracle's in DIR (cmp; the first lines of a
#                                  diff in the message); WHAT names the database in it
#   same_databases DB1 DB2 WHAT    fail unless the two give the same --print-sql files
#   oracle_queries                 oracle.py --print-sql (file TAB query a line), run once
STREAMS_ALL=(companies filings officers persons-with-significant-control
  persons-with-significant-control-statements charges insolvency-cases
  disqualified-officers company-exemptions)

oracle_queries() {
  [ -s "$TMP/oracle_queries.tsv" ] ||
    python3 "$ROOT/tests/oracle.py" --print-sql >"$TMP/oracle_queries.tsv" ||
    fail "oracle.py --print-sql failed"
  cat "$TMP/oracle_queries.tsv"
}

parse_into() {
  local db="$1" stream="$2" file rc
  shift 2
  for file in "$@"; do
    rc=0
    "$BIN/ch-parse" --stream "$stream" <"$file" 2>>"$TMP/ch-parse.err" |
      store --db "$db" 2>>"$TMP/ch-store.err" || rc=$?
    [ "$rc" = 0 ] || fail "ch-parse --stream $stream < $file | ch-store --db $db: exit $rc ($(tail -n 3 "$TMP/ch-store.err"))"
  done
}

oracle_streams() {
  local dir="$1"
  shift
  local args=()
  while [ $# -gt 0 ]; do
    args+=(--stream "$1" "$2")
    shift 2
  done
  python3 "$ROOT/tests/oracle.py" --out-dir "$dir" "${args[@]}" 2>"$dir.err" ||
    fail "oracle.py failed: $(tail -n 3 "$dir.err")"
}

db_as_oracle_files() {
  local db="$1" dir="$2" file query
  oracle_queries >/dev/null
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    oracle_queries | while IFS=$'\t' read -r file query; do
      printf '.output %s\n%s;\n' "$dir/$file" "$query"
    done
    printf '.output %s\n%s;\n' "$dir/signals_by_id.csv" \
      "SELECT company_number, signal, stream, timepoint, published_at, occurred_on, resource_uri, detail, signal_key FROM signals ORDER BY id"
  } | sqlite3 -batch -init /dev/null -bail -cmd ".timeout 5000" -csv -header "$db" ||
    fail "sqlite3 could not read $db with the queries of oracle.py --print-sql"
}

compare_with_oracle() {
  local db="$1" want="$2" what="${3:-$1}" file query compared=0
  db_as_oracle_files "$db" "$db.files"
  while IFS=$'\t' read -r file query; do
    cmp -s "$want/$file" "$db.files/$file" ||
      fail "$file of $what differs from the oracle (< oracle, > database): $(diff "$want/$file" "$db.files/$file" | head -n 6)"
    compared=$((compared + 1))
  done < <(oracle_queries)
  [ "$compared" -ge 16 ] || fail "only $compared files compared"
}

same_databases() {
  local a="$1" b="$2" what="$3" file query
  db_as_oracle_files "$a" "$a.files"
  db_as_oracle_files "$b" "$b.files"
  while IFS=$'\t' read -r file query; do
    cmp -s "$a.files/$file" "$b.files/$file" ||
      fail "$what: $file differs: $(diff "$a.files/$file" "$b.files/$file" | head -n 6)"
  done < <(oracle_queries)
}
#   feed_slowly FILE [LINES] [PAUSE]  FILE's lines to stdout in bursts of LINES (20) with
#                                  PAUSE seconds (0.004) between, so that a reader commits
#                                  many small transactions (a closed pipe ends it quietly)
#   interleave_chunks OUT LINES FILE...  OUT gets LINES lines of each FILE in turn, round
#                                  robin, until all are used (a multi-stream backlog)

feed_slowly() {
  python3 - "$1" "${2:-20}" "${3:-0.004}" <<'PY'
import sys, time
lines = open(sys.argv[1], "rb").readlines()
step, pause = int(sys.argv[2]), float(sys.argv[3])
out = sys.stdout.buffer
try:
    for i in range(0, len(lines), step):
        out.write(b"".join(lines[i:i + step]))
        out.flush()
        time.sleep(pause)
except BrokenPipeError:
    pass
PY
}

interleave_chunks() {
  python3 - "$@" <<'PY'
import sys
out, step, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
files = [open(n, "rb").readlines() for n in names]
with open(out, "wb") as f:
    for start in range(0, max(len(l) for l in files), step):
        for lines in files:
            f.write(b"".join(lines[start:start + step]))
PY
}
#   progress DB                    the sum of the database's checkpoints (0 before any);
#                                  progressed DB N: true once it is above N
progress() {
  sql "$1" "SELECT coalesce(sum(timepoint), 0) FROM stream_state" 2>/dev/null || echo 0
}
progressed() {
  [ "$(progress "$1")" -gt "$2" ]
}

# Bulk imports stopped half-way (82, 89):
#   kill_import_at DB TABLE N      ch-store (batches of 100) applies the first N records
#                                  of stdin through a pipe kept open, and is killed
#                                  (kill -9) once TABLE holds N rows
#   assert_import_running_then_stopped DB PROBLEM MISSING
#                                  status calls the import running right after its last
#                                  commit (`"missing":"MISSING` in its member), and a
#                                  problem `PROBLEM MISSING...; nothing committed for`
#                                  once that commit is older than --watchdog
kill_import_at() {
  local db="$1" table="$2" n="$3" pid fifo="$TMP/kill_import_at.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  CH_TEST_LIMITS=bulk_batch_records=100 "$BIN/ch-store" --db "$db" <"$fifo" 2>/dev/null &
  pid=$!
  exec 3>"$fifo"
  head -n "$n" >&3
  wait_for 10 eval '[ "$(sql "$db" "SELECT count(*) FROM $table" 2>/dev/null || echo 0)" = "$n" ]' ||
    fail "ch-store did not commit the $n lines"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  exec 3>&-
}
assert_import_running_then_stopped() {
  local db="$1" problem="$2" missing="$3" status
  status=$(store --db "$db" status --watchdog 60) || fail "an import that committed just now is not running: $status"
  assert_contains "$status" "\"missing\":\"$missing" "status right after the import's last commit"
  sleep 2
  status=$(store --db "$db" status --watchdog 1 || true)
  assert_contains "$status" '"healthy":false' "status once the import committed nothing for longer than --watchdog"
  assert_contains "$status" "$problem $missing" "status problem once the import stopped"
  assert_contains "$status" "; nothing committed for " "status problem says since when"
}
