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
# - SIGTERM, SIGINT and SIGHUP stop the chain cleanly and exit 0.
#
# The stages are connected through FIFOs in a private temporary directory
# rather than a shell pipeline, so that each stage's pid and exit status are
# known (which one failed is logged) and the supervisor can wait for them in
# the background: bash runs traps only between foreground commands, so every
# child is waited for with `wait`, which a trapped signal interrupts.
set -euo pipefail

readonly PROGRAM="pipeline.sh"
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Restart backoff (seconds): at least CH_RESTART_MIN, doubling up to
# CH_RESTART_MAX, reset once a chain has run for CH_RESTART_RESET.
RESTART_MIN="${CH_RESTART_MIN:-1}"
RESTART_MAX="${CH_RESTART_MAX:-60}"
RESTART_RESET="${CH_RESTART_RESET:-60}"
# Seconds the stages get to finish after SIGTERM before SIGKILL.
STOP_GRACE="${CH_STOP_GRACE:-10}"

stopping=0
stage_pids=()
stage_names=()
sleep_pid=""
work_dir=""

usage() {
  cat <<'EOF'
Usage: pipeline.sh [--help]

Runs ch-fetch | ch-parse | ch-store for one database, restarting the chain
when a stage exits, until SIGTERM, SIGINT or SIGHUP. Configured by the
environment alone:

  CH_STREAM_KEY        stream API key (or CH_STREAM_KEY_FILE: file holding it)
  CH_STREAM_KEY_FILE   file holding the key, re-read at each connection
  CH_STREAM_URL        base URL (default https://stream.companieshouse.gov.uk)
  CH_STREAM            stream name (default companies)
  CH_DB                SQLite database (default companies.db); lock: $CH_DB.lock
  CH_TIMEPOINT         first timepoint when the database has no checkpoint
  CH_IDLE_TIMEOUT      ch-fetch: seconds of silence before reconnecting (90)
  CH_BACKOFF_INITIAL   ch-fetch: first reconnect delay, seconds (1)
  CH_BACKOFF_MAX       ch-fetch: cap on the reconnect delay (300)
  CH_LOG_LEVEL         debug, info, warn, error (info)
  CH_METRICS_DIR       directory for <stage>.prom metrics files (unset: none)
  CH_CAPTURE_DIR       also write the raw stream to daily files
                       <stream>-YYYY-MM-DD.ndjson here (unset: no capture)
  CH_NOTIFY_CMD        shell command fed each committed status change as an
                       NDJSON line on its stdin (ch-store --emit-changes)
  CH_BIN               directory of ch-fetch, ch-parse, ch-store
                       (default: bin/ beside this script, else $PATH)
  CH_RESTART_MIN       seconds before the first restart (1)
  CH_RESTART_MAX       cap on the restart delay (60)
  CH_RESTART_RESET     a chain that ran this long resets the delay (60)
  CH_STOP_GRACE        seconds stages get to stop before SIGKILL (10)

Every other CH_* variable of the stages (see README.md) is passed on.

Exit status: 0 when stopped by a signal or when another instance holds the
lock; 64, 65 or 78 when a stage exited with that code (not restarted).
EOF
}

# One JSON log line on stderr, like the stages' own.
log() {
  local level="$1" message="$2"
  shift 2
  local fields=""
  local kv
  for kv in "$@"; do
    fields+=",\"${kv%%=*}\":\"$(json_escape "${kv#*=}")\""
  done
  printf '{"time":"%s","level":"%s","program":"%s","message":"%s"%s}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$level" "$PROGRAM" "$(json_escape "$message")" \
    "$fields" >&2
}

json_escape() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\t'/\\t}"
  printf '%s' "$s"
}

find_bin() {
  if [[ -n "${CH_BIN:-}" ]]; then
    printf '%s' "$CH_BIN"
  elif [[ -x "$SCRIPT_DIR/bin/ch-store" ]]; then
    printf '%s' "$SCRIPT_DIR/bin"
  else
    dirname "$(command -v ch-store || echo /usr/local/bin/ch-store)"
  fi
}

# Sleeps in the background so that a signal ends the sleep at once.
interruptible_sleep() {
  sleep "$1" &
  sleep_pid=$!
  wait "$sleep_pid" 2>/dev/null || true
  sleep_pid=""
}

on_signal() {
  stopping=1
  log info "stopping" "signal=$1"
  [[ -n "$sleep_pid" ]] && kill -TERM "$sleep_pid" 2>/dev/null || true
  stop_stages
}

stop_stages() {
  local pid
  for pid in "${stage_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
}

# The stored checkpoint, retried: a locked or briefly missing database must
# not kill the supervisor. Prints nothing when there is no checkpoint.
read_checkpoint() {
  local attempt out
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if out="$("$BIN_DIR/ch-store" checkpoint --db "$DB" --stream "$STREAM" 2>/dev/null)"; then
      printf '%s' "$out"
      return 0
    fi
    ((stopping)) && return 1
    log warn "could not read the checkpoint; retrying" "attempt=$attempt"
    interruptible_sleep 1
  done
  return 1
}

# Starts the stages connected by FIFOs; fills stage_pids/stage_names.
start_chain() {
  local timepoint="$1"
  local fetch_args=(--stream "$STREAM")
  [[ -n "$timepoint" ]] && fetch_args+=(--timepoint "$timepoint")
  rm -f "$work_dir"/fifo.*
  mkfifo "$work_dir/fifo.fetch" "$work_dir/fifo.parse"
  stage_pids=()
  stage_names=()

  local store_out=/dev/null store_args=(--db "$DB" --stream "$STREAM")
  if [[ -n "${CH_NOTIFY_CMD:-}" ]]; then
    mkfifo "$work_dir/fifo.notify"
    store_out="$work_dir/fifo.notify"
    store_args+=(--emit-changes)
    sh -c "$CH_NOTIFY_CMD" <"$work_dir/fifo.notify" &
    stage_pids+=($!)
    stage_names+=(notifier)
  fi

  "$BIN_DIR/ch-store" "${store_args[@]}" <"$work_dir/fifo.parse" >"$store_out" &
  stage_pids+=($!)
  stage_names+=(ch-store)

  "$BIN_DIR/ch-parse" --stream "$STREAM" <"$work_dir/fifo.fetch" >"$work_dir/fifo.parse" &
  stage_pids+=($!)
  stage_names+=(ch-parse)

  if [[ -n "${CH_CAPTURE_DIR:-}" ]]; then
    mkfifo "$work_dir/fifo.capture"
    # Tee the raw lines into daily files; flush each line so the capture and
    # the database never differ by more than the line in flight.
    awk -v dir="$CH_CAPTURE_DIR" -v stream="$STREAM" '
      { f = dir "/" stream "-" strftime("%Y-%m-%d", systime(), 1) ".ndjson"
        if (f != current) { if (current != "") close(current); current = f }
        print >> f; fflush(f); print; fflush() }' \
      <"$work_dir/fifo.capture" >"$work_dir/fifo.fetch" &
    stage_pids+=($!)
    stage_names+=(capture)
    "$BIN_DIR/ch-fetch" "${fetch_args[@]}" >"$work_dir/fifo.capture" &
  else
    "$BIN_DIR/ch-fetch" "${fetch_args[@]}" >"$work_dir/fifo.fetch" &
  fi
  stage_pids+=($!)
  stage_names+=(ch-fetch)
}

# Waits until every stage has exited; the first to exit stops the others.
# Sets chain_codes (one per stage, same order) and first_failed.
wait_chain() {
  local deadline=0 i pid alive code
  declare -gA chain_codes=()
  first_failed=""
  while :; do
    alive=0
    for i in "${!stage_pids[@]}"; do
      pid="${stage_pids[$i]}"
      [[ -n "${chain_codes[$i]:-}" ]] && continue
      if kill -0 "$pid" 2>/dev/null; then
        alive=1
        continue
      fi
      code=0
      wait "$pid" 2>/dev/null || code=$?
      chain_codes[$i]=$code
      if [[ -z "$first_failed" ]]; then
        first_failed="$i"
        # One stage is gone: stop the rest so the chain restarts as a whole.
        stop_stages
        deadline=$((SECONDS + STOP_GRACE))
      fi
    done
    ((alive)) || break
    if ((deadline > 0 && SECONDS >= deadline)); then
      log warn "stages did not stop in time; killing them"
      for pid in "${stage_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    fi
    # `wait -n` returns when any child exits or a trapped signal arrives.
    wait -n 2>/dev/null || true
  done
}

main() {
  if [[ $# -gt 0 ]]; then
    case "$1" in
      -h|--help) usage; exit 0 ;;
      *) echo "$PROGRAM: unknown argument '$1'" >&2
         echo "Try '$PROGRAM --help'." >&2
         exit 64 ;;
    esac
  fi

  DB="${CH_DB:-companies.db}"
  STREAM="${CH_STREAM:-companies}"
  BIN_DIR="$(find_bin)"
  export CH_DB="$DB" CH_STREAM="$STREAM"
  # Stages exit (SIGTERM) if this supervisor dies, even by kill -9: no orphans.
  export CH_EXIT_WITH_PARENT=1

  local stage
  for stage in ch-fetch ch-parse ch-store; do
    if [[ ! -x "$BIN_DIR/$stage" ]]; then
      log error "program not found; set CH_BIN" "path=$BIN_DIR/$stage"
      exit 78
    fi
  done
  if [[ -n "${CH_CAPTURE_DIR:-}" ]] && ! mkdir -p "$CH_CAPTURE_DIR"; then
    log error "cannot create CH_CAPTURE_DIR" "path=$CH_CAPTURE_DIR"
    exit 78
  fi

  exec 9>>"$DB.lock" || { log error "cannot open the lock file" "path=$DB.lock"; exit 78; }
  if ! flock -n 9; then
    log info "already running for this database; exiting" "db=$DB"
    exit 0
  fi

  work_dir="$(mktemp -d "${TMPDIR:-/tmp}/chstream.XXXXXX")"
  trap 'rm -rf "$work_dir"' EXIT
  trap 'on_signal TERM' TERM
  trap 'on_signal INT' INT
  trap 'on_signal HUP' HUP

  local delay="$RESTART_MIN" started checkpoint timepoint i name code fatal
  log info "starting" "db=$DB" "stream=$STREAM"
  while ((!stopping)); do
    if ! checkpoint="$(read_checkpoint)"; then
      ((stopping)) && break
      log error "cannot read the checkpoint; retrying later"
      interruptible_sleep "$delay"
      continue
    fi
    if [[ -n "$checkpoint" ]]; then
      timepoint=$((checkpoint + 1))
    else
      timepoint="${CH_TIMEPOINT:-}"
    fi
    started=$SECONDS
    log info "chain starting" "timepoint=${timepoint:-live}"
    start_chain "$timepoint"
    wait_chain

    fatal=""
    for i in "${!stage_names[@]}"; do
      name="${stage_names[$i]}"
      code="${chain_codes[$i]}"
      if [[ "$i" == "$first_failed" ]]; then
        log info "stage exited first" "stage=$name" "code=$code"
      elif [[ "$code" != 0 ]]; then
        log debug "stage exited" "stage=$name" "code=$code"
      fi
      case "$code" in
        64|65|78) [[ -z "$fatal" ]] && fatal="$code" && log error "stage failed permanently; not restarting" "stage=$name" "code=$code" ;;
      esac
    done
    ((stopping)) && break
    if [[ -n "$fatal" ]]; then
      exit "$fatal"
    fi

    if ((SECONDS - started >= RESTART_RESET)); then
      delay="$RESTART_MIN"
    fi
    log info "restarting the chain" "delay=$delay"
    interruptible_sleep "$delay"
    delay=$((delay * 2))
    ((delay > RESTART_MAX)) && delay="$RESTART_MAX"
  done
  log info "stopped"
  exit 0
}

main "$@"
