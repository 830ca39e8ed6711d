#!/bin/bash
# The write path far past every one of its bounds, made small with
# CH_TEST_LIMITS (ch-store/write_path_limits.h): 61 remembered companies,
# transactions of 13 stream or 17 bulk records, a checkpoint thread at 1,000
# WAL frames and the writer's own at 3,000, a 64 KiB WAL size limit, 3 reading
# slots handed over 2 at a time. A randomised capture (many more companies
# than the cache holds, status flips, events without a status, deletes,
# re-publications, duplicates, bad lines) must give exactly what
# tests/oracle.py says, change by change:
#  1. in one run through ch-parse | ch-store;
#  2. split across four ch-store processes at random points, each starting a
#     little before the previous one stopped (a restart replays from an
#     older point), two of them with the writer checkpointing itself every
#     500 frames instead of the thread;
#  3. with ch-store killed (-9) at random moments and started again on the
#     whole input, until a run gets to the end.
# 4. Snapshot rows among the stream's (bulk batches, snapshot states
#    replacing cached stream states): the same database with small bounds as
#    with the release ones.
# The seed is random; CH_TEST_SEED=N repeats a run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED=${CH_TEST_SEED:-$((RANDOM % 10000))}
LIMITS="state_cache_entries=61,stream_batch_records=13,bulk_batch_records=17"
LIMITS+=",checkpoint_start_frames=1000,checkpoint_inline_frames=3000,reader_slots=3"
LIMITS+=",reader_wake_batch=2,journal_size_limit_bytes=65536,wal_autocheckpoint_frames=100"
CAPTURE="$TMP/capture.ndjson"
RECORDS="$TMP/records.ndjson"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
# From 21:00 to about 02:50: the snapshot of 2023-11-05 (part 4) falls inside.
python3 "$ROOT/tests/gen_capture.py" --events 16000 --companies 4000 --flip-rate 0.3 \
  --no-status-rate 0.05 --seed "$SEED" --start-date 2023-11-04T21:00:00 --out "$CAPTURE" 2>/dev/null
"$BIN/ch-parse" < "$CAPTURE" > "$RECORDS" 2>/dev/null
small() { CH_TEST_LIMITS="$LIMITS" store "$@"; }

# 1. One run, through the pipe.
"$BIN/ch-parse" < "$CAPTURE" 2>/dev/null |
  CH_TEST_LIMITS="$LIMITS" CH_LOG_LEVEL=info "$BIN/ch-store" --db "$TMP/one.db" 2> "$TMP/one.log" ||
  fail "seed $SEED: one run exited $?"
python3 - "$TMP/one.log" <<'PY' || fail "seed $SEED: the run did not go past the bounds: $(tail -n 1 "$TMP/one.log")"
import json, sys
end = [json.loads(l) for l in open(sys.argv[1]) if '"end of input"' in l][-1]
assert end["commits"] > 16000 // 13 // 2 and end["background_checkpoints"] >= 2, end
PY

# 2. Four processes at random points.
python3 - "$RECORDS" "$TMP/part" "$SEED" <<'PY'
import random, sys
lines = open(sys.argv[1], "rb").readlines()
rng = random.Random(int(sys.argv[3]))
# Every part at least 2,000 lines long: a part 1 of 145 lines (seed 9611,
# 135 of them sent again) never reached the inline checkpoint it must show.
while True:
    cuts = sorted(rng.sample(range(500, len(lines) - 500), 3)) + [len(lines)]
    if all(b - a >= 2000 for a, b in zip([0] + cuts, cuts)):
        break
begin = 0
for i, end in enumerate(cuts):
    open("%s.%d" % (sys.argv[2], i), "wb").writelines(lines[begin:end])
    begin = max(0, end - rng.randint(1, 300))
PY
# Parts 1 and 3 never wake the checkpoint thread: the writer checkpoints
# itself every 500 WAL frames (the inline bound).
INLINE="${LIMITS/checkpoint_start_frames=1000,checkpoint_inline_frames=3000/checkpoint_start_frames=1000000,checkpoint_inline_frames=500}"
for i in 0 1 2 3; do
  limits=$LIMITS
  [ $((i % 2)) = 0 ] || limits=$INLINE
  CH_TEST_LIMITS="$limits" CH_LOG_LEVEL=info "$BIN/ch-store" --db "$TMP/split.db" < "$TMP/part.$i" \
    2> "$TMP/part.$i.log" || fail "seed $SEED: part $i exited $?"
done
grep -q '"inline_checkpoints":[1-9]' "$TMP/part.1.log" ||
  fail "seed $SEED: part 1 never checkpointed inline: $(grep 'end of input' "$TMP/part.1.log")"

# 3. kill -9 at random moments, then the whole input again.
feed() {
  python3 - "$1" <<'PY'
import sys, time
lines = open(sys.argv[1], "rb").readlines()
out = sys.stdout.buffer
try:
    for i in range(0, len(lines), 400):
        out.write(b"".join(lines[i:i + 400]))
        out.flush()
        time.sleep(0.04)  # 1.6 s in all: the kills below land inside it
except BrokenPipeError:
    pass
PY
}
kills=0
for attempt in 1 2 3 4 5 6; do
  rm -f "$TMP/fifo"
  mkfifo "$TMP/fifo"
  ( feed "$RECORDS" > "$TMP/fifo" ) &
  BG_PIDS+=("$!")
  start_bg env CH_TEST_LIMITS="$LIMITS" "${STORE[@]}" --db "$TMP/kill.db" < "$TMP/fifo"
  store_pid=$BG_PID
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + (r % 100) / 100 }')"
  if kill -KILL "$store_pid" 2>/dev/null; then
    kills=$((kills + 1))
  fi
  wait "$store_pid" 2>/dev/null || true
  [ "$kills" -lt 3 ] || break
done
small --db "$TMP/kill.db" < "$RECORDS" || fail "seed $SEED: the run after the kills exited $?"
[ "$kills" -ge 1 ] || fail "seed $SEED: ch-store always finished before it could be killed"

python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" --compare-db "$TMP/one.db" \
  --compare-db "$TMP/split.db" --compare-db "$TMP/kill.db" "$CAPTURE" 2> "$TMP/oracle.err" ||
  fail "seed $SEED: differs from the oracle: $(grep -v 'agrees\|oracle: lines=' "$TMP/oracle.err" | head -n 8)"

# 4. Snapshot rows among the stream's, with small and with release bounds.
python3 "$ROOT/tests/gen_bulk_csv.py" --rows 3000 --seed "$SEED" --snapshot-date 2023-11-05 \
  --company-numbers-from "$CAPTURE" --out "$TMP/bulk.csv" 2>/dev/null
"$BIN/ch-parse" --format bulk-csv --as-of 2023-11-05 < "$TMP/bulk.csv" > "$TMP/bulk.ndjson" 2>/dev/null
head -n 6000 "$RECORDS" > "$TMP/first.ndjson"
for run in small store; do
  "$run" --db "$TMP/mixed-$run.db" < "$TMP/first.ndjson" || fail "seed $SEED: $run first part"
  "$run" --db "$TMP/mixed-$run.db" < "$TMP/bulk.ndjson" || fail "seed $SEED: $run snapshot"
  "$run" --db "$TMP/mixed-$run.db" < "$RECORDS" || fail "seed $SEED: $run the rest"
  dump_db "$TMP/mixed-$run.db" > "$TMP/mixed-$run.txt"
done
cmp -s "$TMP/mixed-small.txt" "$TMP/mixed-store.txt" ||
  fail "seed $SEED: small bounds differ from the release ones: $(diff "$TMP/mixed-small.txt" "$TMP/mixed-store.txt" | head -n 4)"
[ "$(sql "$TMP/mixed-store.db" "SELECT count(*) FROM status_changes WHERE source = 'bulk'")" -gt 0 ] ||
  fail "seed $SEED: the snapshot changed no stream state"
echo "PASS 62_scale_small_bounds (seed $SEED; $kills kills; $(sql "$TMP/one.db" "SELECT count(*) FROM status_changes") status changes)"
