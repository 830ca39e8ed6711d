#!/bin/bash
# e2e: alone (it measures a trickle's latency p99)
# Several writers, one database: a ch-store replaying a 100,000-record
# backlog on one stream does not starve a ch-store fed a trickle of 20
# records/s on another. The trickle's latency, from the record written into
# its ch-store's stdin to the commit holding it, stays p99 <= 50 ms
# (FAIR_P99_MS) while the backlog runs (in one of three attempts, see
# below); the figures, and the backlog's throughput alone and beside the
# trickle, are printed. Both streams end complete and exactly once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RECORDS=${FAIR_RECORDS:-100000}
P99_MS=${FAIR_P99_MS:-50}

# The databases live in /dev/shm when there is one: this measures how the
# writers take turns, and on a shared machine a write into the page cache
# can stall for 100-300 ms when other processes fill it with dirty pages
# (seen here: a one-record commit of the trickle itself taking 157 ms), which
# no turn-taking can prevent. FAIR_DIR overrides.
DIR=${FAIR_DIR:-}
if [ -z "$DIR" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  DIR=$(mktemp -d /dev/shm/fair_writers.XXXXXX)
  trap 'rm -rf "$DIR"; lib_cleanup' EXIT
fi
DIR=${DIR:-$TMP}
# On a machine shared with other work, a writer descheduled for 100 ms while
# it holds the lock shows in the tail whatever the turn-taking does; when
# allowed (root), the measured processes run at a higher priority than that
# other work, so that the figures are about the turn-taking.
PRIO=()
if nice -n -10 true 2>/dev/null; then PRIO=(nice -n -10); fi

# The backlog: officer appointments with about 1.5 KB of data each, as
# the real ones have (long enough for over 100 trickle records at 20/s).
python3 - "$RECORDS" >"$TMP/backlog.ndjson" <<'PY'
import sys
n = int(sys.argv[1])
pad = "x" * 1400
line = ('{"kind":"resource","stream":"officers","source":"stream","timepoint":%d,'
        '"published_at":"2026-12-01T10:00:00Z","as_of":"2026-12-01T10:00:00Z","event_type":"changed",'
        '"resource_kind":"company-officers","resource_uri":"/company/%08d/appointments/a%d",'
        '"resource_id":"a%d","company_number":"%08d","table":"officers",'
        '"rows":[{"appointment_id":"a%d","name":"SMITH, John","officer_role":"director"}],'
        '"signals":[],"data":{"name":"SMITH, John","officer_role":"director","n":%d,"pad":"%s"}}\n')
out = sys.stdout
for i in range(1, n + 1):
    c = (i * 7919) % 9999991
    out.write(line % (i, c, i, i, c, i, i, pad))
PY

# 1. The backlog alone.
store --db "$DIR/alone.db" migrate
t0=$(now_ms)
"${PRIO[@]}" "$BIN/ch-store" --db "$DIR/alone.db" <"$TMP/backlog.ndjson" 2>/dev/null
alone_ms=$(($(now_ms) - t0))
assert_eq "$RECORDS" "$(store --db "$DIR/alone.db" checkpoint --stream officers)" "backlog alone"
rm -f "$DIR"/alone.db*

# 2. The backlog beside a trickle on another stream. The trickle writes
# one filing every 50 ms, logging when it wrote each, until told to stop.
cat >"$TMP/trickle.py" <<'PY'
import os, sys, time
sent, stop = sys.argv[1], sys.argv[2]
line = ('{"kind":"resource","stream":"filings","source":"stream","timepoint":%d,'
        '"published_at":"2026-12-01T10:00:00Z","as_of":"2026-12-01T10:00:00Z","event_type":"changed",'
        '"resource_kind":"filing-history","resource_uri":"/company/00000001/filing-history/T%d",'
        '"resource_id":"T%d","company_number":"00000001","table":"filings",'
        '"rows":[{"transaction_id":"T%d","type":"CS01"}],"signals":[],"data":{"type":"CS01"}}\n')
log = open(sent, "w")
tp = 0
next_at = time.time()
while not os.path.exists(stop):
    tp += 1
    now = time.time()
    log.write("%d\t%.6f\n" % (tp, now))
    log.flush()
    sys.stdout.write(line % (tp, tp, tp, tp))
    sys.stdout.flush()
    next_at += 0.05
    time.sleep(max(0.0, next_at - time.time()))
PY
# The latency of the trickle's records sent while the backlog ran, from the
# trickle's log and its ch-store's commit log.
cat >"$TMP/latency.py" <<'PY'
import json, sys
sent_log, store_log, start, end, limit, records, alone, beside, attempt = sys.argv[1:]
start, end, limit = int(start) / 1000, int(end) / 1000, float(limit)
sent = [(int(tp), float(t)) for tp, t in (l.split("\t") for l in open(sent_log))]
commits = []
for l in open(store_log):
    try:
        r = json.loads(l)
    except ValueError:
        continue
    if r.get("message") == "committed" and r.get("checkpoint") is not None:
        commits.append((int(r["checkpoint"]), float(r["commit_unix"])))
lat = []
for tp, t in sent:
    if not start <= t <= end:
        continue
    done = [c for cp, c in commits if cp >= tp]
    assert done, "record %d never committed" % tp
    lat.append((min(done) - t) * 1000)
assert len(lat) >= 10, "only %d trickle records while the backlog ran" % len(lat)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]
alone, beside, records = int(alone), int(beside), int(records)
print("fair writers, attempt %s: trickle latency p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d records; "
      "backlog %d records alone %.0f rec/s, beside the trickle %.0f rec/s (%+.1f%%)"
      % (attempt, pct(50), pct(99), lat[-1], len(lat), records, records / (alone / 1000),
         records / (beside / 1000), (alone / beside - 1) * 100))
sys.exit(0 if pct(99) <= limit else 3)
PY

# beside N: one measurement into a database of its own; 0 when the
# trickle's p99 is within the bound, 3 when not (anything else fails).
beside() {
  local n="$1" DB="$DIR/fair$1.db" trickle_pid start_ms end_ms beside_ms sent
  store --db "$DB" migrate
  "${PRIO[@]}" python3 "$TMP/trickle.py" "$TMP/sent$n.log" "$TMP/stop$n" |
    CH_LOG_LEVEL=debug "${PRIO[@]}" "$BIN/ch-store" --db "$DB" --stream filings 2>"$TMP/trickle$n.err" &
  trickle_pid=$!
  BG_PIDS+=("$trickle_pid")
  wait_for 10 eval '[ -n "$(store --db "$DB" checkpoint --stream filings)" ]' || fail "the trickle never committed"
  start_ms=$(now_ms)
  CH_LOG_LEVEL=${FAIR_BACKLOG_LOG:-info} "${PRIO[@]}" "$BIN/ch-store" --db "$DB" <"$TMP/backlog.ndjson" 2>"$TMP/backlog$n.err"
  end_ms=$(now_ms)
  beside_ms=$((end_ms - start_ms))
  touch "$TMP/stop$n"
  wait "$trickle_pid" || fail "the trickle's ch-store exited $?"
  assert_eq "$RECORDS" "$(store --db "$DB" checkpoint --stream officers)" "backlog beside the trickle"
  sent=$(wc -l <"$TMP/sent$n.log")
  assert_eq "$sent" "$(store --db "$DB" checkpoint --stream filings)" "every trickle record committed"
  assert_eq "$sent" "$(sql "$DB" "SELECT count(*) FROM filings")" "the trickle's filings"
  assert_eq "$RECORDS" "$(sql "$DB" "SELECT count(*) FROM officers")" "the backlog's officers"

  # The trickle's latency while the backlog ran (latency.py: exit 3 when
  # over the bound).
  python3 "$TMP/latency.py" "$TMP/sent$n.log" "$TMP/trickle$n.err" "$start_ms" "$end_ms" "$P99_MS" \
    "$RECORDS" "$alone_ms" "$beside_ms" "$n"
}

# A stall of the whole machine (a writer descheduled for 400 ms while it
# holds the lock, seen under a parallel build) can spoil one measurement;
# the turn-taking must hold in one of three. Without it (CH_TEST_NO_WRITER_QUEUE=1)
# every attempt fails by seconds.
for n in 1 2 3; do
  rc=0
  beside "$n" || rc=$?
  [ "$rc" -eq 0 ] && break
  [ "$rc" -eq 3 ] || fail "attempt $n failed ($rc)"
  rm -f "$DIR/fair$n".db*
done
[ "$rc" -eq 0 ] || fail "the trickle waited too long behind the backlog in every attempt"
echo "PASS 38_store_fair_writers"
