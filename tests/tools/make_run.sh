#!/bin/sh
# `make run`: live when a stream key is configured; otherwise a demo that
# replays the bundled capture of every stream (samples/demo/, made by
# tests/gen_streams.py: see samples/demo/SOURCES.md) into a fresh sample.db
# and says what it did in a few lines that fit 100 columns: the events
# replayed, what they made, the most recent leads as a table, where the
# database is, and what to run next.
#
#   sh tests/tools/make_run.sh BIN_DIR
#
# CH_DEMO_DB names the demo's database (default sample.db in the current
# directory; it is made afresh each time, so never point it at a real one).
# The demo never touches CH_DB.
set -eu
BIN="$1"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${CH_STREAM_KEY:-}" ] || [ -n "${CH_STREAM_KEY_FILE:-}" ]; then
  echo "make run: CH_STREAM_KEY is set: running the live pipeline into ${CH_DB:-companies.db} (Ctrl-C stops it)" >&2
  CH_BIN="$BIN" exec "$ROOT/pipeline.sh"
fi

DEMO="$ROOT/samples/demo"
DB="${CH_DEMO_DB:-sample.db}"
LEADS_SHOWN=10
WIDTH=100
export CH_LOG_LEVEL="${CH_LOG_LEVEL:-error}"

# 1234567 -> 1,234,567
thousands() {
  printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

# A path as the person can type it: relative to the current directory when
# it is below it.
shown() {
  case "$1" in
    "$PWD"/*) printf '%s\n' "${1#"$PWD"/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

q() {
  sqlite3 -batch -init /dev/null "$DB" "$1"
}

now_ms() {
  date +%s%3N
}

rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-writers"
started=$(now_ms)
events=0
streams=0
# Every stream of the capture, each under its own checkpoint, as
# pipeline.sh's chains would have written them.
for capture in "$DEMO"/*.ndjson; do
  stream=$(basename "$capture" .ndjson)
  if ! "$BIN/ch-parse" --stream "$stream" <"$capture" | "$BIN/ch-store" --db "$DB" --stream "$stream"; then
    echo "make run: replaying $capture into $DB failed (see the lines above)" >&2
    exit 1
  fi
  events=$((events + $(wc -l <"$capture")))
  streams=$((streams + 1))
done
elapsed_ms=$(($(now_ms) - started))

companies=$(q "SELECT count(*) FROM companies")
changes=$(q "SELECT count(*) FROM status_changes")
resources=$(q "SELECT count(*) FROM resources")
signals=$(q "SELECT count(*) FROM signals")
leads=$(q "SELECT count(*) FROM leads")
rejects=$(q "SELECT count(*) FROM rejects")
db_path="$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")"
db_bytes=$(wc -c <"$DB")
store="$(shown "$BIN")/ch-store"
db_shown=$(shown "$db_path")

echo "chstream demo (no CH_STREAM_KEY): the bundled capture samples/demo/ replayed into $db_shown"
printf '  events     %s from %s streams in %s.%s s\n' "$(thousands "$events")" "$streams" \
  $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
printf '  companies  %s, with %s status changes; %s filings, officers, PSCs and other resources\n' \
  "$(thousands "$companies")" "$(thousands "$changes")" "$(thousands "$resources")"
printf '  signals    %s, of which %s are leads; rejects %s (bad lines, kept in the rejects table)\n' \
  "$(thousands "$signals")" "$(thousands "$leads")" "$(thousands "$rejects")"
echo
if [ "$leads" -gt 0 ]; then
  # The leads after the one before the last LEADS_SHOWN: ids are not contiguous.
  first=$(q "SELECT id FROM leads ORDER BY id DESC LIMIT 1 OFFSET $((LEADS_SHOWN - 1))")
  after=$(( ${first:-1} - 1 ))
  if [ "$leads" -gt "$LEADS_SHOWN" ]; then
    echo "The $LEADS_SHOWN most recent leads (of $(thousands "$leads")):"
  else
    echo "The leads:"
  fi
  COLUMNS=$WIDTH "$store" --db "$DB" leads --format table --after-id "$after"
  echo
fi
echo "Database: $db_path ($(thousands "$db_bytes") bytes)"
echo "Go further:"
cmd_leads="$store --db $db_shown leads"
cmd_status="$store --db $db_shown status"
cmd_live="CH_STREAM_KEY_FILE=/path/to/key make run"
pad=$(printf '%s\n%s\n%s\n' "$cmd_leads" "$cmd_status" "$cmd_live" | awk '{ if (length > n) n = length } END { print n }')
printf "  %-${pad}s  # %s\n" "$cmd_leads" "every lead (CSV into a pipe)"
printf "  %-${pad}s  # %s\n" "$cmd_status" "health, one JSON object"
printf "  %-${pad}s  # %s\n" "$cmd_live" "the live service, into companies.db"
