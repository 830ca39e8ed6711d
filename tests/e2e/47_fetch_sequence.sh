#!/usr/bin/env bash
# 47_fetch_sequence: every fault in one run (cut mid-line, 503, 429 with
# Retry-After, stall, no headers, TCP reset, injected garbage, clean end,
# 500) over lines split across chunks: stdout ends with every event exactly
# once, requests and timing follow the policy, one log line per attempt
# without the key, and the metrics file tells the story.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

readonly FIRST=68805561
readonly LAST=$((FIRST + 399))
make_capture "${WORK}/capture.ndjson" "${FIRST}" "${LAST}"
readonly SEQ_KEY="k3y-SEQ-777-secret"
mkdir "${WORK}/metrics"
readonly PROM="${WORK}/metrics/ch-fetch.prom"

# Every fault, one after the other, with lines split across chunks.
start_server seq --capture "${WORK}/capture.ndjson" --key "${SEQ_KEY}" --heartbeat 0.3 --chunk-split --seed 11 \
  --faults '1:close_after=40,midline;2:status=503;3:status=429,retry_after=1;4:stall_after=30;5:stall_before_headers;6:close_after=25,reset;7:garbage_after=10,end_after=50;8:status=500'
KEY="${SEQ_KEY}" start_fetch seq --timepoint "${FIRST}" --idle-timeout 1 --first-byte-timeout 1 \
  --backoff-initial 0.2 --backoff-max 0.8 --metrics-dir "${WORK}/metrics"
wait_until 30 has_lines "${WORK}/seq.out" 401 || fail "only $(count "${WORK}/seq.out") of 401 lines arrived"
stop_fetch
expect "exit code" "${RC}" 0

# Every event exactly once, in order, byte for byte; the injected garbage
# line passed through once.
expect "garbage lines" "$(grep -c '^this is not json{{$' "${WORK}/seq.out")" 1
grep -v '^this is not json{{$' "${WORK}/seq.out" >"${WORK}/seq.events"
cmp -s "${WORK}/seq.events" "${WORK}/capture.ndjson" || fail "the events on stdout are not the capture"

# What each connection asked for and got.
expect "connections" "$(q "${WORK}/seq.log" 'len(starts)')" 9
expect "statuses" "$(q "${WORK}/seq.log" '[s["status"] for s in starts]')" \
  "[200, 503, 429, 200, None, 200, 200, 500, 200]"
expect "first requests" "$(q "${WORK}/seq.log" '[s["timepoint"] - '"${FIRST}"' for s in starts[:6]]')" \
  "[0, 40, 40, 40, 70, 70]"
expect "requests never go back" \
  "$(q "${WORK}/seq.log" 'all(a["timepoint"] <= b["timepoint"] for a, b in zip(starts, starts[1:]))')" True
# Timing: Retry-After 1 s; the stall and the missing headers each cost the
# 1 s timeout; the clean end reconnects at once.
expect "Retry-After honoured" "$(q "${WORK}/seq.log" '1.0 <= starts[3]["t"] - starts[2]["t"] < 1.6')" True
expect "stall detected after 1 s" "$(q "${WORK}/seq.log" '1.0 <= starts[4]["t"] - ends[3]["t_start"]')" True
expect "first-byte timeout of 1 s" "$(q "${WORK}/seq.log" '1.0 <= starts[5]["t"] - starts[4]["t"] < 2.0')" True
expect "prompt reconnect after the clean end" "$(q "${WORK}/seq.log" 'starts[7]["t"] - ends[6]["t"] < 0.3')" True

# The key never appears in any log line.
grep -qF "${SEQ_KEY}" "${WORK}/seq.err" && fail "the key appears on stderr"
grep -qF "$(printf '%s:' "${SEQ_KEY}" | base64)" "${WORK}/seq.err" && fail "the Basic credential appears on stderr"
# One log line per connection attempt, with the fields the issue asks for.
expect "connection log lines" "$(grep -c '"message":"connection"' "${WORK}/seq.err")" 9
for field in url timepoint status bytes events duration_s next_delay_s; do
  grep '"message":"connection"' "${WORK}/seq.err" | grep -vq "\"${field}\":" &&
    fail "a connection log line lacks ${field}"
done

# The metrics file, rewritten at exit.
metric() { sed -n "s/^chstream_$1 //p" "${PROM}"; }
expect "metric events_total" "$(metric 'events_total{program="ch-fetch",stream="companies"}')" 401
expect "metric last_event_timepoint" "$(metric 'last_event_timepoint{program="ch-fetch",stream="companies"}')" "${LAST}"
expect "metric connected" "$(metric 'connected{program="ch-fetch",stream="companies"}')" 0
expect "metric breaker_open" "$(metric 'breaker_open{program="ch-fetch",stream="companies"}')" 0
for reason in network-error:2 server-error:2 rate-limited:1 stall:1 first-byte-timeout:1 clean-end:1; do
  expect "metric reconnects_total ${reason%%:*}" \
    "$(metric "reconnects_total{program=\"ch-fetch\",stream=\"companies\",reason=\"${reason%%:*}\"}")" "${reason##*:}"
done
[[ "$(metric 'bytes_total{program="ch-fetch",stream="companies"}')" -gt "$(stat -c %s "${WORK}/capture.ndjson")" ]] ||
  fail "metric bytes_total too small"
[[ -n "$(metric 'last_byte_age_seconds{program="ch-fetch",stream="companies"}')" ]] || fail "metric last_byte_age_seconds missing"
[[ "$(metric 'partial_lines_dropped_total{program="ch-fetch",stream="companies"}')" -ge 1 ]] || fail "metric partial_lines_dropped_total"

echo "PASS ${NAME}"
