#!/bin/bash
# pipeline.sh stops instead of restarting on a permanent failure: a key the
# server rejects (401: ch-fetch exits 78) makes the supervisor exit 78 after
# exactly one request; a configuration error of a stage (CH_IDLE_TIMEOUT=abc)
# or of the supervisor (CH_RESTART_MIN=abc, a missing program) is 78 too, an
# unknown argument 64; --help lists every variable of README's table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_capture "$TMP/capture.ndjson" 1 100
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3

# run_pipeline NAME [VAR=VALUE]...: runs pipeline.sh in the foreground (at
# most 20 s) against the server; sets RC and ELAPSED (ms).
run_pipeline() {
  local name="$1" start
  shift
  start=$(now_ms)
  RC=0
  env CH_BIN="$BIN" CH_STREAMS=companies CH_STREAM_URL="http://127.0.0.1:$PORT" CH_STREAM_KEY=testkey CH_DB="$TMP/$name.db" \
    CH_RESTART_MIN=0.2 "$@" timeout -k 2 20 bash "$ROOT/pipeline.sh" >"$TMP/$name.out" 2>"$TMP/$name.err" || RC=$?
  ELAPSED=$(($(now_ms) - start))
}

# 1. 401: one request, exit 78, the reason logged, no stage left.
run_pipeline badkey CH_STREAM_KEY=wrong-key
assert_eq 78 "$RC" "exit status with a rejected key"
[ "$ELAPSED" -lt 10000 ] || fail "the 401 took $ELAPSED ms to stop the supervisor"
assert_eq "1|[False]|[401]" \
  "$(server_q "$TMP/srv.log" '"%d|%s|%s" % (len(starts), [s["auth_ok"] for s in starts], [e["status"] for e in ends])')" \
  "requests to the server (count|auth|status)"
err=$(cat "$TMP/badkey.err")
assert_contains "$err" '"message":"stage failed permanently; not restarting","stage":"ch-fetch","code":78' "why it stopped"
assert_contains "$err" '"message":"chain ended","stage":"ch-fetch","code":78' "the stage that failed"
case "$err" in *'"message":"restarting the chain"'*) fail "restarted after a 401" ;; esac
case "$err" in *wrong-key*) fail "the key appears in the logs" ;; esac
# No stage outlives the supervisor (they were its children; none is left
# with this database on its command line).
[ -z "$(pgrep -f -- "--db $TMP/badkey.db" || true)" ] || fail "a stage outlived the supervisor"

# 2. A stage's configuration error: 78 before any request.
run_pipeline idle CH_IDLE_TIMEOUT=abc
assert_eq 78 "$RC" "exit status with CH_IDLE_TIMEOUT=abc"
assert_eq 1 "$(server_q "$TMP/srv.log" 'len(starts)')" "requests after CH_IDLE_TIMEOUT=abc"
assert_contains "$(cat "$TMP/idle.err")" "CH_IDLE_TIMEOUT" "the variable is named"

run_pipeline busy CH_BUSY_TIMEOUT=soon
assert_eq 78 "$RC" "exit status with CH_BUSY_TIMEOUT=soon (ch-store checkpoint)"

# 3. The supervisor's own configuration: 78 at once, nothing started.
for bad in CH_RESTART_MIN=abc CH_RESTART_MAX=-1 CH_STOP_GRACE=1s CH_LOG_LEVEL=loud CH_BIN=/nonexistent; do
  run_pipeline own "$bad"
  assert_eq 78 "$RC" "exit status with $bad"
  assert_contains "$(cat "$TMP/own.err")" '"level":"error"' "$bad is logged"
  [ ! -e "$TMP/own.db.lock" ] || fail "$bad: the lock file was created before the configuration was checked"
done
# No stream key, a key file that is not there, a stream's first timepoint
# that is no number: one line naming the variable, exit 78, before any
# database work. (They came from every stream's stages once the database
# was made and migrated: 19 lines for nine streams, found by an independent
# run; the timepoint's named CH_TIMEPOINT, which the operator had not set.)
for bad in "CH_STREAM_KEY=" "CH_STREAM_KEY_FILE=$TMP/no-such-key" "CH_TIMEPOINT_FILINGS=abc"; do
  # (The file, when set, is where the key comes from.)
  case "$bad" in
    CH_TIMEPOINT_*) run_pipeline early "$bad" CH_STREAMS=companies,filings ;;
    *) run_pipeline early "$bad" CH_STREAMS=all ;;
  esac
  assert_eq 78 "$RC" "exit status with $bad"
  assert_eq 1 "$(grep -c . "$TMP/early.err")" "one line with $bad: $(cat "$TMP/early.err")"
  assert_contains "$(cat "$TMP/early.err")" "${bad%%=*}" "$bad: the variable is named"
  [ ! -e "$TMP/early.db" ] || fail "$bad: the database was made before the configuration was checked"
  rm -f "$TMP/early.db.lock"
done
assert_eq 1 "$(server_q "$TMP/srv.log" 'len(starts)')" "requests after the supervisor's configuration errors"
# Checked once the lock is held: a second instance, while the first runs,
# says "already running" (exit 0), as cron would start it during a key
# rotation that the first one waits out.
start_pipeline first CH_DB="$TMP/second.db" CH_STREAM_URL="http://127.0.0.1:$PORT" CH_TIMEPOINT=1
wait_for 20 eval '[ -e "$TMP/second.db" ]' || fail "the first instance made no database"
run_pipeline second "CH_STREAM_KEY_FILE=$TMP/no-such-key"
assert_eq 0 "$RC" "a second instance with a missing key file"
assert_contains "$(cat "$TMP/second.err")" '"message":"already running for this database; exiting"' \
  "the second instance"
kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "the first instance did not stop"
run_pipeline capdir CH_CAPTURE_DIR=/proc/nonexistent/capture
assert_eq 78 "$RC" "exit status with an unusable CH_CAPTURE_DIR"
run_pipeline lockdir CH_DB=/nonexistent/dir/x.db
assert_eq 78 "$RC" "exit status when the lock file cannot be made"

# 4. Usage.
expect_exit 64 bash "$ROOT/pipeline.sh" --verbose 2>/dev/null
help=$(bash "$ROOT/pipeline.sh" --help)
# Every variable of README's configuration table that pipeline.sh or its
# stages read while streaming, and every one the script itself reads.
vars=$( (sed -n '/^## Configuration/,/^## /p' "$ROOT/README.md"; cat "$ROOT/pipeline.sh") |
  grep -o 'CH_[A-Z0-9_]*' | sort -u)
for v in $vars; do
  case "$help" in *"$v"*) ;; *) fail "--help does not mention $v" ;; esac
done

echo "PASS 51_pipeline_fatal"
