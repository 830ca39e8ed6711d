#!/usr/bin/env bash
# pipeline.sh: runs one chain ch-fetch | ch-parse | ch-store per stream of
# CH_STREAMS into one database, in the foreground, and keeps each running.
# Configured by the environment alone (see --help), so that cron or systemd
# can start it as is:
#
#   */5 * * * * CH_STREAM_KEY_FILE=/etc/chstream/key CH_DB=/var/lib/chstream/companies.db /opt/chstream/pipeline.sh
#
# - One instance per database: an exclusive flock on $CH_DB.lock; a second
#   instance logs one line and exits 0 at once.
# - Each stream's chain starts at that stream's checkpoint + 1; with no
#   checkpoint at CH_TIMEPOINT (companies) or CH_TIMEPOINT_<STREAM>, else
#   live (ch-fetch then records a started-live gap).
# - When any stage of a chain exits, that chain alone is stopped and
#   restarted from its checkpoint, with its own backoff; after 64, 65 or 78
#   (usage, unusable input, configuration) that stream stops for good: an
#   error line, and a marker $CH_DB.<stream>.stopped that `ch-store status`
#   reports. The other streams go on; pipeline.sh exits, with the first such
#   code, once every stream has stopped so.
# - A watchdog on progress: a chain whose stage has made no progress (an
#   output blocked, the next stage alive but not reading; or a metrics file,
#   the stages' heartbeat, not rewritten) for CH_WATCHDOG seconds is
#   restarted (check_progress).
# - SIGTERM, SIGINT and SIGHUP stop every chain cleanly and exit 0. (A shell
#   starts background commands with SIGINT ignored, which bash cannot undo:
#   started as `pipeline.sh &` from a script, only SIGTERM and SIGHUP work.)
# - CH_CAPTURE_DIR: the raw lines are also appended to daily files per
#   stream. A restart may append again lines that were captured but not
#   committed (a replay skips them).
# - CH_NOTIFY_CMD: one notifier per chain gets what its ch-store commits, at
#   least once (see start_notifier).
# - The stream key (CH_STREAM_KEY, CH_STREAM_KEY_FILE) is taken out of the
#   environment at start and given to ch-fetch alone; 022 is added to the
#   umask, so nothing created here is writable by others.
#
# One supervisor process runs every chain: an event loop (supervise) that
# reaps exited processes, moves each stream through its states (waiting ->
# running -> stopping -> waiting again, or fatal, or stopped) and sleeps
# until the next exit or the next due restart. The stages are connected
# through FIFOs in a private temporary directory rather than shell
# pipelines, so that each stage's pid and exit status are known (which one
# failed is logged) and the supervisor can wait for them in the background:
# bash runs traps only between foreground commands, so every child is
# waited for with `wait`, which a trapped signal interrupts.
#
# The stages inherit the lock's file descriptor: a new instance cannot start
# while a stage of a killed supervisor is still finishing its last commit.
# Helpers that may outlive a chain (sleeps, the notifier) do not inherit it.
set -euo pipefail

readonly PROGRAM="pipeline.sh"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
# The supervisor looks at the chains at least this often (seconds), even
# when no child has reported an exit (see wait_for_event).
readonly TICK_SECONDS=1
# The nine streams of the service (DESIGN.md "Every stream"), in its order.
readonly ALL_STREAMS="companies,filings,officers,persons-with-significant-control,persons-with-significant-control-statements,charges,insolvency-cases,disqualified-officers,company-exemptions"
readonly DEFAULT_STREAMS="companies,filings,officers,insolvency-cases"
# A chain-stopped marker is removed once the stream's next chain has run
# this long (ms) without a fatal exit: a rejected key or a missing stream
# is answered at the first request.
readonly MARKER_CLEAR_MS=5000

stopping=0
# 1 when CH_STREAM alone names the stream (CH_STREAMS unset).
single_stream=0
timepoint_variable=""
# The streams followed, in CH_STREAMS order.
streams=()
# Per stream: waiting (for due_ms), running, stopping (until every process
# has exited), fatal (stopped for good by 64, 65 or 78), stopped (by a
# signal).
declare -A state=() due_ms=() delay_ms=() started_ms=() deadline_ms=() killed=()
declare -A exit_order=() chains_started=() marker_set=() checked_ms=()
# Per stream and stage ("<stream>/<0-2>"), for the watchdog: the modification
# time last seen of the stage's metrics file, and when (now_ms) that chain's
# stage last rewrote it (unset: not since the chain started).
declare -A file_mtime=() file_written_ms=()
# Every process of every running chain (the three stages, and the capture
# filter, the notifier and its relay when configured), by index: its pid,
# name, stream, and exit code once reaped.
proc_pids=()
proc_names=()
proc_streams=()
proc_codes=()
proc_termed=()
# The first fatal exit code, which pipeline.sh exits with.
first_fatal=""
# A short-lived child to kill on a stop signal (a checkpoint read).
helper_pid=""
tick_pid=""
tick_end_ms=0
work_dir=""
metrics_dir=""
# The key, kept out of every environment but ch-fetch's (see main).
key_set=0
key_value=""
key_file_set=0
key_file_value=""
# Log lines go to a copy of stderr, so that bash's own job reports can be
# silenced while the chains are waited for (see main).
log_fd=2
log_rank=1
# Set by to_ms, format_ms, now_ms, read_checkpoint and others.
REPLY=""
CHECKPOINT=""

usage() {
  cat <<'USAGE'
Usage: pipeline.sh [--help]

Runs one chain ch-fetch | ch-parse | ch-store per stream into one database,
in the foreground, restarting each chain from its stream's checkpoint
whenever one of its stages exits, until SIGTERM, SIGINT or SIGHUP.
Configured by the environment alone.

The supervisor:
  CH_DB                SQLite database (default companies.db); the lock is
                       $CH_DB.lock (a symbolic link's target is locked
                       too), the notifier's cursors $CH_DB.notified
                       and $CH_DB.<stream>.signals.notified, a stream stopped
                       by a fatal exit leaves $CH_DB.<stream>.stopped
  CH_STREAMS           streams to follow, comma-separated (default
                       companies,filings,officers,insolvency-cases; all: the
                       nine); an unknown name is exit 78
  CH_STREAM            when CH_STREAMS is unset: follow this stream alone
                       (compatibility with single-stream setups)
  CH_TIMEPOINT         first timepoint of the companies stream when it has
                       no checkpoint (unset: live, which records a
                       started-live gap); with CH_STREAM, of that stream
  CH_TIMEPOINT_<STREAM>  the same for another stream, its name upper-cased
                       with - as _ (CH_TIMEPOINT_INSOLVENCY_CASES)
  CH_BIN               directory of ch-fetch, ch-parse, ch-store
                       (default: bin/ beside this script, else $PATH)
  CH_RESTART_MIN       seconds before a chain's first restart (1; fractions)
  CH_RESTART_MAX       cap on the doubling restart delay (60)
  CH_RESTART_RESET     a chain that ran this long resets its delay (60)
  CH_STOP_GRACE        seconds stages get to stop before SIGKILL (10)
  CH_CAPTURE_DIR       also append each raw stream to daily files
                       <stream>-YYYY-MM-DD.ndjson (UTC date) here (unset: none)
  CH_NOTIFY_CMD        shell command fed what each chain's ch-store commits
                       (status changes and signals, ch-store --emit-changes)
                       as NDJSON lines on its stdin, one per chain, with
                       CH_STREAM set; restarted with the chain; at least
                       once (see README)
  CH_LOG_LEVEL         debug, info, warn, error (info; the stages' too)
  CH_METRICS_DIR       directory for the stages' <program>[-<stream>].prom
                       metrics files (unset: a private one for the watchdog)
  CH_WATCHDOG          seconds a stage may go without progress (its output
                       blocked, the next stage alive but not reading; or
                       its metrics file, rewritten every 2 s while it
                       runs, not rewritten) before that stream's chain is
                       restarted (120; 0: no watchdog); also ch-store
                       status's limit for a stuck stage

Given to ch-fetch alone (taken out of every other process's environment):
  CH_STREAM_KEY        stream API key (never on a command line)
  CH_STREAM_KEY_FILE   file holding the key, re-read at each connection

Passed on to the stages through the environment:
  CH_KEY_FILE_WAIT     ch-fetch: 1 = wait for a key file that yields no key
                       instead of exiting 78; set by the supervisor for every
                       chain of a stream after its first (only a first start
                       stops on it)
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
  CH_MAX_LINE_BYTES    ch-fetch, ch-parse, ch-store: longest line accepted (8388608)
  CH_PARSE_NICE        ch-parse: added to its niceness, so it yields the CPU
                       to ch-store (10; 0 keeps normal priority)
  CH_BUSY_TIMEOUT      ch-store: milliseconds to wait for a database lock (5000)
The supervisor runs ch-parse with --format stream (CH_FORMAT, CH_AS_OF and
CH_PROGRESS are for bulk imports), gives each stage --stream and CH_STREAM
of its chain, and sets CH_EXIT_WITH_PARENT to its pid, so that the stages
stop when the supervisor dies, even by SIGKILL.
For `ch-store status`: CH_MAX_SILENCE, CH_MAX_COMMIT_AGE, CH_STREAMS (see
README).

Exit status: 0 when stopped by a signal or when another instance holds the
lock; 64, 65 or 78 when every stream stopped after a stage exited with one
of them (the first such code); 64 for an unknown argument; 78 for an invalid
variable (an unknown stream), a missing program or an unusable lock file or
capture directory.
USAGE
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

# seconds_ms TEXT: TEXT, seconds with an optional fraction ("12", "0.5",
# "1796577746.205"), in whole milliseconds in REPLY; status 1 (REPLY
# unchanged) when TEXT is no such number.
seconds_ms() {
  [[ "$1" =~ ^([0-9]+)(\.([0-9]*))?$ ]] || return 1
  local fraction="${BASH_REMATCH[3]}000"
  REPLY=$((10#${BASH_REMATCH[1]} * 1000 + 10#${fraction:0:3}))
}

# to_ms NAME VALUE: VALUE, seconds with up to three decimals, in
# milliseconds (in REPLY); anything else is a configuration error naming NAME.
to_ms() {
  local name="$1" value="$2"
  if [[ ! "${value}" =~ ^[0-9]{1,9}(\.[0-9]*)?$ ]]; then
    log error "invalid value: seconds expected (e.g. 1 or 0.5)" "variable=${name}" "value=${value}"
    exit 78
  fi
  seconds_ms "${value}"
}

# format_ms MS: MS as seconds with three decimals ("1.500"), in REPLY.
format_ms() {
  printf -v REPLY '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}

# now_ms: a monotonic clock in milliseconds, in REPLY (no subshell): the
# time since boot, from /proc/uptime (10 ms steps). Every delay, deadline and
# age pipeline.sh keeps is measured with it, so that a step of the wall clock
# (NTP, an operator's `date -s`) neither holds a restart back for as long as
# the step nor fires the watchdog (tests/e2e/75_pipeline_clock_step.sh).
now_ms() {
  local up rest
  if ! { read -r up rest </proc/uptime 2>/dev/null && seconds_ms "${up}"; }; then
    wall_ms
  fi
}

# wall_ms: the wall clock in milliseconds, in REPLY (no subshell); only to
# compare with a file's modification time.
wall_ms() {
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


# ---- Configuration ----

# parse_streams: the followed streams into `streams`, from CH_STREAMS; when
# it is unset, CH_STREAM alone (how a single-stream setup keeps working);
# else the default four. An unknown or empty name is exit 78.
parse_streams() {
  local variable=CH_STREAMS value name names=()
  local -A seen=()
  if [[ -n "${CH_STREAMS+set}" ]]; then
    value="${CH_STREAMS}"
  elif [[ -n "${CH_STREAM:-}" ]]; then
    variable=CH_STREAM
    value="${CH_STREAM}"
    single_stream=1
  else
    value="${DEFAULT_STREAMS}"
  fi
  if [[ "${value}" == all ]]; then
    value="${ALL_STREAMS}"
  fi
  IFS=, read -ra names <<<"${value}"
  for name in "${names[@]}"; do
    name="${name//[[:space:]]/}"
    if [[ -z "${name}" || ",${ALL_STREAMS}," != *",${name},"* ]]; then
      log error "invalid value: unknown stream '${name}' (the streams: all, or ${ALL_STREAMS})" \
        "variable=${variable}" "value=${value}"
      exit 78
    fi
    if [[ -z "${seen[${name}]:-}" ]]; then
      seen["${name}"]=1
      streams+=("${name}")
    fi
  done
  if ((${#streams[@]} == 0)); then
    log error "invalid value: no stream named" "variable=${variable}" "value=${value}"
    exit 78
  fi
}

# stream_timepoint STREAM: where STREAM starts when it has no checkpoint,
# in REPLY (empty: live): CH_TIMEPOINT_<STREAM>, else CH_TIMEPOINT for
# companies (or for the one stream of CH_STREAM).
# timepoint_variable names the variable it came from.
stream_timepoint() {
  local variable="CH_TIMEPOINT_${1^^}"
  variable="${variable//-/_}"
  if [[ -n "${!variable:-}" ]]; then
    REPLY="${!variable}"
    timepoint_variable="${variable}"
  elif [[ "$1" == companies || "${single_stream}" == 1 ]]; then
    REPLY="${CH_TIMEPOINT:-}"
    timepoint_variable=CH_TIMEPOINT
  else
    REPLY=""
    timepoint_variable=""
  fi
}

# take_key: moves the stream key out of the environment, so that only
# ch-fetch gets it (start_fetch); ch-parse, ch-store, the capture filter,
# sqlite3 and the notifier never see it.
take_key() {
  if [[ -n "${CH_STREAM_KEY+set}" ]]; then
    key_set=1
    key_value="${CH_STREAM_KEY}"
  fi
  if [[ -n "${CH_STREAM_KEY_FILE+set}" ]]; then
    key_file_set=1
    key_file_value="${CH_STREAM_KEY_FILE}"
  fi
  unset CH_STREAM_KEY CH_STREAM_KEY_FILE
}

# export_key: puts the stream key back into the environment, in the
# subshell of a ch-fetch only.
export_key() {
  if ((key_set)); then
    export CH_STREAM_KEY="${key_value}"
  fi
  if ((key_file_set)); then
    export CH_STREAM_KEY_FILE="${key_file_value}"
  fi
}

# check_config: the configuration errors DESIGN.md wants as one line and
# exit 78 before any database or network work (they came from every
# stream's stages once the database was made, a line each): each stream's
# start timepoint, named by its own variable, then ch-fetch's variables and
# the stream key, checked by ch-fetch itself (--check-config) under the
# rules of a first chain (a key file that yields no key is an error).
check_config() {
  local stream
  for stream in "${streams[@]}"; do
    stream_timepoint "${stream}"
    if [[ -n "${REPLY}" && ! "${REPLY}" =~ ^[0-9]+$ ]]; then
      log error "invalid value: the first timepoint, a non-negative integer" \
        "variable=${timepoint_variable}" "value=${REPLY}" "exit_code:=78"
      return 1
    fi
  done
  (
    export_key
    unset CH_TIMEPOINT # checked above, for the streams that use it
    exec "${BIN_DIR}/ch-fetch" --check-config --stream "${streams[0]}"
  ) 2>&"${log_fd}"
}

# ---- Signals and exit ----

# shellcheck disable=SC2317  # invoked by the traps
on_signal() {
  if ((!stopping)); then
    log info "stopping" "signal=$1"
  fi
  stopping=1
  if [[ -n "${helper_pid}" ]]; then
    kill -TERM "${helper_pid}" 2>/dev/null || true
  fi
  local stream
  for stream in "${streams[@]}"; do
    if [[ "${state[${stream}]:-}" == running || "${state[${stream}]:-}" == stopping ]]; then
      stop_chain "${stream}"
    fi
  done
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
on_exit() {
  # Only reached with stages alive when the script itself failed.
  local i
  for i in "${!proc_pids[@]}"; do
    [[ -n "${proc_codes[i]:-}" ]] || kill -TERM "${proc_pids[i]}" 2>/dev/null || true
  done
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

# ---- The chain-stopped marker ----

# set_marker STREAM CODE STAGE: records that STREAM stopped for good, for
# `ch-store status` (one JSON line: stream, code, stage, time).
set_marker() {
  local path="${DB}.$1.stopped"
  if printf '{"stream":"%s","code":%d,"stage":"%s","time":"%s"}\n' "$1" "$2" "$3" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"${path}.tmp" && mv -f "${path}.tmp" "${path}"; then
    marker_set["$1"]=1
  else
    log warn "cannot write the chain-stopped marker" "path=${path}" "stream=$1"
  fi
}

# clear_marker STREAM: the stream runs again.
clear_marker() {
  rm -f "${DB}.$1.stopped"
  marker_set["$1"]=""
}

# ---- Processes ----

# add_proc STREAM NAME PID
add_proc() {
  proc_streams+=("$1")
  proc_names+=("$2")
  proc_pids+=("$3")
}

# reap: records the exit code of every process that has exited, and the
# order in which each stream's exits were seen.
reap() {
  local i code stream
  for i in "${!proc_pids[@]}"; do
    [[ -z "${proc_codes[i]:-}" ]] || continue
    kill -0 "${proc_pids[i]}" 2>/dev/null && continue
    code=0
    wait "${proc_pids[i]}" || code=$?
    proc_codes[i]="${code}"
    stream="${proc_streams[i]}"
    exit_order["${stream}"]+=" ${i}"
  done
}

# chain_running STREAM: true while a process of STREAM's chain runs.
chain_running() {
  local i
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "$1" && -z "${proc_codes[i]:-}" ]] && return 0
  done
  return 1
}

# stop_chain STREAM: SIGTERM to the three programs of STREAM's chain (once
# each), and a deadline for SIGKILL. The capture filter, the relay and the
# notifier are not signalled: they end at end of input, after passing on
# everything their upstream wrote before it exited.
stop_chain() {
  local i
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "$1" && -z "${proc_codes[i]:-}" ]] || continue
    case "${proc_names[i]}" in
      ch-fetch | ch-parse | ch-store)
        if [[ -z "${proc_termed[i]:-}" ]]; then
          proc_termed[i]=1
          kill -TERM "${proc_pids[i]}" 2>/dev/null || true
          # A stopped stage (SIGSTOP) acts on the TERM only once it runs:
          # it waited for CH_STOP_GRACE and SIGKILL (an independent run).
          kill -CONT "${proc_pids[i]}" 2>/dev/null || true
        fi
        ;;
    esac
  done
  if [[ "${state[$1]}" != stopping ]]; then
    now_ms
    state["$1"]=stopping
    deadline_ms["$1"]=$((REPLY + stop_grace_ms))
    killed["$1"]=0
  fi
}

# kill_chain STREAM: SIGKILL to every process of STREAM's chain still running.
kill_chain() {
  local i
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "$1" && -z "${proc_codes[i]:-}" ]] || continue
    kill -KILL "${proc_pids[i]}" 2>/dev/null || true
  done
}

# forget_chain STREAM: drops the ended chain's processes.
forget_chain() {
  local i
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "$1" ]] || continue
    unset 'proc_pids[i]' 'proc_names[i]' 'proc_streams[i]' 'proc_codes[i]' 'proc_termed[i]'
  done
  exit_order["$1"]=""
}

# ---- Starting a chain ----

# read_checkpoint STREAM: the stored checkpoint of STREAM (digits, or empty
# when there is none) in CHECKPOINT. Returns 0 when read, 1 when a stop
# signal arrived, 2 when it should be tried again later (a locked,
# unreadable or briefly missing database must not stop the stream), 3 on
# 64, 65 or 78 (a configuration the chain could not run with either; the
# code in REPLY).
read_checkpoint() {
  local code=0 out
  # In the background, so that a stop signal interrupts the wait.
  "${BIN_DIR}/ch-store" checkpoint --db "${DB}" --stream "$1" >"${work_dir}/checkpoint" \
    2>&"${log_fd}" 9>&- 8>&- &
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
  REPLY="${code}"
  case "${code}" in
    64 | 65 | 78)
      log error "ch-store checkpoint failed permanently; not retrying" "code:=${code}" "stream=$1"
      return 3
      ;;
  esac
  log warn "cannot read the checkpoint; retrying" "code:=${code}" "stream=$1"
  return 2
}

# start_stream STREAM: reads STREAM's checkpoint and starts its chain there
# (else at its starting point); a failed read is tried again later, or
# stops the stream when it cannot work.
start_stream() {
  local stream="$1" timepoint rc=0
  read_checkpoint "${stream}" || rc=$?
  case "${rc}" in
    1) return 0 ;;
    2)
      schedule_restart "${stream}"
      return 0
      ;;
    3)
      stream_fatal "${stream}" "${REPLY}" ch-store
      return 0
      ;;
  esac
  if [[ -n "${CHECKPOINT}" ]]; then
    timepoint=$((CHECKPOINT + 1))
  else
    stream_timepoint "${stream}"
    timepoint="${REPLY}"
  fi
  now_ms
  started_ms["${stream}"]="${REPLY}"
  log info "chain starting" "timepoint=${timepoint:-live}" "stream=${stream}"
  state["${stream}"]=running
  if ! start_chain "${stream}" "${timepoint}"; then
    # A FIFO could not be made: whatever started waits in open() for a
    # peer that will never come.
    kill_chain "${stream}"
    stop_chain "${stream}"
  fi
  chains_started["${stream}"]=$((${chains_started[${stream}]:-0} + 1))
}

# start_fetch STREAM OUTPUT ARGS...: ch-fetch in the background writing to
# OUTPUT, with the stream key in its environment alone. A subshell that
# execs, so that $! is ch-fetch's pid and the key is never on a command
# line; OUTPUT (a FIFO) is opened by the child, never by the supervisor.
start_fetch() {
  local stream="$1" output="$2"
  shift 2
  (
    export_key
    # From its second chain on, a key file that is briefly missing or empty
    # (a rotation, a remount) is waited for by ch-fetch instead of stopping
    # the stream with 78; at the stream's first chain it was a
    # configuration error. (Unless the environment says otherwise.)
    if ((${chains_started[${stream}]:-0} > 0)); then
      export CH_KEY_FILE_WAIT="${CH_KEY_FILE_WAIT:-1}"
    fi
    export CH_STREAM="${stream}"
    exec "${BIN_DIR}/ch-fetch" --stream "${stream}" "$@"
  ) >"${output}" 2>&"${log_fd}" &
}

# start_chain STREAM TIMEPOINT: starts STREAM's stages connected by FIFOs
# (TIMEPOINT empty: live). Returns 1 when the FIFOs cannot be made (the
# caller retries later).
start_chain() {
  local stream="$1" timepoint="$2"
  local dir="${work_dir}/${stream}"
  local fetch_args=()
  local parse_args=(--format stream --stream "${stream}")
  local store_args=(--db "${DB}" --stream "${stream}")
  if [[ -n "${timepoint}" ]]; then
    fetch_args+=(--timepoint "${timepoint}")
  fi
  # mkdir: a temporary-file cleaner may have removed the directory of a
  # supervisor that ran for weeks.
  mkdir -p "${dir}"
  rm -f "${dir}"/fifo.*
  if ! mkfifo "${dir}/fifo.fetch" "${dir}/fifo.parse"; then
    log error "cannot make FIFOs" "dir=${dir}" "stream=${stream}"
    return 1
  fi

  local store_out=/dev/null
  if [[ -n "${CH_NOTIFY_CMD:-}" ]]; then
    if ! start_notifier "${stream}"; then
      log error "cannot make FIFOs" "dir=${dir}" "stream=${stream}"
      return 1
    fi
    store_out="${dir}/fifo.changes"
    store_args+=(--emit-changes)
  fi

  CH_STREAM="${stream}" "${BIN_DIR}/ch-store" "${store_args[@]}" \
    <"${dir}/fifo.parse" >"${store_out}" 2>&"${log_fd}" &
  add_proc "${stream}" ch-store $!

  CH_STREAM="${stream}" "${BIN_DIR}/ch-parse" "${parse_args[@]}" \
    <"${dir}/fifo.fetch" >"${dir}/fifo.parse" 2>&"${log_fd}" &
  add_proc "${stream}" ch-parse $!

  if [[ -n "${CH_CAPTURE_DIR:-}" ]]; then
    mkfifo "${dir}/fifo.capture" || return 1
    # Appends each raw line to the day's file (UTC), then passes it on; both
    # flushed per line, so the capture holds at least what reached ch-parse.
    "${AWK[@]}" -v dir="${CH_CAPTURE_DIR}" -v stream="${stream}" '
      { f = dir "/" stream "-" strftime("%Y-%m-%d", systime(), 1) ".ndjson"
        if (f != current) { if (current != "") close(current); current = f }
        print >> f; fflush(f); print; fflush() }' \
      <"${dir}/fifo.capture" >"${dir}/fifo.fetch" 2>&"${log_fd}" 9>&- 8>&- &
    add_proc "${stream}" capture $!
    start_fetch "${stream}" "${dir}/fifo.capture" "${fetch_args[@]}"
  else
    start_fetch "${stream}" "${dir}/fifo.fetch" "${fetch_args[@]}"
  fi
  add_proc "${stream}" ch-fetch $!
}

# ---- The notifier ----

# sqlite_ro QUERY: runs QUERY on the database read-only (sqlite3 CLI).
sqlite_ro() {
  sqlite3 -readonly -batch -init /dev/null -cmd ".timeout 2000" "${DB}" "$1" 2>/dev/null 9>&- 8>&-
}

# catch_up CURSOR MAX_SQL ROWS_SQL WHAT OUT: appends to OUT the rows
# ROWS_SQL selects (as NDJSON) with ids after the last one the cursor
# file CURSOR holds and up to MAX_SQL's answer now (ROWS_SQL names them
# :last and :max), then compacts the cursor to that last id. WHAT names the
# rows in log lines. With no cursor yet, the first notifier starts with what
# is to come. Failures only cost the catch-up.
catch_up() {
  local cursor_file="$1" max_sql="$2" rows_sql="$3" what="$4" out="$5" last="" max
  if [[ ! -s "${DB}" ]]; then
    max=0
  elif ! command -v sqlite3 >/dev/null; then
    log warn "sqlite3 not found: ${what} the notifier missed cannot be sent again"
    return 0
  elif ! max="$(sqlite_ro "${max_sql}")" || [[ ! "${max}" =~ ^[0-9]+$ ]]; then
    # Locked, or not migrated yet: the cursor stays as it is.
    log warn "cannot read the ${what}; none sent again this time" "path=${cursor_file}"
    return 0
  fi
  if [[ -f "${cursor_file}" ]]; then
    last="$(awk '/^[0-9]+$/ { id = $0 } END { print id }' "${cursor_file}")"
  fi
  if [[ -z "${last}" ]]; then
    last="${max}"
  elif ((max > last)); then
    rows_sql="${rows_sql//:last/${last}}"
    if ! sqlite_ro "${rows_sql//:max/${max}}" >"${out}.rows"; then
      log warn "cannot read the ${what} the notifier missed; not sending them now"
      return 0
    fi
    cat "${out}.rows" >>"${out}"
    log info "sending the notifier the ${what} it missed" "after_id:=${last}" \
      "${what}:=$(wc -l <"${out}.rows")" "stream=${stream}"
  elif ((max < last)); then
    # A new database: its ids start again.
    last="${max}"
  fi
  if printf '%s\n' "${last}" >"${cursor_file}.tmp" && mv -f "${cursor_file}.tmp" "${cursor_file}"; then
    return 0
  fi
  log warn "cannot write the notifier cursor" "path=${cursor_file}"
}

# prepare_notify STREAM: what STREAM's notifier gets before the live lines
# (the chain's catch-up.ndjson): what was committed after the last line
# handed to a notifier and up to now, which a stage killed between its
# commit and its write, or a notifier gone with the chain, never passed on.
# For companies the stream status changes (cursor $DB.notified, as before
# there were several streams); for every stream its signals from the
# stream (cursor $DB.<stream>.signals.notified). The relay appends each id
# it passes on to its cursor.
prepare_notify() {
  local stream="$1" out="${work_dir}/$1/catch-up.ndjson"
  : >"${out}"
  if [[ "${stream}" == companies ]]; then
    catch_up "${DB}.notified" "SELECT coalesce(max(id), 0) FROM status_changes" \
      "SELECT json_object('id', s.id, 'company_number', s.company_number,
        'timepoint', s.timepoint, 'published_at', s.published_at, 'old_status', s.old_status,
        'old_status_detail', s.old_status_detail, 'new_status', s.new_status,
        'new_status_detail', s.new_status_detail, 'source', s.source, 'company_name', c.company_name)
        FROM status_changes AS s LEFT JOIN companies AS c ON c.company_number = s.company_number
        WHERE s.source = 'stream' AND s.id > :last AND s.id <= :max ORDER BY s.id" \
      changes "${out}"
  fi
  # The fields and their order are ch-store --emit-changes' (signal.cc).
  catch_up "${DB}.${stream}.signals.notified" \
    "SELECT coalesce(max(id), 0) FROM signals WHERE stream = '${stream}'" \
    "SELECT json_object('signal_id', s.id, 'signal', s.signal, 'stream', s.stream,
      'company_number', s.company_number, 'company_name', c.company_name,
      'occurred_on', s.occurred_on, 'published_at', s.published_at, 'detail', s.detail,
      'resource_uri', s.resource_uri, 'timepoint', s.timepoint)
      FROM signals AS s LEFT JOIN companies AS c ON c.company_number = s.company_number
      WHERE s.stream = '${stream}' AND s.source = 'stream' AND s.id > :last AND s.id <= :max
      ORDER BY s.id" \
    signals "${out}"
}

# start_notifier STREAM: the relay (catch-up lines, then ch-store's lines
# from fifo.changes) and the notifier reading it, with CH_STREAM set to the
# chain's stream.
#
# The cursors (status changes, for companies, and signals) say what the
# notifier has had. A line written into fifo.notify is only in the pipe's
# buffer: a notifier that dies, hangs until killed, or exits without
# reading loses what is there, so an id is appended to its cursor only
# once the relay has written NOTIFY_PIPE_BYTES more after its line (the
# pipe cannot hold more: the notifier has read the line). The ids still
# within that margin when the input ends go to notify.pending, and become
# delivered (promote_notified) only if the notifier then exits 0, having
# read to the end; otherwise the next chain's catch-up sends them again:
# at least once, never lost (an independent run lost up to 67 of 162 status
# changes to a notifier that failed, was killed or hung). A notifier that
# reads lines in blocks of its own and dies with some unhandled can still
# lose those: it must not exit 0 before it has handled its input.
start_notifier() {
  local stream="$1" dir="${work_dir}/$1" changes_cursor=/dev/null
  mkfifo "${dir}/fifo.changes" "${dir}/fifo.notify" || return 1
  rm -f "${dir}/notify.pending"
  prepare_notify "${stream}"
  if [[ "${stream}" == companies ]]; then
    changes_cursor="${DB}.notified"
  fi
  CH_STREAM="${stream}" sh -c "${CH_NOTIFY_CMD}" <"${dir}/fifo.notify" 2>&"${log_fd}" 9>&- 8>&- &
  add_proc "${stream}" notifier $!
  # Bytes, not characters: LC_ALL=C.
  # shellcheck disable=SC2016  # awk's own $0
  LC_ALL=C "${AWK[@]}" -v catch_up="${dir}/catch-up.ndjson" -v changes_cursor="${changes_cursor}" \
    -v signals_cursor="${DB}.${stream}.signals.notified" -v pending="${dir}/notify.pending" \
    -v margin="${NOTIFY_PIPE_BYTES}" '
    function remember(cursor, id) {
      print id >> cursor
      fflush(cursor)
    }
    function settle(upto) {
      while (head <= tail && ends[head] <= upto) {
        remember(cursors[head], ids[head])
        delete ends[head]; delete cursors[head]; delete ids[head]
        head++
      }
    }
    function pass(line) {
      print line
      fflush()
      written += length(line) + 1
      if (match(line, /^\{"id":[0-9]+/)) {
        tail++; ends[tail] = written; cursors[tail] = changes_cursor
        ids[tail] = substr(line, 7, RLENGTH - 6)
      } else if (match(line, /^\{"signal_id":[0-9]+/)) {
        tail++; ends[tail] = written; cursors[tail] = signals_cursor
        ids[tail] = substr(line, 14, RLENGTH - 13)
      }
      settle(written - margin)
    }
    BEGIN {
      head = 1; tail = 0; written = 0
      while ((getline line < catch_up) > 0) pass(line)
      close(catch_up)
    }
    { pass($0) }
    END {
      for (i = head; i <= tail; i++) print cursors[i] "\t" ids[i] > pending
      close(pending)
    }' <"${dir}/fifo.changes" >"${dir}/fifo.notify" 2>&"${log_fd}" 9>&- 8>&- &
  add_proc "${stream}" relay $!
}

# promote_notified STREAM: the ids the relay left pending (within the pipe's
# margin when its input ended) are delivered if the relay and the notifier
# both exited 0: the notifier read to the end of its input.
promote_notified() {
  local stream="$1" pending="${work_dir}/$1/notify.pending" i ok=0 cursor id
  [[ -f "${pending}" ]] || return 0
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "${stream}" ]] || continue
    case "${proc_names[i]}" in
      relay | notifier) [[ "${proc_codes[i]}" == 0 ]] && ok=$((ok + 1)) ;;
    esac
  done
  if ((ok == 2)); then
    while IFS=$'\t' read -r cursor id; do
      [[ -n "${cursor}" && -n "${id}" ]] || continue
      printf '%s\n' "${id}" >>"${cursor}" || log warn "cannot write the notifier cursor" "path=${cursor}"
    done <"${pending}"
  fi
  rm -f "${pending}"
}

# ---- Ending a chain: restart or stop ----

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

# report_chain STREAM: logs how STREAM's chain ended, naming the stage that
# failed: the one whose exit looks most like a cause (exit_rank), the first
# seen among equals (bash may reap a stage later than the one that saw its
# end of input). Sets FATAL to the exit code that stops the stream (64, 65
# or 78 from ch-fetch, ch-parse or ch-store), else empty, and FATAL_STAGE.
report_chain() {
  local stream="$1" i name code codes=() blamed="" blamed_rank=-1
  for i in ${exit_order[${stream}]}; do
    exit_rank "${proc_codes[i]}"
    if ((REPLY > blamed_rank)); then
      blamed_rank="${REPLY}"
      blamed="${i}"
    fi
  done
  FATAL=""
  FATAL_STAGE=""
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "${stream}" ]] || continue
    name="${proc_names[i]}"
    code="${proc_codes[i]}"
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
  [[ -n "${blamed}" ]] || return 0
  local level=warn
  if ((stopping)); then
    level=info
  fi
  log "${level}" "chain ended" "stage=${proc_names[blamed]}" \
    "code:=${proc_codes[blamed]}" "${codes[@]}" "stream=${stream}"
}

# stream_fatal STREAM CODE STAGE: STREAM stops for good; the others go on.
stream_fatal() {
  log error "stage failed permanently; not restarting" "stage=$3" "code:=$2" "stream=$1"
  state["$1"]=fatal
  first_fatal="${first_fatal:-$2}"
  set_marker "$1" "$2" "$3"
}

# schedule_restart STREAM: STREAM's next chain after its backoff, which
# doubles up to CH_RESTART_MAX and is reset by a chain that ran
# CH_RESTART_RESET.
schedule_restart() {
  local stream="$1" delay="${delay_ms[$1]}"
  now_ms
  if [[ -n "${started_ms[${stream}]:-}" ]] && ((REPLY - started_ms[${stream}] >= restart_reset_ms)); then
    delay="${restart_min_ms}"
  fi
  due_ms["${stream}"]=$((REPLY + delay))
  state["${stream}"]=waiting
  format_ms "${delay}"
  log info "restarting the chain" "delay_s:=${REPLY}" "stream=${stream}"
  delay_ms["${stream}"]=$((delay * 2 > restart_max_ms ? restart_max_ms : delay * 2))
}

# end_chain STREAM: every process of STREAM's chain has exited: report it,
# then stop the stream (a stop signal, a fatal code) or restart it.
end_chain() {
  local stream="$1"
  report_chain "${stream}"
  [[ -z "${CH_NOTIFY_CMD:-}" ]] || promote_notified "${stream}"
  forget_chain "${stream}"
  if ((stopping)); then
    state["${stream}"]=stopped
  elif [[ -n "${FATAL}" ]]; then
    stream_fatal "${stream}" "${FATAL}" "${FATAL_STAGE}"
  else
    schedule_restart "${stream}"
  fi
}

# ---- The watchdog ----

# stage_files STREAM: the metrics files of STREAM's ch-fetch, ch-parse and
# ch-store, in the array STAGE_FILES (names as the stages write them).
stage_files() {
  local suffix=".prom" program
  [[ "$1" == companies ]] || suffix="-$1.prom"
  STAGE_FILES=()
  for program in ch-fetch ch-parse ch-store; do
    STAGE_FILES+=("${metrics_dir}/${program}${suffix}")
  done
}

# blocked_gauge FILE: chstream_output_blocked_seconds of FILE in ms, in
# REPLY (0 when absent, unreadable or not blocked).
blocked_gauge() {
  local name value=""
  REPLY=0
  [[ -r "$1" ]] || return 0
  while read -r name value; do
    [[ "${name}" == chstream_output_blocked_seconds* ]] && break
    value=""
  done <"$1"
  # A number of seconds; an exponent (a tiny value) counts as 0.
  seconds_ms "${value}" || true
}

# check_progress STREAM: the watchdog, about once a second per chain, from
# the stages' metrics files. Every stage rewrites its file about every 2 s
# while it runs, idle or busy (its heartbeat), and every second while its
# output is blocked, with chstream_output_blocked_seconds. A stage that
# does not read blocks the output of the stage before it, which then stops
# reading too. The chain is restarted (SIGCONT too, in case a stage was
# stopped) when, for longer than CH_WATCHDOG:
# - an output has been blocked: the stuck stage reads the last such output
#   in chain order (the gauge plus the file's age: a stage stopped while
#   blocked stops rewriting it);
# - or a stage has not rewritten its file (counted from the chain's start
#   when the file is older: a stage of an earlier chain wrote it).
# Returns 1 when it restarted the chain.
check_progress() {
  local stream="$1" i now since age mtime name key
  ((watchdog_ms > 0)) || return 0
  now_ms
  now="${REPLY}"
  since="${started_ms[${stream}]}"
  # A look a second, so that each rewrite is seen within a second of it,
  # whatever the wall clock does; from 5 s before CH_WATCHDOG has passed
  # (two rewrites of every stage), as each look costs a fork.
  ((now - since > watchdog_ms - 5000)) || return 0
  local previous="${checked_ms[${stream}]:-0}" first=0
  ((now - previous >= 1000)) || return 0
  checked_ms["${stream}"]="${now}"
  if ((previous < since)); then
    # The chain's first look: what earlier chains' stages wrote is not heard.
    previous="${since}"
    first=1
    for i in 0 1 2; do unset 'file_written_ms[${stream}/${i}]'; done
  fi
  stage_files "${stream}"
  local -A mtimes=()
  # One stat for the three files (each a fork would be, once a second).
  while read -r mtime name; do
    mtimes["${name}"]="${mtime}"
  done < <(stat -c '%.3Y %n' -- "${STAGE_FILES[@]}" 2>/dev/null || true)
  wall_ms
  local wall="${REPLY}"
  local stages=(ch-fetch ch-parse ch-store) readers=(ch-parse ch-store notifier)
  local -a heard=() blocked=()
  for i in 0 1 2; do
    key="${stream}/${i}"
    mtime="${mtimes[${STAGE_FILES[i]}]:-}"
    if [[ "${mtime}" != "${file_mtime[${key}]:-}" ]] && seconds_ms "${mtime}"; then
      # Rewritten since the last look. When, by its time and the wall
      # clock, but clamped between the last look and now: the wall clock
      # may have stepped either way since (75_pipeline_clock_step.sh). At
      # the chain's first look, a file more than a second older than the
      # chain is an earlier chain's.
      file_mtime["${key}"]="${mtime}"
      age=$((wall - REPLY))
      ((age >= 0)) || age=0
      if ((!first || age <= now - since + 1000)); then
        ((age <= now - previous)) || age=$((now - previous))
        file_written_ms["${key}"]=$((now - age))
      fi
    fi
    heard[i]="${file_written_ms[${key}]:-${since}}"
    blocked[i]=0
    if [[ -n "${file_written_ms[${key}]:-}" ]]; then
      blocked_gauge "${STAGE_FILES[i]}"
      ((REPLY == 0)) || blocked[i]=$((REPLY + now - heard[i]))
    fi
  done
  # Neither can exceed CH_WATCHDOG before the chain has run that long.
  ((now - since > watchdog_ms)) || return 0
  for i in 2 1 0; do
    ((blocked[i] > watchdog_ms)) || continue
    format_ms "${blocked[i]}"
    log warn "no progress: restarting the chain" "stage=${readers[i]}" \
      "blocked_output_of=${stages[i]}" "blocked_s:=${REPLY}" "stream=${stream}"
    restart_stuck_chain "${stream}"
    return 1
  done
  for i in 0 1 2; do
    age=$((now - heard[i]))
    ((age > watchdog_ms)) || continue
    format_ms "${age}"
    log warn "no progress: restarting the chain" "stage=${stages[i]}" \
      "metrics_not_rewritten_s:=${REPLY}" "stream=${stream}"
    restart_stuck_chain "${stream}"
    return 1
  done
}

# restart_stuck_chain STREAM: stops the chain (it is then restarted as after
# an exit), with SIGCONT so that a stopped stage gets its SIGTERM now rather
# than its SIGKILL later.
restart_stuck_chain() {
  stop_chain "$1"
  continue_chain "$1"
}

# continue_chain STREAM: SIGCONT to every process of STREAM's chain, so that
# a stopped stage gets its SIGTERM now rather than its SIGKILL later.
continue_chain() {
  local i
  for i in "${!proc_pids[@]}"; do
    [[ "${proc_streams[i]}" == "$1" && -z "${proc_codes[i]:-}" ]] || continue
    kill -CONT "${proc_pids[i]}" 2>/dev/null || true
  done
}

# ---- The event loop ----

# check_chain STREAM: a running chain is stopped when one of its processes
# has exited, a stop signal came or the watchdog saw no progress; its
# chain-stopped marker goes once it has run long enough.
check_chain() {
  local stream="$1"
  if ((stopping)) || [[ -n "${exit_order[${stream}]:-}" ]]; then
    stop_chain "${stream}"
    return 0
  fi
  check_progress "${stream}" || return 0
  if [[ -n "${marker_set[${stream}]:-}" ]]; then
    now_ms
    if ((REPLY - started_ms[${stream}] >= MARKER_CLEAR_MS)); then
      clear_marker "${stream}"
    fi
  fi
}

# finish_chain STREAM: a stopping chain ends once every process has exited;
# whatever outlives CH_STOP_GRACE is killed.
finish_chain() {
  local stream="$1"
  if ! chain_running "${stream}"; then
    end_chain "${stream}"
    return 0
  fi
  now_ms
  if ((REPLY >= deadline_ms[${stream}] && !killed[${stream}])); then
    log warn "stages did not stop in time; killing them" "stream=${stream}"
    kill_chain "${stream}"
    killed["${stream}"]=1
  fi
}

# advance STREAM: one step of STREAM's states.
advance() {
  local stream="$1"
  case "${state[${stream}]}" in
    waiting)
      if ((stopping)); then
        state["${stream}"]=stopped
        return 0
      fi
      now_ms
      if ((REPLY >= due_ms[${stream}])); then
        start_stream "${stream}"
      fi
      ;;
    running) check_chain "${stream}" ;;
    stopping) finish_chain "${stream}" ;;
  esac
}

# settled: true when no stream will run again (each stopped or fatal).
settled() {
  local stream
  for stream in "${streams[@]}"; do
    case "${state[${stream}]}" in
      fatal | stopped) ;;
      *) return 1 ;;
    esac
  done
  return 0
}

# wait_for_event: sleeps until a child exits, a signal comes, or the next
# due restart (at most TICK_SECONDS). `wait -n` returns when a child exits
# or a trapped signal arrives; but a child killed by a signal just before
# `wait -n` starts has already been reported and dropped by bash, so a
# short ticker child bounds that case.
wait_for_event() {
  local stream sleep_ms=$((TICK_SECONDS * 1000))
  now_ms
  local now="${REPLY}"
  for stream in "${streams[@]}"; do
    if [[ "${state[${stream}]}" == waiting ]] && ((due_ms[${stream}] - now < sleep_ms)); then
      sleep_ms=$((due_ms[${stream}] - now))
    fi
  done
  ((sleep_ms >= 10)) || sleep_ms=10
  if [[ -n "${tick_pid}" ]] && kill -0 "${tick_pid}" 2>/dev/null; then
    if ((tick_end_ms <= now + sleep_ms)); then
      wait -n || true
      return 0
    fi
    kill -TERM "${tick_pid}" 2>/dev/null || true
  fi
  format_ms "${sleep_ms}"
  "${SLEEP[@]}" "${REPLY}" 9>&- 8>&- &
  tick_pid=$!
  tick_end_ms=$((now + sleep_ms))
  wait -n || true
}

# supervise: runs every stream's chain until a stop signal, or until every
# stream has stopped for good.
supervise() {
  local stream
  for stream in "${streams[@]}"; do
    state["${stream}"]=waiting
    due_ms["${stream}"]=0
    delay_ms["${stream}"]="${restart_min_ms}"
    exit_order["${stream}"]=""
    if [[ -e "${DB}.${stream}.stopped" ]]; then
      marker_set["${stream}"]=1
    fi
  done
  while :; do
    reap
    for stream in "${streams[@]}"; do
      advance "${stream}"
    done
    settled && break
    wait_for_event
  done
  if [[ -n "${tick_pid}" ]]; then
    kill -TERM "${tick_pid}" 2>/dev/null || true
    wait "${tick_pid}" || true
    tick_pid=""
  fi
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
  # Nothing this supervisor or its stages create (the lock, cursors,
  # markers, captures, metrics) is writable by others, whatever umask it
  # was started with.
  umask "$(printf '%04o' $((8#$(umask) | 8#022)))"

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
  to_ms CH_WATCHDOG "${CH_WATCHDOG:-120}"
  watchdog_ms="${REPLY}"
  if ((restart_min_ms == 0 || restart_max_ms < restart_min_ms)); then
    log error "invalid value: CH_RESTART_MIN must be more than 0 and at most CH_RESTART_MAX" \
      "variable=CH_RESTART_MIN" "value=${CH_RESTART_MIN:-1}"
    exit 78
  fi
  parse_streams

  DB="${CH_DB:-companies.db}"
  BIN_DIR="$(find_bin)"
  export CH_DB="${DB}"
  take_key
  # Stages exit (SIGTERM) if this supervisor dies, even by kill -9: no orphans.
  # Our pid, not 1: a stage started just as we die must see that its parent
  # is not us any more (it ran on as an orphan, found by 74's cleanup).
  export CH_EXIT_WITH_PARENT="$$"
  # mawk reads a pipe in whole buffers unless interactive: a line would wait
  # for the next 4 KiB.
  AWK=(awk)
  # What a FIFO holds at most (Linux's default pipe, 16 pages): the relay's
  # margin before an id counts as read by the notifier (start_notifier).
  NOTIFY_PIPE_BYTES=65536
  if awk -W version 2>/dev/null | grep -q mawk; then
    AWK=(awk -W interactive)
  fi
  # Sleeps die with the supervisor too.
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
  if [[ -n "${CH_METRICS_DIR:-}" ]] && ! mkdir -p "${CH_METRICS_DIR}"; then
    log error "cannot create CH_METRICS_DIR" "path=${CH_METRICS_DIR}"
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
  # CH_DB as a symbolic link names the file it resolves to: that file's
  # lock is taken too, so that two instances reaching one database by the
  # link and by its target cannot both run. (A linked directory needs
  # nothing: its $CH_DB.lock is the same file whichever path names it.)
  local real_db
  if [[ -L "${DB}" ]] && real_db="$(readlink -f -- "${DB}")" && [[ -n "${real_db}" ]]; then
    if ! exec 8>>"${real_db}.lock"; then
      log error "cannot open the lock file" "path=${real_db}.lock"
      exit 78
    fi
    if ! flock -n 8; then
      log info "already running for this database; exiting" "db=${DB}" "resolved=${real_db}"
      exit 0
    fi
  fi
  # After the lock: a second instance started by cron while the key file
  # is briefly away (a rotation the running one waits out) says "already
  # running", not 78. Before the database.
  if ! check_config; then
    exit 78
  fi

  if ! work_dir="$(mktemp -d "${TMPDIR:-/tmp}/chstream.XXXXXX")"; then
    log error "cannot create a temporary directory" "dir=${TMPDIR:-/tmp}"
    exit 78
  fi
  # The watchdog reads the stages' metrics: without CH_METRICS_DIR they
  # write them to a private directory.
  metrics_dir="${CH_METRICS_DIR:-}"
  if [[ -z "${metrics_dir}" ]] && ((watchdog_ms > 0)); then
    metrics_dir="${work_dir}/metrics"
    mkdir -p "${metrics_dir}"
    export CH_METRICS_DIR="${metrics_dir}"
  fi

  local joined
  printf -v joined '%s,' "${streams[@]}"
  log info "starting" "db=${DB}" "streams=${joined%,}" "pid:=$$"
  # Bash reports a child killed by SIGKILL on its stderr in plain text,
  # which is not a log line: the loop runs with stderr to /dev/null, and
  # every child gets the log's descriptor as its stderr.
  supervise 2>/dev/null
  if ((stopping)) || [[ -z "${first_fatal}" ]]; then
    log info "stopped"
    exit 0
  fi
  log error "every stream stopped permanently; exiting" "code:=${first_fatal}"
  exit "${first_fatal}"
}

main "$@"
