#!/bin/bash
# Shared helpers for the end-to-end scripts. Source it right after
# `set -euo pipefail`:
#
#   . "$(dirname "$0")/lib.sh"
#
# It checks BIN and ROOT, makes a temporary directory $TMP that is removed at
# exit together with every process started through `start_bg`, and provides:
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
set -euo pipefail

: "${BIN:?BIN must name the directory holding ch-fetch, ch-parse and ch-store}"
: "${ROOT:?ROOT must name the repository}"

SCRIPT_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/${SCRIPT_NAME}.XXXXXX")
BG_PIDS=()
BG_PID=""

lib_cleanup() {
  local pid
  for pid in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
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
  local tries=$((seconds * 20))
  while [ "$tries" -gt 0 ]; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.05
    tries=$((tries - 1))
  done
  return 1
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
  if [ "$1" = "-" ]; then
    printf 'null'
  else
    printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
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
  printf '{"kind":"company","stream":"companies","source":"%s","timepoint":%s,"published_at":%s,' \
    "$source" "$timepoint" "$(json_or_null "$published")"
  printf '"as_of":"%s","event_type":"%s","company_number":"%s","company_name":%s,' \
    "$as_of" "$event_type" "$number" "$(json_or_null "$name")"
  printf '"company_status":%s,"company_status_detail":%s,"company_status_raw":%s,' \
    "$(json_or_null "$status")" "$(json_or_null "$detail")" "$(json_or_null "$status")"
  printf '"type":"ltd","type_raw":null,"jurisdiction":"england-wales","date_of_creation":"2001-02-03",'
  printf '"date_of_cessation":null,"registered_office_address":{"address_line_1":"1 HIGH STREET",'
  printf '"locality":"LONDON","postal_code":"EC1A 1BB"},"sic_codes":["62020"],'
  printf '"data":{"company_number":"%s","company_status":%s}}\n' "$number" "$(json_or_null "$status")"
}
