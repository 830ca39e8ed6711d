#!/bin/bash
# Issue 14: pipeline.sh over four streams from one fake server (captures of
# tests/gen_streams.py), with faults on one stream (officers: 429, a cut
# connection, 503, a stall) and kill -9 of random stages of any stream's
# chain while they run: once every stream has caught up, the database
# equals tests/oracle.py --stream file by file (companies, status changes,
# resources with their data, every typed table, signals by key, leads,
# checkpoints, rejects): nothing lost, nothing twice. A fifth stream the
# server lacks (a 404) stops that stream's chain alone: the four others go
# on, and status is not healthy, naming that stream only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED="${CH_TEST_SEED:-$((RANDOM % 1000 + 1))}"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
RANDOM=$SEED
STREAMS=(companies filings officers insolvency-cases)
G="$TMP/gen"
# --clean: a line without a usable timepoint cannot be resumed after, so a
# kill can lose its reject, which no resuming client can help (bad lines are
# 64_streams_replay_orders' business).
python3 "$ROOT/tests/gen_streams.py" --seed "$SEED" --days 1 --clean --jobs 1 \
  --streams companies,filings,officers,insolvency-cases --lines companies=700 \
  --lines filings=1200 --lines officers=500 --lines insolvency-cases=60 \
  --out-dir "$G" 2>"$TMP/gen.err" || fail "gen_streams.py: $(cat "$TMP/gen.err")"
# The fake server serves an event only when its timepoint is a JSON integer
# (any other line is served in place, and skipped by a resume), as the real
# service's are; each stream starts at its first line's timepoint.
for s in "${STREAMS[@]}"; do
  sed -i -E 's/"timepoint":"([0-9]+)"/"timepoint":\1/g' "$G/$s.ndjson"
done
python3 - "$G" "${STREAMS[@]}" >"$TMP/firsts" <<'EOF' || fail "a capture without a usable first line"
import json, sys
for s in sys.argv[2:]:
    for line in open("%s/%s.ndjson" % (sys.argv[1], s)):
        t = json.loads(line)["event"]["timepoint"]
        if not isinstance(t, int) or t <= 0:
            sys.exit("%s: first line's timepoint %r" % (s, t))
        print(s, t)
        break
EOF
args=()
for s in "${STREAMS[@]}"; do args+=(--stream "$s" "$G/$s.ndjson"); done
mkdir "$TMP/want"
python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/want" "${args[@]}" 2>"$TMP/oracle.err" ||
  fail "oracle.py: $(tail -n 3 "$TMP/oracle.err")"
python3 "$ROOT/tests/oracle.py" --print-sql >"$TMP/queries.tsv"
signals=$(($(wc -l <"$TMP/want/signals.csv") - 1))
[ "$signals" -gt 10 ] || fail "too small a capture: $signals signals"

# officers: 429 (Retry-After 1), a connection cut in the middle of a line
# after 40 lines, 503, one that stalls (not even heartbeats) after 120
# lines until ch-fetch's idle timeout replaces it.
FAULTS='officers:1:status=429,retry_after=1;officers:2:close_after=40,midline'
FAULTS+=';officers:3:status=503;officers:4:stall_after=120'
start_fake_server srv --max-lifetime 100 --heartbeat 0.3 \
  --capture companies="$G/companies.ndjson" --capture filings="$G/filings.ndjson" \
  --capture officers="$G/officers.ndjson" --capture insolvency-cases="$G/insolvency-cases.ndjson" \
  --per-stream 'companies:rate=100;filings:rate=170;officers:rate=80;insolvency-cases:rate=8' \
  --faults "$FAULTS"

DB="$TMP/four.db"
METRICS="$TMP/metrics"
tp() { awk -v s="$1" '$1 == s { print $2 }' "$TMP/firsts"; }
start_pipeline p CH_DB="$DB" CH_METRICS_DIR="$METRICS" \
  CH_STREAMS="companies,filings,charges,officers,insolvency-cases" \
  CH_TIMEPOINT="$(tp companies)" CH_TIMEPOINT_FILINGS="$(tp filings)" \
  CH_TIMEPOINT_OFFICERS="$(tp officers)" CH_TIMEPOINT_INSOLVENCY_CASES="$(tp insolvency-cases)" \
  CH_IDLE_TIMEOUT=1.5 CH_BACKOFF_INITIAL=0.2 CH_BACKOFF_MAX=1 CH_RESTART_MIN=0.2 CH_RESTART_MAX=0.5

# kill -9 of a random stage of any stream's chain, every 0.2-0.6 s, while
# the streams are served (about 7 s).
wait_for 10 has_checkpoint "$DB" || fail "nothing committed: $(tail -n 3 "$TMP/p.err")"
kills=0
declare -A killed_streams=()
end=$(($(now_ms) + 7000))
while [ "$(now_ms)" -lt "$end" ]; do
  sleep "0.$((RANDOM % 5 + 2))"
  mapfile -t pids < <(ps -o pid=,stat=,comm= --ppid "$PIPE_PID" |
    awk '$2 !~ /^Z/ && ($3 == "ch-fetch" || $3 == "ch-parse" || $3 == "ch-store") { print $1 }')
  [ "${#pids[@]}" -gt 0 ] || continue
  pid=${pids[RANDOM % ${#pids[@]}]}
  stream=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^CH_STREAM=//p') || continue
  # A stage may end between the two reads (a chain restarting after the
  # last kill): an assignment takes its command substitution's status, and
  # under set -e a failed read ended the script with no message.
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
  what="$comm of ${stream:-?}"
  kill -9 "$pid" 2>/dev/null || continue
  kills=$((kills + 1))
  killed_streams[${stream:-?}]=1
  echo "kill -9 $what"
done
[ "$kills" -ge 5 ] || fail "only $kills kills"

# Every stream catches up with its capture.
caught_up() {
  local s want
  for s in "${STREAMS[@]}"; do
    want=$(awk -F, -v s="$s" '$1 == s { print $2 }' "$TMP/want/checkpoints.csv")
    [ "$(store --db "$DB" checkpoint --stream "$s")" = "$want" ] || return 1
  done
}
wait_for 60 caught_up || fail "not caught up: $(cat "$TMP/want/checkpoints.csv") vs $(sql "$DB" 'SELECT stream, timepoint FROM stream_state') $(tail -n 3 "$TMP/p.err")"

# charges, which the server lacks: stopped alone (78 after one 404), with a
# marker; the four others caught up above. Status names charges, and only
# charges, while the other chains run.
[ -e "$DB.charges.stopped" ] || fail "no chain-stopped marker for charges"
assert_eq 1 "$(grep -c '"message":"stage failed permanently' "$TMP/p.err" || true)" \
  "chains stopped for good: $(grep '"level":"error"' "$TMP/p.err" | head -n 3)"
assert_contains "$(grep '"message":"stage failed permanently' "$TMP/p.err")" '"stream":"charges"' \
  "the stopped chain"
all_streams="companies,filings,charges,officers,insolvency-cases"
rc=0
STATUS=$(store --db "$DB" --metrics-dir "$METRICS" --streams "$all_streams" status) || rc=$?
assert_eq 1 "$rc" "status exit code with charges stopped: $STATUS"
python3 - "$STATUS" <<'EOF' || fail "status: $STATUS"
import json, sys
st = json.loads(sys.argv[1])
assert st["healthy"] is False
assert st["problems"] and all(p.startswith("charges: ") for p in st["problems"]), st["problems"]
assert any("chain stopped (ch-fetch exited 78" in p for p in st["problems"]), st["problems"]
for s in ("companies", "filings", "officers", "insolvency-cases"):
    assert st["streams"][s]["healthy"] is True, (s, st["streams"][s])
assert st["streams"]["charges"]["healthy"] is False
EOF
kill -TERM "$PIPE_PID"
wait_for 15 all_gone "$PIPE_PID" || fail "the supervisor did not stop"

# The faults were served, on officers' connections only.
assert_eq "[(429, '/officers'), (503, '/officers')]" \
  "$(server_q "$TMP/srv.log" 'sorted(set((e["status"], e["path"]) for e in ends if e["status"] in (429, 503)))')" \
  "error answers"
# The random kills can end that connection first (a killed ch-fetch, or one
# whose reader was killed, closes it before its 40th line): then it was not
# the server's cut, but it must have ended before the cut was due.
assert_eq "True" "$(server_q "$TMP/srv.log" 'any(e["path"] == "/officers" and e["stream_conn"] == 2 and (e["end"] == "abrupt" or e["events_sent"] < 40) for e in ends)')" \
  "officers' second connection cut (or closed by a killed stage before the cut)"
echo "$kills kills over streams: ${!killed_streams[*]}"

# The database equals the oracle, file by file.
mkdir "$TMP/got"
while IFS=$'\t' read -r file query; do
  printf '.output %s\n%s;\n' "$TMP/got/$file" "$query"
done <"$TMP/queries.tsv" |
  sqlite3 -batch -init /dev/null -bail -cmd ".timeout 5000" -csv -header "$DB" ||
  fail "sqlite3 could not run oracle.py --print-sql's queries"
compared=0
while IFS=$'\t' read -r file query; do
  cmp -s "$TMP/want/$file" "$TMP/got/$file" ||
    fail "$file differs from the oracle (< oracle, > database): $(diff "$TMP/want/$file" "$TMP/got/$file" | head -n 6)"
  compared=$((compared + 1))
done <"$TMP/queries.tsv"
[ "$compared" -ge 16 ] || fail "only $compared files compared"
assert_eq "$signals" "$(sql "$DB" 'SELECT count(*) FROM signals')" "signals (none twice)"
echo "PASS 74_pipeline_four_streams ($compared files equal the oracle; $signals signals)"
