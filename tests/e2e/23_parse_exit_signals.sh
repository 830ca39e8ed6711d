#!/bin/bash
# ch-parse as a Unix citizen: exit codes (--help 0, unknown flag 64, bad
# values 78, full or closed stdout 74), records flushed as soon as the input
# goes idle, SIGTERM/SIGINT ending a run cleanly with exit 0 and nothing
# lost (and no snapshot_end for a bulk import cut short), and the metrics
# file under --metrics-dir.
set -euo pipefail
: "${BIN:?BIN must name the directory holding ch-parse}" "${ROOT:?ROOT must name the repository}"
TMP=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi
  exec 3>&- 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
P="$BIN/ch-parse"
S2021=$ROOT/samples/real/basic-company-data-sample.csv
EVENTS=$ROOT/samples/real/real-stream-events.ndjson

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_exit() {  # expected-code description command...
  local want=$1 what=$2
  shift 2
  set +e
  "$@" < /dev/null > "$TMP/stdout" 2> "$TMP/stderr"
  local rc=$?
  set -e
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want ($(head -c 300 "$TMP/stderr"))"
}

# Exit codes.
expect_exit 0 "--help" "$P" --help
grep -q "Usage: ch-parse" "$TMP/stdout" || fail "--help prints no usage on stdout"
grep -q "CH_AS_OF" "$TMP/stdout" || fail "--help does not list the environment variables"
expect_exit 0 "--version" "$P" --version
expect_exit 64 "unknown flag" "$P" --no-such-flag
grep -q -- "--help" "$TMP/stderr" || fail "usage error without a hint to --help"
expect_exit 64 "missing argument" "$P" --stream
expect_exit 78 "bad --format" "$P" --format xml
grep -q -- "--format/CH_FORMAT" "$TMP/stderr" || fail "bad --format not named"
expect_exit 78 "bad CH_FORMAT" env CH_FORMAT=json "$P"
expect_exit 78 "bulk without --as-of" "$P" --format bulk-csv
expect_exit 78 "bad CH_AS_OF" env CH_AS_OF=2025-13-01 "$P" --format bulk-csv
expect_exit 78 "bad --max-line-bytes" "$P" --max-line-bytes 0
expect_exit 78 "bad --log-level" "$P" --log-level loud
expect_exit 78 "bad --stream" "$P" --stream "a b"

# Full and closed stdout: 74.
set +e
"$P" < "$EVENTS" > /dev/full 2> "$TMP/full.err"
rc=$?
"$P" --format bulk-csv --as-of 2021-01-01 < "$S2021" > /dev/full 2>> "$TMP/full.err"
rc2=$?
set -e
[ "$rc" -eq 74 ] || fail "> /dev/full: exit $rc, expected 74"
[ "$rc2" -eq 74 ] || fail "bulk > /dev/full: exit $rc2, expected 74"
for _ in $(seq 400); do cat "$EVENTS"; done > "$TMP/many.ndjson"
set +e
"$P" < "$TMP/many.ndjson" 2> "$TMP/pipe.err" | head -c 100 > /dev/null
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 74 ] || fail "closed stdout: exit $rc, expected 74"

# Idle flush, then SIGTERM: records appear while the input is still open,
# and the stop is clean.
mkfifo "$TMP/in"
exec 3<> "$TMP/in"
"$P" --metrics-dir "$TMP" < "$TMP/in" > "$TMP/live.out" 2> "$TMP/live.err" &
PID=$!
cat "$EVENTS" >&3
printf '\n{"gap":{"stream":"companies","after_timepoint":1,"reason":"timepoint-out-of-range"}}\n' >&3
for _ in $(seq 50); do
  [ "$(wc -l < "$TMP/live.out")" -ge 4 ] && break
  sleep 0.1
done
[ "$(wc -l < "$TMP/live.out")" -eq 4 ] || fail "records not flushed while the input is idle ($(wc -l < "$TMP/live.out") lines)"
kill -TERM "$PID"
set +e
wait "$PID"
rc=$?
set -e
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc, expected 0"
grep -q '"message":"stopped by signal"' "$TMP/live.err" || fail "no log line for the stop"

# Metrics written at exit.
PROM="$TMP/ch-parse.prom"
[ -f "$PROM" ] || fail "no $PROM"
# (The real sample events: one company record, a filing and an exemption.)
for line in 'chstream_lines_total{program="ch-parse",stream="companies"} 5' 'chstream_records_total{program="ch-parse",stream="companies"} 3' \
            'chstream_resource_records_total{program="ch-parse",stream="companies",table="filings"} 1' \
            'chstream_resource_records_total{program="ch-parse",stream="companies",table="company_exemptions"} 1' \
            'chstream_rejects_total{program="ch-parse",stream="companies",reason="resource_kind"} 0' \
            'chstream_control_lines_total{program="ch-parse",stream="companies"} 1'; do
  grep -qF "$line" "$PROM" || fail "metrics lack '$line': $(cat "$PROM")"
done

# SIGINT during a bulk import: exit 0, rows so far passed on, no snapshot_end.
"$P" --format bulk-csv --as-of 2021-01-01 < "$TMP/in" > "$TMP/bulk.out" 2> "$TMP/bulk.err" &
PID=$!
head -20 "$S2021" >&3
for _ in $(seq 50); do
  [ "$(wc -l < "$TMP/bulk.out")" -ge 19 ] && break
  sleep 0.1
done
kill -INT "$PID"
set +e
wait "$PID"
rc=$?
set -e
PID=""
[ "$rc" -eq 0 ] || fail "SIGINT during bulk: exit $rc, expected 0"
[ "$(grep -c '"kind":"company"' "$TMP/bulk.out")" -eq 19 ] || fail "bulk rows before the signal were lost"
grep -q snapshot_end "$TMP/bulk.out" && fail "snapshot_end written for an interrupted import"
echo "PASS 23_parse_exit_signals"
