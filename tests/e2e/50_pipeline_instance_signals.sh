#!/bin/bash
# e2e: alone (it times how fast a second instance gives up)
# pipeline.sh, one instance and clean stops: while one supervisor streams
# into a database, a second one for the same database exits 0 at once with
# one log line and starts nothing; SIGTERM (and SIGINT, SIGHUP) stop the
# chain and exit 0 within a few seconds with no stage left running and the
# committed data kept; a stop signal also ends a restart backoff sleep at
# once; the restart delay doubles up to CH_RESTART_MAX.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_capture "$TMP/capture.ndjson" 1000 20999
start_fake_server srv --capture "$TMP/capture.ndjson" --heartbeat 0.3 --rate 400

# stop_and_check NAME SIGNAL: sends SIGNAL to the supervisor; it must exit 0
# within 5 s and leave none of its processes behind.
stop_and_check() {
  local name="$1" signal="$2" procs start rc=0
  procs=$(descendants "$PIPE_PID")
  [ -n "$procs" ] || fail "$name: the supervisor has no children"
  start=$(now_ms)
  kill -"$signal" "$PIPE_PID"
  wait_for 5 all_gone "$PIPE_PID" || fail "$name: still running 5 s after SIG$signal"
  wait "$PIPE_PID" || rc=$?
  assert_eq 0 "$rc" "$name: exit status after SIG$signal"
  echo "$name: SIG$signal -> exit 0 in $(($(now_ms) - start)) ms"
  # shellcheck disable=SC2086
  wait_for 2 all_gone $procs || fail "$name: processes left after SIG$signal: $(ps -o pid=,comm= -p "$(echo $procs | tr ' ' ,)")"
  assert_contains "$(cat "$TMP/$name.err")" '"message":"stopped"' "$name: last log line"
}

# 1. One instance per database (also when reached through a symbolic link).
DB="$TMP/a.db"
start_pipeline first CH_DB="$DB" CH_TIMEPOINT=1000
wait_for 20 has_checkpoint "$DB" || fail "the first supervisor committed nothing: $(tail -n 5 "$TMP/first.err")"
start=$(now_ms)
rc=0
CH_BIN="$BIN" CH_STREAMS=companies CH_DB="$DB" CH_STREAM_URL="http://127.0.0.1:$PORT" CH_STREAM_KEY=testkey \
  timeout 10 bash "$ROOT/pipeline.sh" >"$TMP/second.out" 2>"$TMP/second.err" || rc=$?
elapsed=$(($(now_ms) - start))
assert_eq 0 "$rc" "second instance exit status"
[ "$elapsed" -lt 3000 ] || fail "the second instance took $elapsed ms to give up"
assert_eq 1 "$(wc -l <"$TMP/second.err" | tr -d ' ')" "log lines of the second instance"
assert_contains "$(cat "$TMP/second.err")" '"message":"already running for this database; exiting"' "second instance"
# The same database through a symbolic link is the same database.
ln -s "$DB" "$TMP/link.db"
rc=0
CH_BIN="$BIN" CH_STREAMS=companies CH_DB="$TMP/link.db" CH_STREAM_URL="http://127.0.0.1:$PORT" CH_STREAM_KEY=testkey \
  timeout 10 bash "$ROOT/pipeline.sh" >"$TMP/linked.out" 2>"$TMP/linked.err" || rc=$?
assert_eq 0 "$rc" "instance through a link: exit status"
assert_contains "$(cat "$TMP/linked.err")" '"message":"already running for this database; exiting"' "instance through a link"
assert_eq "[1]" "$(server_q "$TMP/srv.log" '[s["conn"] for s in starts]')" "connections while two supervisors ran"
kill -0 "$PIPE_PID" 2>/dev/null || fail "the first supervisor died"

# 2. SIGTERM while streaming: exit 0, nothing left, the commits kept.
stop_and_check first TERM
kept=$(store --db "$DB" checkpoint)
[ "$kept" -ge 1000 ] || fail "checkpoint after SIGTERM: [$kept]"
# Exactly the events up to the checkpoint: one company each, none twice.
assert_eq "$((kept - 999))|$((kept - 999))" "$(sql "$DB" "SELECT count(*) || '|' || count(DISTINCT company_number) FROM companies")" \
  "companies after SIGTERM"
assert_eq "$((kept - 999))" "$(sql "$DB" "SELECT count(*) FROM status_changes")" "status changes after SIGTERM"

# The lock is free again: a new supervisor resumes after the checkpoint.
start_pipeline again CH_DB="$DB" CH_TIMEPOINT=1000
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -gt "$kept" ]' || fail "no progress after a restart"
assert_contains "$(cat "$TMP/again.err")" "\"message\":\"chain starting\",\"timepoint\":\"$((kept + 1))\"" \
  "the restart starts after the checkpoint"
stop_and_check again INT

start_pipeline hup CH_DB="$DB"
wait_for 10 eval '[ -n "$(child_pid "$PIPE_PID" ch-fetch)" ]' || fail "hup: ch-fetch did not start"
stop_and_check hup HUP

# A stopped stage (SIGSTOP, as a debugger or an operator leaves it) stops
# too: pipeline.sh continues it after the TERM. It took CH_STOP_GRACE and
# SIGKILL before (an independent run: 11.5 s).
# The chain's stages, wherever they sit under the supervisor.
stages() {
  local pid
  for pid in $(descendants "$PIPE_PID"); do ps -o pid=,comm= -p "$pid" 2>/dev/null || true; done |
    awk '$2 ~ /^ch-(fetch|parse|store)$/ { print $1 }'
}
before=$(store --db "$DB" checkpoint)
start_pipeline sigstop CH_DB="$DB" CH_STOP_GRACE=20
wait_for 20 eval '[ "$(store --db "$DB" checkpoint)" -gt "$before" ]' || fail "sigstop: no progress"
[ "$(stages | wc -l)" -eq 3 ] || fail "sigstop: not three stages: $(stages)"
# shellcheck disable=SC2046
kill -STOP $(stages)
stop_and_check sigstop TERM
grep -q '"message":"stages did not stop in time; killing them"' "$TMP/sigstop.err" &&
  fail "sigstop: the stopped stages were killed"

# 3. A stage that keeps failing: the delay doubles up to CH_RESTART_MAX, and
# SIGTERM during the backoff sleep exits 0 at once.
mkdir "$TMP/failbin"
ln -s "$BIN/ch-fetch" "$BIN/ch-parse" "$TMP/failbin/"
cat >"$TMP/failbin/ch-store" <<EOF
#!/bin/sh
# checkpoint works; applying records fails as on a locked database (75).
if [ "\${1:-}" = checkpoint ]; then exec "$BIN/ch-store" "\$@"; fi
echo '{"level":"error","program":"ch-store","message":"database is locked (test)"}' >&2
exit 75
EOF
chmod +x "$TMP/failbin/ch-store"
start_pipeline failing CH_DB="$TMP/f.db" CH_BIN="$TMP/failbin" CH_RESTART_MIN=0.2 CH_RESTART_MAX=0.8 \
  CH_RESTART_RESET=30
restarts() { grep -c '"message":"restarting the chain"' "$TMP/failing.err" || true; }
wait_for 20 eval '[ "$(restarts)" -ge 5 ]' || fail "fewer than 5 restarts: $(tail -n 3 "$TMP/failing.err")"
assert_eq "0.200 0.400 0.800 0.800 0.800" \
  "$(grep -o '"message":"restarting the chain","delay_s":[0-9.]*' "$TMP/failing.err" | head -n 5 | sed 's/.*://' | tr '\n' ' ' | sed 's/ $//')" \
  "restart delays"
assert_contains "$(cat "$TMP/failing.err")" '"message":"chain ended","stage":"ch-store","code":75' \
  "the failing stage is named"
kill -TERM "$PIPE_PID"
wait_for 5 all_gone "$PIPE_PID" || fail "failing: still running after SIGTERM"
rc=0
wait "$PIPE_PID" || rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM while restarting"

# Now with a long backoff, to be sure the signal lands in the sleep.
start_pipeline sleeping CH_DB="$TMP/f.db" CH_BIN="$TMP/failbin" CH_RESTART_MIN=30
wait_for 10 grep -q '"message":"restarting the chain"' "$TMP/sleeping.err" || fail "sleeping: no restart"
sleep 0.3
procs=$(descendants "$PIPE_PID")
start=$(now_ms)
kill -TERM "$PIPE_PID"
wait_for 3 all_gone "$PIPE_PID" || fail "SIGTERM did not end a 30 s backoff sleep"
rc=0
wait "$PIPE_PID" || rc=$?
assert_eq 0 "$rc" "exit status after SIGTERM in the backoff sleep"
echo "backoff sleep: SIGTERM -> exit 0 in $(($(now_ms) - start)) ms"
# shellcheck disable=SC2086
wait_for 2 all_gone $procs || fail "the backoff sleep outlived the supervisor"

echo "PASS 50_pipeline_instance_signals"
