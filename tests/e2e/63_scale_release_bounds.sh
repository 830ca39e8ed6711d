#!/bin/bash
# The write path at its release bounds, at full size: a randomised capture of
# 160,000 events over 75,000 companies (more than twice the 32,768 the
# state cache holds: it starts afresh twice) with status flips, events
# without a status and re-publications, through ch-parse | ch-store with no
# CH_TEST_LIMITS: transactions of up to 20,000 records, the checkpoint thread
# at 48,000 WAL frames (about 200 MB; the run asserts it checkpointed), 128
# reading slots. The database must be what tests/oracle.py says, change by
# change:
#  1. in one run;
#  2. split across three ch-store processes at random points (overlapping);
#  3. with ch-store killed (-9) in the middle of a run, then given the whole
#     capture again.
# The largest end-to-end test: about half a minute on two idle cores.
# The seed is random; CH_TEST_SEED=N repeats a run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED=${CH_TEST_SEED:-$((RANDOM % 10000))}
CAPTURE="$TMP/capture.ndjson"
RECORDS="$TMP/records.ndjson"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
python3 "$ROOT/tests/gen_capture.py" --events 160000 --companies 75000 --flip-rate 0.2 \
  --no-status-rate 0.02 --seed "$SEED" --out "$CAPTURE" 2>/dev/null
"$BIN/ch-parse" < "$CAPTURE" > "$RECORDS" 2>/dev/null

# 1. One run, through the pipe.
"$BIN/ch-parse" < "$CAPTURE" 2>/dev/null |
  CH_LOG_LEVEL=info "$BIN/ch-store" --db "$TMP/one.db" 2> "$TMP/one.log" || fail "seed $SEED: one run exited $?"
grep -q '"test limits' "$TMP/one.log" && fail "CH_TEST_LIMITS is set: this test is about the release bounds"
python3 - "$TMP/one.log" <<'PY' || fail "seed $SEED: no background checkpoint: $(grep 'end of input' "$TMP/one.log")"
import json, sys
end = [json.loads(l) for l in open(sys.argv[1]) if '"end of input"' in l][-1]
assert end["background_checkpoints"] >= 1, end
PY

# 2. Three processes at random points.
python3 - "$RECORDS" "$TMP/part" "$SEED" <<'PY'
import random, sys
lines = open(sys.argv[1], "rb").readlines()
rng = random.Random(int(sys.argv[3]))
cuts = sorted(rng.sample(range(5000, len(lines) - 5000), 2)) + [len(lines)]
begin = 0
for i, end in enumerate(cuts):
    open("%s.%d" % (sys.argv[2], i), "wb").writelines(lines[begin:end])
    begin = max(0, end - rng.randint(1, 3000))
PY
for i in 0 1 2; do store --db "$TMP/split.db" < "$TMP/part.$i" || fail "seed $SEED: part $i exited $?"; done

# 3. kill -9 in the middle of a run, then the whole capture again.
start_bg "${STORE[@]}" --db "$TMP/kill.db" < "$RECORDS"
store_pid=$BG_PID
wait_for 30 has_checkpoint "$TMP/kill.db" || fail "seed $SEED: no commit within 30 s"
sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", (r % 60) / 100 }')"
killed=no
kill -KILL "$store_pid" 2>/dev/null && killed=yes
wait "$store_pid" 2>/dev/null || true
at=$(store --db "$TMP/kill.db" checkpoint)
store --db "$TMP/kill.db" < "$RECORDS" || fail "seed $SEED: the run after the kill exited $?"

python3 "$ROOT/tests/oracle.py" --out-dir "$TMP/oracle" --compare-db "$TMP/one.db" \
  --compare-db "$TMP/split.db" --compare-db "$TMP/kill.db" "$CAPTURE" 2> "$TMP/oracle.err" ||
  fail "seed $SEED: differs from the oracle: $(grep -v 'agrees\|oracle: lines=' "$TMP/oracle.err" | head -n 8)"
companies=$(sql "$TMP/one.db" "SELECT count(*) FROM companies")
[ "$companies" -gt 65536 ] || fail "seed $SEED: only $companies companies: the cache never started afresh twice"
echo "PASS 63_scale_release_bounds (seed $SEED; $companies companies; killed: $killed at checkpoint $at; $(grep -o '"background_checkpoints":[0-9]*' "$TMP/one.log"))"
