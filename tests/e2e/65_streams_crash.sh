#!/bin/bash
# Every stream under kill -9: the records of a nine-stream capture (from
# tests/gen_streams.py, with bad lines), interleaved as several streams'
# backlogs reach one ch-store, are applied
#   1. by a ch-store killed with SIGKILL between the halves (once it has
#      committed the first half of every stream and waits for more), then a
#      new ch-store given only the second halves, as a fetcher resuming at
#      each checkpoint would;
#   2. by ch-stores killed at random moments of a slow feed, each restarted
#      on the whole input (a replay); after each kill the database holds
#      exactly the input up to its checkpoints (a fresh database fed that
#      prefix is the same, rejects aside), and passes integrity_check.
# Both end equal to one uninterrupted run, ids included (status changes,
# signals), and to tests/oracle.py --stream file by file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED="${CH_TEST_SEED:-$((RANDOM % 1000 + 1))}"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
RANDOM=$SEED
G="$TMP/gen"
python3 "$ROOT/tests/gen_streams.py" --seed "$SEED" --days 1 --scale 0.02 --out-dir "$G" \
  2>"$TMP/gen.err" || fail "gen_streams.py: $(cat "$TMP/gen.err")"

# Records of each stream, halved; the input is the first halves
# interleaved 40 lines at a time, then the second halves likewise.
R="$TMP/records"
mkdir -p "$R"
firsts=()
seconds=()
args=()
for s in "${STREAMS_ALL[@]}"; do
  "$BIN/ch-parse" --stream "$s" <"$G/$s.ndjson" >"$R/$s" 2>/dev/null || fail "ch-parse --stream $s"
  n=$(wc -l <"$R/$s")
  head -n $((n / 2)) "$R/$s" >"$R/$s.1"
  tail -n +$((n / 2 + 1)) "$R/$s" >"$R/$s.2"
  firsts+=("$R/$s.1")
  seconds+=("$R/$s.2")
  args+=("$s" "$G/$s.ndjson")
done
interleave_chunks "$R/first" 40 "${firsts[@]}"
interleave_chunks "$R/second" 40 "${seconds[@]}"
cat "$R/first" "$R/second" >"$R/all"
oracle_streams "$TMP/want" "${args[@]}"

# snapshot DB DIR: everything the database decides (ids included, the wall
# clock excluded) as files in DIR.
snapshot() {
  db_as_oracle_files "$1" "$2"
  dump_db "$1" >"$2/dump.txt"
}
# same_snapshot DIR1 DIR2 WHAT [--no-rejects]
same_snapshot() {
  local a="$1" b="$2" what="$3"
  if [ "${4:-}" = --no-rejects ]; then
    rm -f "$a/rejects.csv" "$b/rejects.csv"
    sed -i '/^reject|/d' "$a/dump.txt" "$b/dump.txt"
  fi
  diff -r "$a" "$b" >"$TMP/snapshot.diff" || fail "$what: $(head -n 8 "$TMP/snapshot.diff")"
}

store --db "$TMP/ref.db" <"$R/all" || fail "the uninterrupted run exited $?"
compare_with_oracle "$TMP/ref.db" "$TMP/want" "the uninterrupted run"
snapshot "$TMP/ref.db" "$TMP/ref"

# max_checkpoints FILE: "stream timepoint" per stream, the largest timepoint
# of a record of FILE (what the checkpoints are once FILE is applied).
max_checkpoints() {
  python3 - "$1" <<'PY'
import json, sys
best = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("kind") in ("company", "resource"):
        best[r["stream"]] = max(best.get(r["stream"], -1), r["timepoint"])
for s in sorted(best):
    print(s, best[s])
PY
}
db_checkpoints() {
  sql "$1" "SELECT stream || ' ' || timepoint FROM stream_state WHERE timepoint IS NOT NULL ORDER BY stream"
}

# ---------------------------------------------------- 1. between the halves
want_first=$(max_checkpoints "$R/first")
mkfifo "$TMP/fifo"
# Read-write: opening a FIFO so does not wait for the other end, and the
# write end stays open (ch-store waits for more) until the kill.
exec 7<>"$TMP/fifo"
start_bg "${STORE[@]}" --db "$TMP/halves.db" <"$TMP/fifo"
store_pid=$BG_PID
cat "$R/first" >&7
first_applied() { [ "$(db_checkpoints "$TMP/halves.db")" = "$want_first" ]; }
wait_for 20 first_applied || fail "the first halves were not committed: $(db_checkpoints "$TMP/halves.db")"
kill -KILL "$store_pid"
wait "$store_pid" 2>/dev/null || true
exec 7>&-
assert_eq ok "$(sql "$TMP/halves.db" "PRAGMA integrity_check")" "integrity after the kill"
store --db "$TMP/halves.db" <"$R/second" || fail "the run on the second halves exited $?"
snapshot "$TMP/halves.db" "$TMP/halves"
same_snapshot "$TMP/ref" "$TMP/halves" "killed between the halves, then the second halves"
compare_with_oracle "$TMP/halves.db" "$TMP/want" "killed between the halves"

# ---------------------------------------------------- 2. at random moments
# prefix_of DB: the records of the input up to the first that brings every
# checkpoint to the database's (rejects carry no position: excluded below).
prefix_of() {
  python3 - "$R/all" "$1" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
try:
    want = dict(db.execute("SELECT stream, timepoint FROM stream_state WHERE timepoint IS NOT NULL"))
except sqlite3.OperationalError:  # killed before its first migration
    want = {}
lines = open(sys.argv[1], encoding="utf-8").readlines()
best = {}
end = 0
while best != want:
    if end == len(lines):
        sys.exit("checkpoints %r are no prefix of the input" % want)
    r = json.loads(lines[end])
    end += 1
    if r.get("kind") in ("company", "resource"):
        best[r["stream"]] = max(best.get(r["stream"], -1), r["timepoint"])
sys.stdout.write("".join(lines[:end]))
PY
}

kills=0
complete=$(progress "$TMP/ref.db")
for round in 1 2 3; do
  # The kill comes at a random moment after the run's first commit (the
  # feed takes about 2 s: 10 records every 5 ms).
  before=$(progress "$TMP/random.db")
  [ "$before" != "$complete" ] || break
  delay=$(awk -v r=$((RANDOM % 300)) 'BEGIN { printf "%.3f", r / 1000 }')
  mkfifo "$TMP/fifo.$round"
  feed_slowly "$R/all" 10 0.005 >"$TMP/fifo.$round" &
  BG_PIDS+=("$!")
  start_bg "${STORE[@]}" --db "$TMP/random.db" <"$TMP/fifo.$round"
  store_pid=$BG_PID
  wait_for 20 progressed "$TMP/random.db" "$before" || fail "round $round: no commit within 20 s"
  sleep "$delay"
  kill -KILL "$store_pid" 2>/dev/null || true
  wait "$store_pid" 2>/dev/null || true
  kills=$((kills + 1))
  assert_eq ok "$(sql "$TMP/random.db" "PRAGMA integrity_check")" "integrity after kill $round ($delay s)"
  prefix_of "$TMP/random.db" >"$TMP/prefix.ndjson" || fail "kill $round: $(cat "$TMP/prefix.ndjson")"
  rm -f "$TMP/prefix.db"*
  store --db "$TMP/prefix.db" <"$TMP/prefix.ndjson" || fail "the prefix run exited $?"
  snapshot "$TMP/random.db" "$TMP/random.$round"
  snapshot "$TMP/prefix.db" "$TMP/prefix.$round"
  same_snapshot "$TMP/prefix.$round" "$TMP/random.$round" \
    "after kill $round ($delay s) the database is not the input up to its checkpoints" --no-rejects
  echo "kill $round $delay s after a commit: $(wc -l <"$TMP/prefix.ndjson") of $(wc -l <"$R/all") records committed"
done
store --db "$TMP/random.db" <"$R/all" || fail "the last replay exited $?"
snapshot "$TMP/random.db" "$TMP/random"
same_snapshot "$TMP/ref" "$TMP/random" "killed $kills times and replayed"
compare_with_oracle "$TMP/random.db" "$TMP/want" "killed at random moments"
echo "PASS 65_streams_crash ($(wc -l <"$R/all") records, seed $SEED)"
