#!/bin/bash
# Consumers of leads and signals across interruptions, on a nine-stream
# capture from tests/gen_streams.py applied in 36 steps (a quarter of each
# stream at a time, stream after stream):
#   1. two consumers poll `ch-store leads --after-id CURSOR` after every
#      step, one in CSV and one in NDJSON; each handles the leads one by
#      one, saving its cursor after each, and is interrupted now and then
#      after a random number of them (the rest of that poll is lost). In the
#      end each has handled every lead exactly once, in id order, and its
#      leads are the oracle's (tests/oracle.py --stream leads.csv, by
#      signal key);
#   2. `ch-store --emit-changes` killed with SIGKILL at random moments of a
#      slow feed and restarted on the whole input: no signal is printed
#      twice, every printed line is the stored signal, and every signal is
#      printed exactly once except those committed by a killed run after
#      its last printed line (a signal is printed after its commit): those
#      are exactly the signals whose id is above the last id that run
#      printed, which a consumer reads back by id before restarting.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED="${CH_TEST_SEED:-$((RANDOM % 1000 + 1))}"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
RANDOM=$SEED
G="$TMP/gen"
python3 "$ROOT/tests/gen_streams.py" --seed "$SEED" --days 1 --scale 0.02 --out-dir "$G" \
  2>"$TMP/gen.err" || fail "gen_streams.py: $(cat "$TMP/gen.err")"
args=()
for s in "${STREAMS_ALL[@]}"; do args+=("$s" "$G/$s.ndjson"); done
oracle_streams "$TMP/want" "${args[@]}"

# Quarters of each stream's records.
R="$TMP/records"
mkdir -p "$R"
for s in "${STREAMS_ALL[@]}"; do
  "$BIN/ch-parse" --stream "$s" <"$G/$s.ndjson" >"$R/$s" 2>/dev/null || fail "ch-parse --stream $s"
  n=$(wc -l <"$R/$s")
  q=$(((n + 3) / 4))
  split -l "$q" -d -a 1 "$R/$s" "$R/$s."
done

# ------------------------------------------------------ 1. --after-id consumers
# The steps and the consumers in one driver: after each step each consumer
# polls; a consumer handles its leads one by one (appends "id<TAB>signal<TAB>
# company_number<TAB>resource_uri" to handled.FORMAT, then saves its cursor
# to cursor.FORMAT) and, one poll in three, is killed after a random number
# of them: the next poll starts again from the saved cursor. At the end
# each polls until a poll finds nothing.
python3 - "$BIN/ch-store" "$TMP/c.db" "$TMP" "$SEED" "$R" "${STREAMS_ALL[@]}" <<'PY' || fail "the consumers failed"
import csv, io, json, os, random, subprocess, sys
store, db, tmp, seed, records = sys.argv[1:6]
streams = sys.argv[6:]
rng = random.Random(int(seed))
env = dict(os.environ, CH_LOG_LEVEL="error")

def poll(fmt, may_stop=True):
    cursor_file = os.path.join(tmp, "cursor." + fmt)
    cursor = open(cursor_file).read().strip() if os.path.exists(cursor_file) else "0"
    out = subprocess.run([store, "--db", db, "leads", "--format", fmt, "--after-id", cursor],
                         check=True, stdout=subprocess.PIPE, env=env).stdout.decode()
    if fmt == "ndjson":
        rows = [json.loads(l) for l in out.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
    stop = rng.randrange(4) if may_stop and rng.randrange(3) == 0 else len(rows)
    for row in rows[:stop]:
        with open(os.path.join(tmp, "handled." + fmt), "a") as f:
            f.write("%s\t%s\t%s\t%s\n" % (row["id"], row["signal"], row["company_number"],
                                         row["resource_uri"]))
        with open(cursor_file + ".tmp", "w") as f:
            f.write("%s\n" % row["id"])
        os.replace(cursor_file + ".tmp", cursor_file)
    return len(rows)

for part in range(4):
    for s in streams:
        name = os.path.join(records, "%s.%d" % (s, part))
        if not os.path.exists(name):
            continue
        with open(name, "rb") as f:
            subprocess.run([store, "--db", db], stdin=f, check=True, env=env)
        poll("csv")
        poll("ndjson")
for fmt in ("csv", "ndjson"):
    for _ in range(40):
        if poll(fmt) == 0:
            break
    else:
        sys.exit("%s: leads left after 40 polls" % fmt)
PY
compare_with_oracle "$TMP/c.db" "$TMP/want" "the database applied in steps"
sql "$TMP/c.db" "SELECT id || char(9) || signal || char(9) || company_number || char(9) || resource_uri FROM leads ORDER BY id" >"$TMP/all_leads"
leads=$(wc -l <"$TMP/all_leads")
[ "$leads" -gt 5 ] || fail "only $leads leads"
for fmt in csv ndjson; do
  cmp -s "$TMP/all_leads" "$TMP/handled.$fmt" ||
    fail "the $fmt consumer missed or repeated leads (< all, > handled): $(diff "$TMP/all_leads" "$TMP/handled.$fmt" | head -n 6)"
done
# By signal key, the consumers' leads are the oracle's.
cut -f1 "$TMP/handled.csv" | tr '\n' ',' | sed 's/,$//' >"$TMP/ids"
sql "$TMP/c.db" "SELECT signal_key FROM signals WHERE id IN ($(cat "$TMP/ids")) ORDER BY signal_key" >"$TMP/handled_keys"
python3 -c 'import csv, sys; print("\n".join(sorted(r["signal_key"] for r in csv.DictReader(open(sys.argv[1], newline="")))))' \
  "$TMP/want/leads.csv" >"$TMP/want_keys"
cmp -s "$TMP/want_keys" "$TMP/handled_keys" ||
  fail "the consumers' leads are not the oracle's: $(diff "$TMP/want_keys" "$TMP/handled_keys" | head -n 6)"

# ------------------------------------------------------ 2. --emit-changes
parts=()
for s in "${STREAMS_ALL[@]}"; do parts+=("$R/$s"); done
interleave_chunks "$R/all" 40 "${parts[@]}"

# emitted_signals FILE: "signal_id<TAB>signal<TAB>...": the signal lines of
# an --emit-changes output (status change lines skipped), as the table has them.
emitted_signals() {
  python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if "signal_id" not in r:
        continue
    print("\t".join("" if r[k] is None else str(r[k]) for k in
                    ("signal_id", "signal", "stream", "company_number", "occurred_on",
                     "published_at", "detail", "resource_uri", "timepoint")))
PY
}
stored_signals() { # DB [AFTER_ID [UP_TO_ID]]
  sql "$1" "SELECT id, signal, stream, company_number, coalesce(occurred_on, ''), coalesce(published_at, ''),
                   coalesce(detail, ''), resource_uri, coalesce(timepoint, '')
            FROM signals WHERE id > ${2:-0} AND id <= ${3:-9223372036854775807} ORDER BY id" | tr '|' '\t'
}

# The uninterrupted run prints every signal once.
store --db "$TMP/e0.db" --emit-changes <"$R/all" >"$TMP/e0.out" || fail "--emit-changes exited $?"
emitted_signals "$TMP/e0.out" >"$TMP/e0.signals"
stored_signals "$TMP/e0.db" >"$TMP/e0.stored"
cmp -s "$TMP/e0.stored" "$TMP/e0.signals" ||
  fail "an uninterrupted --emit-changes run: $(diff "$TMP/e0.stored" "$TMP/e0.signals" | head -n 4)"
assert_eq "$(($(wc -l <"$TMP/want/signals.csv") - 1))" "$(wc -l <"$TMP/e0.signals")" "signals printed, against the oracle's"

# Killed runs, then one to the end; the consumer reads back what a killed
# run committed after its last printed signal.
: >"$TMP/got"
lost_total=0
for run in 1 2 3 4; do
  if [ "$run" -lt 4 ]; then
    # A random moment after the run's first commit (the feed takes about
    # 2 s: 10 records every 5 ms).
    delay=$(awk -v r=$((RANDOM % 300)) 'BEGIN { printf "%.3f", r / 1000 }')
    before=$(progress "$TMP/e.db")
    [ "$before" != "$(progress "$TMP/e0.db")" ] || continue
    mkfifo "$TMP/efifo.$run"
    feed_slowly "$R/all" 10 0.005 >"$TMP/efifo.$run" &
    BG_PIDS+=("$!")
    start_bg "${STORE[@]}" --db "$TMP/e.db" --emit-changes <"$TMP/efifo.$run" >"$TMP/e.$run.out"
    pid=$BG_PID
    wait_for 20 progressed "$TMP/e.db" "$before" || fail "run $run: no commit within 20 s"
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  else
    store --db "$TMP/e.db" --emit-changes <"$R/all" >"$TMP/e.$run.out" || fail "the last run exited $?"
  fi
  emitted_signals "$TMP/e.$run.out" >"$TMP/e.$run.signals"
  cat "$TMP/e.$run.signals" >>"$TMP/got"
  echo "run $run: $(wc -l <"$TMP/e.$run.signals") signals printed"
  last=$(tail -n 1 "$TMP/got" | cut -f1)
  stored_signals "$TMP/e.db" "${last:-0}" >"$TMP/lost.$run" 2>/dev/null || : >"$TMP/lost.$run"
  if [ -s "$TMP/lost.$run" ]; then
    echo "run $run: $(wc -l <"$TMP/lost.$run") signal(s) committed after the last printed one: read back by id"
    lost_total=$((lost_total + $(wc -l <"$TMP/lost.$run")))
    cat "$TMP/lost.$run" >>"$TMP/got"
  fi
done
cut -f1 "$TMP/got" | sort -n | uniq -d >"$TMP/twice"
[ ! -s "$TMP/twice" ] || fail "signals printed (or read back) twice: $(head -n 5 "$TMP/twice" | tr '\n' ' ')"
stored_signals "$TMP/e.db" >"$TMP/e.stored"
cmp -s "$TMP/e.stored" "$TMP/got" ||
  fail "printed signals across kill -9 and replay (< stored, > printed): $(diff "$TMP/e.stored" "$TMP/got" | head -n 6)"
cmp -s "$TMP/e0.stored" "$TMP/e.stored" || fail "the killed runs stored other signals than one run"
echo "PASS 68_streams_leads_resume ($leads leads, $(wc -l <"$TMP/e.stored") signals, $lost_total read back by id, seed $SEED)"
