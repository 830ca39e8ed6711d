#!/bin/bash
# Key exposure at the edges (issue 16 item 9): pipeline.sh gives the stream
# key (CH_STREAM_KEY, CH_STREAM_KEY_FILE) to ch-fetch alone: ch-parse,
# ch-store, the capture filter, the relay, the notifier and the supervisor's
# sleeps never have it in their environment. And nothing chstream creates
# (lock, cursors, chain-stopped marker, captures, metrics, the database) is
# writable by others, even when started with umask 000.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_capture "$TMP/companies.ndjson" 1 400
python3 "$ROOT/tests/gen_streams.py" --seed 72 --days 1 --scale 0.01 --clean --out-dir "$TMP/gen" >/dev/null 2>&1
F="$TMP/gen/filings.ndjson"
# officers is not served: a 404, which leaves a chain-stopped marker.
start_fake_server srv --capture companies="$TMP/companies.ndjson" --capture filings="$F" \
  --heartbeat 0.3 --rate 100
printf 'testkey\n' >"$TMP/key"
mkdir "$TMP/run"
DB="$TMP/run/k.db"
(
  umask 000
  start_pipeline p CH_DB="$DB" CH_STREAMS=companies,filings,officers CH_TIMEPOINT=1 \
    CH_TIMEPOINT_FILINGS="$(head -n 1 "$F" | python3 -c 'import json, sys; print(json.load(sys.stdin)["event"]["timepoint"])')" \
    CH_STREAM_KEY=also-a-key CH_STREAM_KEY_FILE="$TMP/key" CH_CAPTURE_DIR="$TMP/run/capture" \
    CH_METRICS_DIR="$TMP/run/metrics" CH_NOTIFY_CMD="cat >> '$TMP/run/notified.ndjson'"
  echo "$PIPE_PID" >"$TMP/pipe.pid"
)
PIPE_PID=$(cat "$TMP/pipe.pid")
BG_PIDS+=("$PIPE_PID")
wait_for 20 has_checkpoint "$DB" || fail "nothing committed: $(tail -n 3 "$TMP/p.err")"
wait_for 10 test -e "$DB.officers.stopped" || fail "no marker for the stream the server lacks"

# Every process under the supervisor, while the chains run.
sleep 1
checked=0
fetches=0
for pid in $(descendants "$PIPE_PID"); do
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
  env_text=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null) || continue
  checked=$((checked + 1))
  if [ "$comm" = ch-fetch ]; then
    fetches=$((fetches + 1))
    grep -q '^CH_STREAM_KEY_FILE=' <<<"$env_text" || fail "ch-fetch ($pid) lacks CH_STREAM_KEY_FILE"
    grep -q '^CH_STREAM_KEY=also-a-key$' <<<"$env_text" || fail "ch-fetch ($pid) lacks CH_STREAM_KEY"
  elif grep -q '^CH_STREAM_KEY' <<<"$env_text"; then
    fail "$comm ($pid) has the stream key in its environment"
  fi
done
echo "environment of $checked processes checked ($fetches ch-fetch)"
assert_eq 2 "$fetches" "ch-fetch processes (companies and filings)"
[ "$checked" -ge 12 ] || fail "only $checked processes seen: $(ps -o pid=,comm= --ppid "$PIPE_PID" | tr '\n' ' ')"
case "$(cat "$TMP/p.err")" in *also-a-key* | *testkey*) fail "the key is in the log" ;; esac

kill -TERM "$PIPE_PID"
wait_for 10 all_gone "$PIPE_PID" || fail "the supervisor did not stop"

# What was created, and that none of it is writable by others.
for f in "$DB.lock" "$DB.notified" "$DB.filings.signals.notified" "$DB.officers.stopped" "$DB"; do
  [ -e "$f" ] || fail "expected $f"
done
ls "$TMP/run/capture/"companies-*.ndjson "$TMP/run/metrics/ch-fetch-filings.prom" >/dev/null ||
  fail "captures or metrics missing: $(ls -R "$TMP/run")"
writable=$(find "$TMP/run" -perm -0002 ! -type l)
[ -z "$writable" ] || fail "writable by others under umask 000: $(ls -ld $writable)"
echo "modes: $(find "$TMP/run" -type f | wc -l) files, none writable by others"

echo "PASS 72_pipeline_key_env_modes"
