#!/usr/bin/env bash
# e2e: alone (it times reconnections to a tenth of a second)
# 44_fetch_backoff: reconnect timing. A 429 waits exactly Retry-After (or
# --retry-429) up to the longer of --backoff-max and --retry-429; a longer
# Retry-After (a day) is capped there and logged; 5xx answers back off with
# jitter between half the initial delay and the doubling ceiling; after
# --breaker-threshold failures in a row the circuit breaker opens (waits
# --backoff-max, reported in the log and the metrics) until a success.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 99))

# gaps LOG: seconds between the starts of consecutive connections.
gaps() { q "$1" '[round(b["t"] - a["t"], 3) for a, b in zip(starts, starts[1:])]'; }

# within LOG I LO HI: the I-th gap between connections is in [LO, HI).
within() {
  [[ "$(q "$1" "${3} <= starts[${2} + 1]['t'] - starts[${2}]['t'] < ${4}")" == True ]] ||
    fail "$(basename "$1" .log): gap $2 not in [$3, $4): $(gaps "$1")"
}

# 429 with Retry-After: wait exactly that long, even above --backoff-max.
start_server ra --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1:status=429,retry_after=2'
start_fetch ra --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.5 --retry-429 10
wait_until 10 has_lines "${WORK}/ra.out" 100 || fail "429 Retry-After: the stream never resumed"
stop_fetch
expect "429 Retry-After: exit code" "${RC}" 0
expect "429 Retry-After: connections" "$(q "${WORK}/ra.log" '[s["status"] for s in starts]')" "[429, 200]"
within "${WORK}/ra.log" 0 2.0 2.6

# A bogus Retry-After (a day) waits only the cap, max(--backoff-max,
# --retry-429) = 1.5 s, with a warn line saying so.
start_server rcap --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1:status=429,retry_after=86400'
start_fetch rcap --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 1.5 --retry-429 0.5
wait_until 10 has_lines "${WORK}/rcap.out" 100 || fail "429 Retry-After a day: the stream never resumed"
stop_fetch
expect "429 Retry-After a day: exit code" "${RC}" 0
within "${WORK}/rcap.log" 0 1.5 2.1
grep '"message":"Retry-After capped' "${WORK}/rcap.err" | grep '"level":"warn"' | grep -q '"requested_s":86400' ||
  fail "429 Retry-After a day: no warn line about the cap"

# 429 without Retry-After: wait --retry-429.
start_server r429 --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1:status=429'
start_fetch r429 --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.5 --retry-429 1.5
wait_until 10 has_lines "${WORK}/r429.out" 100 || fail "429: the stream never resumed"
stop_fetch
expect "429: exit code" "${RC}" 0
within "${WORK}/r429.log" 0 1.5 2.1

# 5xx: exponential backoff with jitter, between half the initial delay and
# the doubling ceiling, capped at --backoff-max.
start_server s5xx --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1-4:status=503'
start_fetch s5xx --timepoint "${FIRST}" --backoff-initial 0.4 --backoff-max 0.8 --breaker-threshold 10
wait_until 15 has_lines "${WORK}/s5xx.out" 100 || fail "5xx: the stream never resumed"
stop_fetch
expect "5xx: exit code" "${RC}" 0
expect "5xx: connections" "$(q "${WORK}/s5xx.log" 'len(starts)')" 5
within "${WORK}/s5xx.log" 0 0.2 0.7
within "${WORK}/s5xx.log" 1 0.2 1.1
within "${WORK}/s5xx.log" 2 0.2 1.1
within "${WORK}/s5xx.log" 3 0.2 1.1
expect "5xx: every retry asks for the same timepoint" \
  "$(q "${WORK}/s5xx.log" 'sorted(set(s["timepoint"] for s in starts))')" "[${FIRST}]"

# Circuit breaker: after 3 failures in a row every wait is --backoff-max and
# the breaker is reported open (log and metrics) until a connection succeeds.
mkdir "${WORK}/metrics"
readonly PROM="${WORK}/metrics/ch-fetch.prom"
start_server brk --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --faults '1-4:status=502'
start_fetch brk --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 1.5 --breaker-threshold 3 \
  --metrics-dir "${WORK}/metrics"
wait_until 10 grep -qs 'chstream_breaker_open{program="ch-fetch",stream="companies"} 1' "${PROM}" ||
  fail "breaker: the metrics never showed it open"
grep -q 'chstream_consecutive_failures{program="ch-fetch",stream="companies"} 3' "${PROM}" ||
  fail "breaker: consecutive failures not 3 when it opened: $(grep consecutive "${PROM}")"
wait_until 10 has_lines "${WORK}/brk.out" 100 || fail "breaker: the stream never resumed"
wait_until 5 grep -qs 'chstream_breaker_open{program="ch-fetch",stream="companies"} 0' "${PROM}" ||
  fail "breaker: the metrics never showed it closed again"
grep -q 'chstream_connected{program="ch-fetch",stream="companies"} 1' "${PROM}" || fail "breaker: not reported connected"
stop_fetch
expect "breaker: exit code" "${RC}" 0
within "${WORK}/brk.log" 0 0.05 0.4
within "${WORK}/brk.log" 1 0.05 0.5
within "${WORK}/brk.log" 2 1.5 2.0
within "${WORK}/brk.log" 3 1.5 2.0
grep -q '"message":"circuit breaker open' "${WORK}/brk.err" || fail "breaker: opening not logged"
grep -q '"message":"circuit breaker closed' "${WORK}/brk.err" || fail "breaker: closing not logged"
expect "breaker: reconnects counted by reason" \
  "$(grep -c 'chstream_reconnects_total{program="ch-fetch",stream="companies",reason="server-error"} 4' "${PROM}")" 1

echo "PASS ${NAME}"
