#!/bin/bash
# Helpers for the PSC snapshot scripts (80-84); source after lib.sh:
#   day N                      the UTC date N days from today (N may be negative)
#   gen_psc ARGS...            tests/gen_psc_snapshot.py ARGS... (its summary discarded)
#   import_psc DB FILE DATE    FILE | ch-parse --format psc-snapshot --as-of DATE | ch-store;
#                              their logs in $TMP/parse.err and $TMP/store.err
#   apply_stream DB STREAM FILE  a stream capture through ch-parse --stream STREAM | ch-store
#   open_gaps DB               a started-live gap for each stream the snapshot covers
#   check_oracle DB OUT ARGS...  tests/oracle.py --out-dir OUT ARGS... (--stream,
#                              --psc-snapshot/--as-of, in the order applied), and every
#                              file of --print-sql must equal its query on DB
#   psc_state DB               the three streams' last_snapshot_as_of, last_snapshot_rows,
#                              snapshot_incomplete_as_of and open gaps, one line each
PSC_STREAMS="persons-with-significant-control persons-with-significant-control-statements company-exemptions"

day() { date -u -d "$1 days" +%F; }

gen_psc() { python3 "$ROOT/tests/gen_psc_snapshot.py" "$@" 2>/dev/null || fail "gen_psc_snapshot.py $*"; }

import_psc() {
  "$BIN/ch-parse" --format psc-snapshot --as-of "$3" <"$2" 2>"$TMP/parse.err" |
    "$BIN/ch-store" --db "$1" 2>"$TMP/store.err" ||
    fail "import of $2 as of $3 exited $?: $(tail -n 3 "$TMP/store.err")"
}

apply_stream() {
  "$BIN/ch-parse" --stream "$2" <"$3" 2>/dev/null | store --db "$1" || fail "stream $2 exited $?"
}

open_gaps() {
  local s
  for s in $PSC_STREAMS; do
    printf '{"gap":{"stream":"%s","after_timepoint":null,"reason":"started-live"}}\n' "$s"
  done | store --db "$1" || fail "gap lines exited $?"
}

check_oracle() {
  local db="$1" out="$2" file query
  shift 2
  python3 "$ROOT/tests/oracle.py" --out-dir "$out" "$@" 2>"$out.err" ||
    fail "oracle.py $*: $(cat "$out.err")"
  python3 "$ROOT/tests/oracle.py" --print-sql >"$TMP/queries.tsv"
  rm -rf "$out.db" && mkdir "$out.db"
  while IFS=$'\t' read -r file query; do
    printf '.output %s\n%s;\n' "$out.db/$file" "$query"
  done <"$TMP/queries.tsv" | sqlite3 -batch -init /dev/null -bail -csv -header "$db" ||
    fail "sqlite3 rejects a query of --print-sql"
  while IFS=$'\t' read -r file query; do
    cmp -s "$out/$file" "$out.db/$file" ||
      fail "$file differs from the oracle (oracle <, database >): $(diff "$out/$file" "$out.db/$file" | head -n 6)"
  done <"$TMP/queries.tsv"
}

psc_state() {
  sql "$1" "SELECT s.stream, s.last_snapshot_as_of, s.last_snapshot_rows, s.snapshot_incomplete_as_of,
                   (SELECT count(*) FROM gaps g WHERE g.stream = s.stream AND g.healed_by IS NULL)
            FROM stream_state s WHERE s.stream IN ('persons-with-significant-control',
              'persons-with-significant-control-statements', 'company-exemptions') ORDER BY s.stream"
}
