#!/usr/bin/env bash
# pipeline.sh: runs ch-fetch | ch-parse | ch-store in the foreground and keeps
# it running. Configured by the environment alone (see --help), so that cron
# or systemd can start it as is:
#
#   */5 * * * * CH_STREAM_KEY_FILE=/etc/chstream/key CH_DB=/var/lib/chstream/companies.db /opt/chstream/pipeline.sh
#
# - One instance per database: an exclusive flock on $CH_DB.lock; a second
#   instance logs one line and exits 0 at once.
# - Starts at the stored checkpoint + 1; with no checkpoint at CH_TIMEPOINT,
#   else live (ch-fetch then records a started-live gap).
# - When any stage exits, the whole chain is stopped and restarted from the
#   stored checkpoint, with backoff; it does not restart after 64, 65 or 78
#   (usage, unusable input, configuration) and exits with that code.
# - SIGTERM, SIGINT and SIGHUP stop the chain cleanly and exit 0. (A shell
#   starts background commands with SIGINT ignored, which bash cannot undo:
#   started as `pipeline.sh &` from a script, only SIGTERM and SIGHUP work.)
# - CH_CAPTURE_DIR: the raw lines are also appended to daily files. A restart
#   may append again lines that were captured but not committed (a replay
#   skips them).
# - CH_NOTIFY_CMD: a notifier gets every stream status change at least once:
#   a relay appends the id of each change it has passed on to $CH_DB.notified,
#   and each chain starts by sending the changes committed after that id
#   (those a stage killed between its commit and its write never passed on).
#   A notifier that dies loses what it had read but not handled.
#
# The stages are connected through FIFOs in a private temporary directory
# rather than a shell pipeline, so that each stage's pid and exit status are
# known (which one failed is logged) and the supervisor can wait for them in
# the background: bash runs traps only between foreground commands, so every
# child is waited for with `wait`, which a trapped signal interrupts.
#
# The stages inherit the lock's file descriptor: a new instance cannot start
# while a stage of a killed supervisor is still finishing its last commit.
# Helpers that may outlive a chain (sleeps, the notifier) do not inherit it.
set -euo pipefail

readonly PROGRAM="pipeline.sh"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
# wait_chain looks at the stages at least this often (seconds), even when no
# child has reported an exit (see wait_chain).
readonly TICK_SECONDS=1

stopping=0
# Every process of the current chain (the three stages, and the capture
# filter, the notifier and its relay when configured), by index.
stage_pids=()
stage_names=()
chain_codes=()
exit_order=()
# A short-lived child to kill on a stop signal (a sleep, a checkpoint read).
helper_pid=""
tick_pid=""
work_dir=""
# Log lines go to a copy of stderr, so that bash's own job reports can be
# silenced while the chain is waited for (see main).
log_fd=2
log_rank=1
# Set by to_ms, format_ms, now_ms and read_checkpoint.
REPLY=""
CHECKPOINT=""

usage() {
  cat <<'EOF'
Usage: pipeline.sh [--help]

Runs ch-fetch | ch-parse | ch-store for one database in the foreground,
restarting the whole chain from the stored checkpoint whenever a stage exits,
until SIGTERM, SIGINT or SIGHUP. Configured by the environment alone.

The supervisor:
  CH_DB                SQLite database (default companies.db); the lock is
                       $CH_DB.lock, the notifier's cursor $CH_DB.notified
  CH_STREAM            stream name (default companies)
  CH_TIMEPOINT         first timepoint when the database has no checkpoint
                       (unset: live, which records a started-live gap)
  CH_BIN               directory of ch-fetch, ch-parse, ch-store
                       (default: bin/ beside this script, else $PATH)
  CH_RESTART_MIN       seconds before the first restart (1; fractions allowed)
  CH_RESTART_MAX       cap on the doubling restart delay (60)
  CH_RESTART_RESET     a chain that ran this long resets the delay (60)
  CH_STOP_GRACE        seconds stages get to stop before SIGKILL (10)
  CH_CAPTURE_DIR       also append the raw stream to daily files
                       <stream>-YYYY-MM-DD.ndjson (UTC date) here (unset: none)
  CH_NOTIFY_CMD        shell command fed each committed status change as an
                       NDJSON line on its stdin (ch-store --emit-changes);
                       restarted with the chain; at least once (see README)
  CH_LOG_LEVEL         debug, info, warn, error (info; the stages' too)
  CH_METRICS_DIR       directory for <stage>.prom metrics files (unset: none)

Passed on to the stages through the environment:
  CH_STREAM_KEY        stream API key (never on a command line)
  CH_STREAM_KEY_FILE   file holding the key, re-read at each connection
  CH_KEY_FILE_WAIT     ch-fetch: 1 = wait for a key file that yields no key
                       instead of exiting 78; set by the supervisor for every
                       chain after its first (only a first start stops on it)
  CH_STREAM_URL        base URL (default https://stream.companieshouse.gov.uk)
  CH_IDLE_TIMEOUT      ch-fetch: seconds without a byte before reconnecting (90)
  CH_FIRST_BYTE_TIMEOUT  ch-fetch: seconds allowed for the first byte (60)
  CH_CONNECT_TIMEOUT   ch-fetch: TCP + TLS handshake limit (20)
  CH_BACKOFF_INITIAL   ch-fetch: first reconnect delay, seconds (1)
  CH_BACKOFF_MAX       ch-fetch: cap on the reconnect delay (300)
  CH_RETRY_429         ch-fetch: wait after a 429 without Retry-After (60)
  CH_BREAKER_THRESHOLD ch-fetch: failed connections that open the breaker (5)
  CH_ON_GAP            ch-fetch: continue (default) or exit (65) on a 416
  CH_CACERT            ch-fetch: CA bundle for a private CA
  CH_MAX_LINE_BYTES    ch-fetch, ch-parse: longest line accepted (8388608)
  CH_PARSE_NICE        ch-parse: added to its niceness, so it yields the CPU
                       to ch-store (10; 0 keeps normal priority)
  CH_BUSY_TIMEOUT      ch-store: milliseconds to wait for a database lock (5000)
The supervisor runs ch-parse with --format stream (CH_FORMAT, CH_AS_OF and
CH_PROGRESS are for bulk imports) and sets CH_EXIT_WITH_PARENT=1, so that
the stages stop when the supervisor dies, even by SIGKILL.
For `ch-store status`: CH_MAX_SILENCE, CH_MAX_COMMIT_AGE (see README).

Exit status: 0 when stopped by a signal or when another instance holds the
lock; 64, 65 or 78 when a stage exited with that code (not restarted); 64 for
an unknown argument; 78 for an invalid variable, a missing program or an
unusable lock file or capture directory.
EOF
}

# log LEVEL MESSAGE [KEY=STRING | KEY:=JSON]...: one JSON log line on stderr,
# like the stages' own; KEY:=JSON adds a raw value (a number, true, null).
log() {
  local level="$1" message="$2" rank
  shift 2
  case "${level}" in
    debug) rank=0 ;;
    info) rank=1 ;;
    warn) rank=2 ;;
    *) rank=3 ;;
  esac
  ((rank >= log_rank)) || return 0
  local fields="" kv key
  for kv in "$@"; do
    key="${kv%%=*}"
    if [[ "${key}" == *: ]]; then
      fields+=",\"${key%:}\":${kv#*=}"
    else
      fields+=",\"${key}\":\"$(json_escape "${kv#*=}")\""
    fi
  done
  printf '{"time":"%s","level":"%s","program":"%s","message":"%s"%s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "${level}" "${PROGRAM}" "$(json_escape "${message}")" \
    "${fields}" >&"${log_fd}"
}

json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  printf '%s' "${s}"
}

# to_ms NAME VALUE: VALUE, seconds with up to three decimals, in
# milliseconds (in REPLY); anything else is a configuration error naming NAME.
to_ms() {
  local name="$1" value="$2"
  if [[ ! "${value}" =~ ^([0-9]{1,9})(\.([0-9]*))?$ ]]; then
    log error "invalid value: seconds expected (e.g. 1 or 0.5)" "variable=${name}" "value=${value}"
    exit 78
  fi
  local fraction="${BASH_REMATCH[3]}000"
  REPLY=$((10#${BASH_REMATCH[1]} * 1000 + 10#${fraction:0:3}))
}

# format_ms MS: MS as seconds with three decimals ("1.500"), in REPLY.
format_ms() {
  printf -v REPLY '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# now_ms: the wall clock in milliseconds, in REPLY (no subshell).
now_ms() {
  local t="${EPOCHREALTIME/[.,]/}"
  REPLY=$((10#${t} / 1000))
}

find_bin() {
  if [[ -n "${CH_BIN:-}" ]]; then
    printf '%s' "${CH_BIN}"
  elif [[ -x "${SCRIPT_DIR}/bin/ch-store" ]]; then
    printf '%s' "${SCRIPT_DIR}/bin"
  else
    dirname "$(command -v ch-store || echo /usr/local/bin/ch-store)"
  fi
}

# interruptible_sleep MS: sleeps in the background so that a stop signal
# ends the sleep at once (the trap kills it).
interruptible_sleep() {
  format_ms "$1"
  "${SLEEP[@]}" "${REPLY}" 9>&- &
  helper_pid=$!
  # A stop signal ends the wait; on_signal has killed the sleep by then.
  wait "${helper_pid}" 2>/dev/null || true
  helper_pid=""
}

# shellcheck disable=SC2317  # invoked by the traps
on_signal() {
  if ((!stopping)); then
    log info "stopping" "signal=$1"
  fi
  stopping=1
  if [[ -n "${helper_pid}" ]]; then
    kill -TERM "${helper_pid}" 2>/dev/null || true
  fi
  stop_stages
}

# SIGTERM to the three programs of the running chain. The capture filter,
# the relay and the notifier are not signalled: they end at end of input,
# after passing on everything their upstream wrote before it exited.
stop_stages() {
  local i
  for i in "${!stage_pids[@]}"; do
    [[ -z "${chain_codes[i]:-}" ]] || continue
    case "${stage_names[i]}" in
      ch-fetch | ch-parse | ch-store) kill -TERM "${stage_pids[i]}" 2>/dev/null || true ;;
    esac
  done
}

# SIGKILL to every process of the chain that is still running.
kill_stages() {
  local i
  for i in "${!stage_pids[@]}"; do
    [[ -z "${chain_codes[i]:-}" ]] || continue
    kill -KILL "${stage_pids[i]}" 2>/dev/null || true
  done
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
on_exit() {
  # Only reached with stages alive when the script itself failed.
  stop_stages
  if [[ -n "${tick_pid}" ]]; then
    kill -TERM "${tick_pid}" 2>/dev/null || true
  fi
  if [[ -n "${helper_pid}" ]]; then
    kill -TERM "${helper_pid}" 2>/dev/null || true
  fi
  if [[ -n "${work_dir}" ]]; then
    rm -rf "${work_dir}"
  fi
}

# read_checkpoint: the stored checkpoint (digits, or empty when there is
# none) in CHECKPOINT. A locked, unreadable or briefly missing database must
# not kill the supervisor: retried with backoff until it works. Returns 1
# only when a stop signal arrived; exits on 64, 65 or 78 (a configuration
# the chain could not run with either).
read_checkpoint() {
  local delay_ms="${restart_min_ms}" code out
  while ((!stopping)); do
    code=0
    # In the background, so that a stop signal interrupts the wait.
    "${BIN_DIR}/ch-store" checkpoint --db "${DB}" --stream "${STREAM}" >"${work_dir}/checkpoint" 9>&- &
    helper_pid=$!
    wait "${helper_pid}" || code=$?
    if ((stopping)); then
      wait "${helper_pid}" 2>/dev/null || true
      helper_pid=""
      return 1
    fi
    helper_pid=""
    out="$(<"${work_dir}/checkpoint")"
    if ((code == 0)) && [[ "${out}" =~ ^[0-9]*$ ]]; then
      CHECKPOINT="${out}"
      return 0
    fi
    case "${code}" in
      64 | 65 | 78)
        log error "ch-store checkpoint failed permanently; not retrying" "code:=${code}"
        exit "${code}"
        ;;
    esac
    format_ms "${delay_ms}"
    log warn "cannot read the checkpoint; retrying" "code:=${code}" "retry_in_s:=${REPLY}"
    interruptible_sleep "${delay_ms}"
    delay_ms=$((delay_ms * 2 > restart_max_ms ? restart_max_ms : delay_ms * 2))
  done
  return 1
}

# add_stage NAME PID
add_stage() {
  stage_names+=("$1")
  stage_pids+=("$2")
}

# sqlite_ro QUERY: runs QUERY on the database read-only (sqlite3 CLI).
sqlite_ro() {
  sqlite3 -readonly -batch -init /dev/null -cmd ".timeout 2000" "${DB}" "$1" 2>/dev/null 9>&-
}

# prepare_notify: decides what the notifier gets before the live changes:
# the stream status changes committed after the last one handed to a
# notifier (the cursor $DB.notified, appended to by the relay) up to now,
# which a stage killed between its commit and its write, or a notifier gone
# with the chain, never passed on. Writes them to work_dir/catch-up.ndjson
# and compacts the cursor to its last id. Failures only cost the catch-up.
prepare_notify() {
  local cursor_file="${DB}.notified" last="" max
  : >"${work_dir}/catch-up.ndjson"
  if [[ ! -s "${DB}" ]]; then
    max=0
  elif ! command -v sqlite3 >/dev/null; then
    log warn "sqlite3 not found: changes the notifier missed cannot be sent again"
    return 0
  elif ! max="$(sqlite_ro "SELECT coalesce(max(id), 0) FROM status_changes")" ||
    [[ ! "${max}" =~ ^[0-9]+$ ]]; then
    # Locked, or not migrated yet: the cursor stays as it is.
    log warn "cannot read the status changes; none sent again this time"
    return 0
  fi
  if [[ -f "${cursor_file}" ]]; then
    last="$(awk '/^[0-9]+$/ { id = $0 } END { print id }' "${cursor_file}")"
  fi
  if [[ -z "${last}" ]]; then
    # The first notifier for this database starts with the changes to come.
    last="${max}"
  elif ((max > last)); then
    if ! sqlite_ro "SELECT json_object('id', s.id, 'company_number', s.company_number,
        'timepoint', s.timepoint, 'published_at', s.published_at, 'old_status', s.old_status,
        'old_status_detail', s.old_status_detail, 'new_status', s.new_status,
        'new_status_detail', s.new_status_detail, 'source', s.source, 'company_name', c.company_name)
        FROM status_changes AS s LEFT JOIN companies AS c ON c.company_number = s.company_number
        WHERE s.source = 'stream' AND s.id > ${last} AND s.id <= ${max} ORDER BY s.id" \
        >"${work_dir}/catch-up.ndjson"; then
      log warn "cannot read the changes the notifier missed; not sending them now"
      : >"${work_dir}/catch-up.ndjson"
      return 0
    fi
    log info "sending the notifier the changes it missed" "after_id:=${last}" \
      "changes:=$(wc -l <"${work_dir}/catch-up.ndjson")"
  elif ((max < last)); then
    # A new database: its ids start again.
    last="${max}"
  fi
  if printf '%s\n' "${last}" >"${cursor_file}.tmp" && mv -f "${cursor_file}.tmp" "${cursor_file}"; then
    return 0
  fi
  log warn "cannot write the notifier cursor" "path=${cursor_file}"
}

# start_notifier: the relay (catch-up lines, then ch-store's changes from
# fifo.changes; each id appended to the cursor once passed on) and the
# notifier reading it.
start_notifier() {
  mkfifo "${work_dir}/fifo.changes" "${work_dir}/fifo.notify" || return 1
  prepare_notify
  # The notifier does not need the stream key.
  env -u CH_STREAM_KEY -u CH_STREAM_KEY_FILE sh -c "${CH_NOTIFY_CMD}" \
    <"${work_dir}/fifo.notify" 9>&- &
  add_stage notifier $!
  # shellcheck disable=SC2016  # awk's own $0
  "${AWK[@]}" -v catch_up="${work_dir}/catch-up.ndjson" -v cursor="${DB}.notified" '
    function pass(line) {
      print line
      fflush()
      if (match(line, /^\{"id":[0-9]+/)) {
        print substr(line, 7, RLENGTH - 6) >> cursor
        fflush(cursor)
      }
    }
    BEGIN { while ((getline line < catch_up) > 0) pass(line); close(catch_up) }
    { pass($0) }' <"${work_dir}/fifo.changes" >"${work_dir}/fifo.notify" 9>&- &
  add_stage relay $!
}

# start_chain TIMEPOINT: starts the stages connected by FIFOs (TIMEPOINT
# empty: live); fills stage_pids/stage_names. Returns 1 when the FIFOs
# cannot be made (the caller retries later).
start_chain() {
  local timepoint="$1"
  local fetch_args=(--stream "${STREAM}")
  local parse_args=(--format stream --stream "${STREAM}")
  local store_args=(--db "${DB}" --stream "${STREAM}")
  if [[ -n "${timepoint}" ]]; then
    fetch_args+=(--timepoint "${timepoint}")
  fi
  stage_pids=()
  stage_names=()
  chain_codes=()
  # mkdir: a temporary-file cleaner may have removed the directory of a
  # supervisor that ran for weeks.
  mkdir -p "${work_dir}"
  rm -f "${work_dir}"/fifo.*
  if ! mkfifo "${work_dir}/fifo.fetch" "${work_dir}/fifo.parse"; then
    log error "cannot make FIFOs" "dir=${work_dir}"
    return 1
  fi

  local store_out=/dev/null
  if [[ -n "${CH_NOTIFY_CMD:-}" ]]; then
    if ! start_notifier; then
      log error "cannot make FIFOs" "dir=${work_dir}"
      return 1
    fi
    store_out="${work_dir}/fifo.changes"
    store_args+=(--emit-changes)
  fi

  "${BIN_DIR}/ch-store" "${store_args[@]}" <"${work_dir}/fifo.parse" >"${store_out}" &
  add_stage ch-store $!

  "${BIN_DIR}/ch-parse" "${parse_args[@]}" <"${work_dir}/fifo.fetch" >"${work_dir}/fifo.parse" &
  add_stage ch-parse $!

  if [[ -n "${CH_CAPTURE_DIR:-}" ]]; then
    mkfifo "${work_dir}/fifo.capture" || return 1
    # Appends each raw line to the day's file (UTC), then passes it on; both
    # flushed per line, so the capture holds at least what reached ch-parse.
    "${AWK[@]}" -v dir="${CH_CAPTURE_DIR}" -v stream="${STREAM}" '
      { f = dir "/" stream "-" strftime("%Y-%m-%d", systime(), 1) ".ndjson"
        if (f != current) { if (current != "") close(current); current = f }
        print >> f; fflush(f); print; fflush() }' \
      <"${work_dir}/fifo.capture" >"${work_dir}/fifo.fetch" 9>&- &
    add_stage capture $!
    "${BIN_DIR}/ch-fetch" "${fetch_args[@]}" >"${work_dir}/fifo.capture" &
  else
    "${BIN_DIR}/ch-fetch" "${fetch_args[@]}" >"${work_dir}/fifo.fetch" &
  fi
  add_stage ch-fetch $!
}

# exit_rank CODE: how much an exit code looks like the cause of a chain's
# end rather than a consequence of another stage's (end of input: 0, a
# closed pipe: 74 or SIGPIPE, our own SIGTERM: 143), in REPLY.
exit_rank() {
  case "$1" in
    0 | 143) REPLY=0 ;;
    74 | 141) REPLY=1 ;;
    *) REPLY=2 ;;
  esac
}

# wait_chain: waits until every process of the chain has exited; the first
# to exit (or a stop signal) stops the others, SIGKILL after CH_STOP_GRACE.
# Sets chain_codes (same order as stage_pids) and exit_order (indexes, in
# the order their exits were seen).
#
# `wait -n` returns when a child exits or a trapped signal arrives; but a
# child killed by a signal just before `wait -n` starts has already been
# reported and dropped by bash, so a short ticker child bounds that case.
# Run with stderr to /dev/null: bash reports a child killed by SIGKILL on
# its stderr in plain text, which is not a log line.
wait_chain() {
  local i code alive deadline=0 killed=0
  exit_order=()
  while :; do
    alive=0
    for i in "${!stage_pids[@]}"; do
      [[ -z "${chain_codes[i]:-}" ]] || continue
      if kill -0 "${stage_pids[i]}" 2>/dev/null; then
        alive=1
        continue
      fi
      code=0
      wait "${stage_pids[i]}" || code=$?
      chain_codes[i]="${code}"
      exit_order+=("${i}")
    done
    ((alive)) || break
    now_ms
    if ((deadline == 0)) && [[ "${#exit_order[@]}" -gt 0 || "${stopping}" == 1 ]]; then
      stop_stages
      deadline=$((REPLY + stop_grace_ms))
    elif ((deadline > 0 && REPLY >= deadline && !killed)); then
      log warn "stages did not stop in time; killing them"
      kill_stages
      killed=1
    fi
    if [[ -z "${tick_pid}" ]] || ! kill -0 "${tick_pid}" 2>/dev/null; then
      "${SLEEP[@]}" "${TICK_SECONDS}" 9>&- &
      tick_pid=$!
    fi
    wait -n || true
  done
  if [[ -n "${tick_pid}" ]]; then
    kill -TERM "${tick_pid}" 2>/dev/null || true
    wait "${tick_pid}" || true
    tick_pid=""
  fi
}

# report_chain: logs how the chain ended, naming the stage that failed: the
# one whose exit looks most like a cause (exit_rank), the first seen among
# equals (bash may reap a stage later than the one that saw its end of
# input). Sets FATAL to the exit code that stops the supervisor (64, 65 or
# 78 from ch-fetch, ch-parse or ch-store), else empty.
report_chain() {
  local i name code codes=() blamed="${exit_order[0]}" blamed_rank=-1
  for i in "${exit_order[@]}"; do
    exit_rank "${chain_codes[i]}"
    if ((REPLY > blamed_rank)); then
      blamed_rank="${REPLY}"
      blamed="${i}"
    fi
  done
  FATAL=""
  for i in "${!stage_names[@]}"; do
    name="${stage_names[i]}"
    code="${chain_codes[i]}"
    codes+=("${name}:=${code}")
    case "${name}:${code}" in
      ch-fetch:64 | ch-fetch:65 | ch-fetch:78 | ch-parse:64 | ch-parse:65 | ch-parse:78 | \
        ch-store:64 | ch-store:65 | ch-store:78)
        if [[ -z "${FATAL}" ]]; then
          FATAL="${code}"
          FATAL_STAGE="${name}"
        fi
        ;;
    esac
  done
  local level=warn
  if ((stopping)); then
    level=info
  fi
  log "${level}" "chain ended" "stage=${stage_names[blamed]}" \
    "code:=${chain_codes[blamed]}" "${codes[@]}"
}

main() {
  if [[ $# -gt 0 ]]; then
    case "$1" in
      -h | --help)
        usage
        exit 0
        ;;
      *)
        # A JSON line like every other: jq over the log must not stop here.
        log error "unknown argument '$1'. Try '${PROGRAM} --help'." "exit_code:=64"
        exit 64
        ;;
    esac
  fi
  exec {log_fd}>&2
  trap 'on_signal TERM' TERM
  trap 'on_signal INT' INT
  trap 'on_signal HUP' HUP
  trap on_exit EXIT

  case "${CH_LOG_LEVEL:-info}" in
    debug) log_rank=0 ;;
    info) log_rank=1 ;;
    warn) log_rank=2 ;;
    error) log_rank=3 ;;
    *)
      log error "invalid value: use debug, info, warn or error" "variable=CH_LOG_LEVEL" \
        "value=${CH_LOG_LEVEL}"
      exit 78
      ;;
  esac
  to_ms CH_RESTART_MIN "${CH_RESTART_MIN:-1}"
  restart_min_ms="${REPLY}"
  to_ms CH_RESTART_MAX "${CH_RESTART_MAX:-60}"
  restart_max_ms="${REPLY}"
  to_ms CH_RESTART_RESET "${CH_RESTART_RESET:-60}"
  restart_reset_ms="${REPLY}"
  to_ms CH_STOP_GRACE "${CH_STOP_GRACE:-10}"
  stop_grace_ms="${REPLY}"
  if ((restart_min_ms == 0 || restart_max_ms < restart_min_ms)); then
    log error "invalid value: CH_RESTART_MIN must be more than 0 and at most CH_RESTART_MAX" \
      "variable=CH_RESTART_MIN" "value=${CH_RESTART_MIN:-1}"
    exit 78
  fi

  DB="${CH_DB:-companies.db}"
  STREAM="${CH_STREAM:-companies}"
  BIN_DIR="$(find_bin)"
  export CH_DB="${DB}" CH_STREAM="${STREAM}"
  # Stages exit (SIGTERM) if this supervisor dies, even by kill -9: no orphans.
  export CH_EXIT_WITH_PARENT=1
  # mawk reads a pipe in whole buffers unless interactive: a line would wait
  # for the next 4 KiB.
  AWK=(awk)
  if awk -W version 2>/dev/null | grep -q mawk; then
    AWK=(awk -W interactive)
  fi
  # Sleeps die with the supervisor too (a backoff sleep may last a minute).
  SLEEP=(sleep)
  if setpriv --pdeathsig TERM true 2>/dev/null; then
    SLEEP=(setpriv --pdeathsig TERM sleep)
  fi

  local stage
  for stage in ch-fetch ch-parse ch-store; do
    if [[ ! -x "${BIN_DIR}/${stage}" ]]; then
      log error "program not found; set CH_BIN" "path=${BIN_DIR}/${stage}"
      exit 78
    fi
  done
  if [[ -n "${CH_CAPTURE_DIR:-}" ]] && ! mkdir -p "${CH_CAPTURE_DIR}"; then
    log error "cannot create CH_CAPTURE_DIR" "path=${CH_CAPTURE_DIR}"
    exit 78
  fi

  if ! exec 9>>"${DB}.lock"; then
    log error "cannot open the lock file" "path=${DB}.lock"
    exit 78
  fi
  if ! flock -n 9; then
    log info "already running for this database; exiting" "db=${DB}"
    exit 0
  fi

  if ! work_dir="$(mktemp -d "${TMPDIR:-/tmp}/chstream.XXXXXX")"; then
    log error "cannot create a temporary directory" "dir=${TMPDIR:-/tmp}"
    exit 78
  fi

  local delay_ms="${restart_min_ms}" started_ms timepoint
  log info "starting" "db=${DB}" "stream=${STREAM}" "pid:=$$"
  while ((!stopping)); do
    read_checkpoint || break
    if [[ -n "${CHECKPOINT}" ]]; then
      timepoint=$((CHECKPOINT + 1))
    else
      timepoint="${CH_TIMEPOINT:-}"
    fi
    now_ms
    started_ms="${REPLY}"
    log info "chain starting" "timepoint=${timepoint:-live}"
    if start_chain "${timepoint}"; then
      wait_chain 2>/dev/null
      report_chain
      stage_pids=()
      if ((stopping)); then
        break
      fi
      if [[ -n "${FATAL}" ]]; then
        log error "stage failed permanently; not restarting" "stage=${FATAL_STAGE}" "code:=${FATAL}"
        exit "${FATAL}"
      fi
    else
      # A FIFO could not be made: whatever started waits in open() for a
      # peer that will never come.
      kill_stages
      wait_chain 2>/dev/null
      stage_pids=()
    fi

    # From now on a key file that is briefly missing or empty (a rotation,
    # a remount) is waited for by ch-fetch instead of stopping everything
    # with 78; at this supervisor's first chain it was a configuration
    # error. (Unless the environment says otherwise.)
    export CH_KEY_FILE_WAIT="${CH_KEY_FILE_WAIT:-1}"

    now_ms
    if ((REPLY - started_ms >= restart_reset_ms)); then
      delay_ms="${restart_min_ms}"
    fi
    format_ms "${delay_ms}"
    log info "restarting the chain" "delay_s:=${REPLY}"
    interruptible_sleep "${delay_ms}"
    delay_ms=$((delay_ms * 2 > restart_max_ms ? restart_max_ms : delay_ms * 2))
  done
  log info "stopped"
  exit 0
}

main "$@"
