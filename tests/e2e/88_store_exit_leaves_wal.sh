#!/bin/bash
# ch-store's exit leaves the WAL for the next writer (README.md
# "Checkpoints"), and that loses nothing:
#  - a filings and companies capture from tests/gen_streams.py goes through
#    `ch-parse | ch-store` in three runs, with the checkpoint thread made to
#    start every 64 WAL frames (CH_TEST_LIMITS), so that runs end while a
#    checkpoint is under way and are interrupted mid-copy;
#  - after each run the -wal file is still there, and read-only readers
#    (ch-store status, checkpoint, leads and sqlite3 -readonly) see every
#    record of that run;
#  - the database equals tests/oracle.py, and equals one written by a
#    single run;
#  - the recipe README.md gives for a database in one file
#    (`PRAGMA wal_checkpoint(TRUNCATE)`) makes the .db file alone, copied
#    elsewhere, equal to the oracle too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEED="${CH_TEST_SEED:-$((RANDOM % 1000 + 1))}"
echo "seed $SEED (CH_TEST_SEED=$SEED repeats this run)"
G="$TMP/gen"
python3 "$ROOT/tests/gen_streams.py" --seed "$SEED" --days 1 --scale 0.05 \
  --streams companies,filings --out-dir "$G" 2>"$TMP/gen.err" ||
  fail "gen_streams.py: $(cat "$TMP/gen.err")"
oracle_streams "$TMP/want" companies "$G/companies.ndjson" filings "$G/filings.ndjson"

# replay DB STREAM FILE: one ch-parse | ch-store run.
replay() {
  "$BIN/ch-parse" --stream "$2" <"$3" 2>>"$TMP/parse.err" |
    CH_LOG_LEVEL=warn "$BIN/ch-store" --db "$1" --stream "$2" 2>>"$TMP/store.err" ||
    fail "ch-store $2 into $1: $(tail -n 3 "$TMP/store.err")"
}

# The reference: each stream in one run, with the release limits.
replay "$TMP/one.db" companies "$G/companies.ndjson"
replay "$TMP/one.db" filings "$G/filings.ndjson"

n=$(wc -l <"$G/filings.ndjson")
[ "$n" -ge 1000 ] || fail "only $n filing events"
head -n $((n / 2)) "$G/filings.ndjson" >"$TMP/filings.1"
tail -n +$((n / 2 + 1)) "$G/filings.ndjson" >"$TMP/filings.2"

DB="$TMP/three.db"
export CH_TEST_LIMITS="checkpoint_start_frames=64"
STREAM_OF=(companies filings filings)
FILE_OF=("$G/companies.ndjson" "$TMP/filings.1" "$TMP/filings.2")
for run in 0 1 2; do
  set -- "${STREAM_OF[run]}" "${FILE_OF[run]}"
  replay "$DB" "$1" "$2"
  [ -s "$DB-wal" ] || fail "run $run: ch-store checkpointed and removed the WAL at exit"
  # The run's checkpoint (its last record that is not a reject), as every
  # reader sees it.
  want_tp=$("$BIN/ch-parse" --stream "$1" <"$2" 2>/dev/null | python3 -c '
import json, sys
tps = [r["timepoint"] for r in map(json.loads, sys.stdin) if r.get("kind") != "reject" and r.get("timepoint")]
print(max(tps))')
  assert_eq "$want_tp" "$(store --db "$DB" checkpoint --stream "$1")" "run $run: ch-store checkpoint"
  assert_eq "$want_tp" "$(sqlite3 -readonly "$DB" "SELECT timepoint FROM stream_state WHERE stream = '$1'")" \
    "run $run: sqlite3 -readonly"
  store --db "$DB" status >"$TMP/status.$run" 2>"$TMP/status.err" || true
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/status.$run" ||
    fail "run $run: status did not print one JSON object: $(cat "$TMP/status.$run" "$TMP/status.err")"
done
unset CH_TEST_LIMITS
# Warnings only for the capture's bad lines and the test limits: an
# interrupted checkpoint is not a failure to report.
unexpected=$(grep '"level":"\(warn\|error\)"' "$TMP/store.err" |
  grep -v '"message":"\(reject stored\|test limits[^"]*\)"' || true)
[ -z "$unexpected" ] || fail "ch-store warned: $(echo "$unexpected" | head -n 2)"

# Leads read the same rows in both databases.
store --db "$DB" leads >"$TMP/leads.three"
store --db "$TMP/one.db" leads >"$TMP/leads.one"
[ -s "$TMP/leads.one" ] || fail "no leads in the capture"
cmp -s "$TMP/leads.one" "$TMP/leads.three" || fail "leads differ: $(diff "$TMP/leads.one" "$TMP/leads.three" | head -n 4)"

compare_with_oracle "$TMP/one.db" "$TMP/want" "one run"
compare_with_oracle "$DB" "$TMP/want" "three runs"

# A WAL past the size status calls not reset (here 64 KiB) is checkpointed
# at exit as SQLite always did, by the last connection: left behind, status
# would report a problem for a database nobody writes. The .db file alone
# then equals the oracle of that run. (An empty -wal file may be left: when
# the input paused, ch-store, idle with a WAL past the limit, reset it
# itself, TRUNCATE, and then wrote nothing more; the .db file holds all.)
CH_TEST_LIMITS="wal_warn_bytes=65536" replay "$TMP/big.db" filings "$TMP/filings.1"
[ -s "$TMP/big.db-wal" ] && fail "a WAL past wal_warn_bytes was left at exit ($(stat -c %s "$TMP/big.db-wal") bytes)"
mkdir "$TMP/big"
cp "$TMP/big.db" "$TMP/big/alone.db"
oracle_streams "$TMP/want_half" filings "$TMP/filings.1"
compare_with_oracle "$TMP/big/alone.db" "$TMP/want_half" "the .db file alone after a WAL past wal_warn_bytes"

# README's recipe for one self-contained file.
sql "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
mkdir "$TMP/copy"
cp "$DB" "$TMP/copy/alone.db"
compare_with_oracle "$TMP/copy/alone.db" "$TMP/want" "the .db file alone after the recipe"

echo "PASS ${SCRIPT_NAME}"
