#!/bin/bash
# Every stream, replayed in different orders: a capture of all nine streams
# from tests/gen_streams.py (with bad lines) goes through the real
# `ch-parse --stream S | ch-store` into two databases, one stream after the
# other (order A, then the whole capture again in the reverse order B), and
# in interleaved halves (the first half of each stream in order B, then the
# second halves in order A, then all of it once more; this one with a
# ResourceIdCache of 4 ids, far fewer than the resources, so that its hints
# are forgotten, and a new ch-store per file starts it empty). Both databases equal
# tests/oracle.py --stream file by file (resources, data byte for byte,
# every typed table, signals, leads with their officers and PSCs,
# checkpoints, rejects), so they equal each other; a second pass adds
# nothing (not a signal, not a reject, not a row); signal ids follow the
# order of application (signals_by_id.csv of the oracle fed in that order).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED="${CH_TEST_SEED:-$((RANDOM % 1000 + 1))}"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
G="$TMP/gen"
python3 "$ROOT/tests/gen_streams.py" --seed "$SEED" --days 1 --scale 0.02 --out-dir "$G" \
  2>"$TMP/gen.err" || fail "gen_streams.py: $(cat "$TMP/gen.err")"

# Halves of each stream's capture (by lines).
for s in "${STREAMS_ALL[@]}"; do
  n=$(wc -l <"$G/$s.ndjson")
  [ "$n" -ge 2 ] || fail "$s: only $n lines"
  head -n $((n / 2)) "$G/$s.ndjson" >"$G/$s.1"
  tail -n +$((n / 2 + 1)) "$G/$s.ndjson" >"$G/$s.2"
done
ORDER_A=("${STREAMS_ALL[@]}")
ORDER_B=()
for ((i = ${#STREAMS_ALL[@]} - 1; i >= 0; i--)); do ORDER_B+=("${STREAMS_ALL[i]}"); done

# The oracle, fed as each database is (the first pass decides the ids).
args=()
for s in "${ORDER_A[@]}"; do args+=("$s" "$G/$s.ndjson"); done
oracle_streams "$TMP/want_a" "${args[@]}"
args=()
for s in "${ORDER_B[@]}"; do args+=("$s" "$G/$s.1"); done
for s in "${ORDER_A[@]}"; do args+=("$s" "$G/$s.2"); done
oracle_streams "$TMP/want_halves" "${args[@]}"
oracle_queries >/dev/null
for f in $(cut -f1 "$TMP/oracle_queries.tsv"); do
  cmp -s "$TMP/want_a/$f" "$TMP/want_halves/$f" || fail "the oracle depends on the order: $f"
done
signals=$(($(wc -l <"$TMP/want_a/signals.csv") - 1))
leads=$(($(wc -l <"$TMP/want_a/leads.csv") - 1))
[ "$signals" -gt 20 ] && [ "$leads" -gt 5 ] || fail "too small a capture: $signals signals, $leads leads"
grep -q '^companies,' "$TMP/want_a/rejects.csv" && grep -q '^filings,' "$TMP/want_a/rejects.csv" ||
  fail "no bad lines in the capture: $(cat "$TMP/want_a/rejects.csv")"

# Database A: order A, then everything again in order B.
for s in "${ORDER_A[@]}"; do parse_into "$TMP/a.db" "$s" "$G/$s.ndjson"; done
compare_with_oracle "$TMP/a.db" "$TMP/want_a" "order A"
cmp -s "$TMP/want_a/signals_by_id.csv" "$TMP/a.db.files/signals_by_id.csv" ||
  fail "order A: signal ids are not in the order of application: $(diff "$TMP/want_a/signals_by_id.csv" "$TMP/a.db.files/signals_by_id.csv" | head -n 4)"
mv "$TMP/a.db.files" "$TMP/a.first"
for s in "${ORDER_B[@]}"; do parse_into "$TMP/a.db" "$s" "$G/$s.ndjson"; done
db_as_oracle_files "$TMP/a.db" "$TMP/a.second"
diff -r "$TMP/a.first" "$TMP/a.second" >"$TMP/second.diff" ||
  fail "a second pass in order B changed database A: $(head -n 6 "$TMP/second.diff")"

# Database B: interleaved halves, then the halves once more.
export CH_TEST_LIMITS=resource_id_buckets=2
for s in "${ORDER_B[@]}"; do parse_into "$TMP/b.db" "$s" "$G/$s.1"; done
for s in "${ORDER_A[@]}"; do parse_into "$TMP/b.db" "$s" "$G/$s.2"; done
compare_with_oracle "$TMP/b.db" "$TMP/want_halves" "interleaved halves"
cmp -s "$TMP/want_halves/signals_by_id.csv" "$TMP/b.db.files/signals_by_id.csv" ||
  fail "halves: signal ids are not in the order of application: $(diff "$TMP/want_halves/signals_by_id.csv" "$TMP/b.db.files/signals_by_id.csv" | head -n 4)"
mv "$TMP/b.db.files" "$TMP/b.first"
for s in "${ORDER_A[@]}"; do parse_into "$TMP/b.db" "$s" "$G/$s.1" "$G/$s.2"; done
unset CH_TEST_LIMITS
db_as_oracle_files "$TMP/b.db" "$TMP/b.second"
diff -r "$TMP/b.first" "$TMP/b.second" >"$TMP/second.diff" ||
  fail "a second pass changed database B: $(head -n 6 "$TMP/second.diff")"

# The two databases: the same, ids aside (signals_by_id.csv differs when
# the orders made the signals in another order, and only then).
same_databases "$TMP/a.db" "$TMP/b.db" "order A against interleaved halves"
for db in a b; do
  assert_eq "$signals|$signals|$leads" \
    "$(sql "$TMP/$db.db" "SELECT (SELECT count(*) FROM signals), (SELECT count(DISTINCT signal_key) FROM signals), (SELECT count(*) FROM leads)")" \
    "database $db: signals, distinct signal keys, leads"
  assert_eq "ok" "$(sql "$TMP/$db.db" "PRAGMA integrity_check")" "integrity of database $db"
done
# Every stream has its checkpoint, and the leads name people to contact.
assert_eq 9 "$(($(wc -l <"$TMP/a.second/checkpoints.csv") - 1))" "checkpoints of the nine streams"
[ "$(sql "$TMP/a.db" "SELECT count(*) FROM leads WHERE officers IS NOT NULL AND pscs IS NOT NULL")" -gt 0 ] ||
  fail "no lead names officers and PSCs"
echo "PASS 64_streams_replay_orders ($(cat "$G"/*.ndjson | wc -l) lines, $signals signals, $leads leads, seed $SEED)"
