#!/usr/bin/env bash
# 49_fetch_key_exposure: the key at the edges (issue 16, item 9).
# - A server whose error pages echo the request (the Authorization header)
#   and the key in clear, padded so that the 300-byte excerpt of the log
#   ends at every position across them: no piece of the key or of its
#   Basic credential ever reaches stderr; the 401 at the end still exits 78.
# - Logs never echo a URL's query (the timepoint is a field of its own), nor
#   does the error for a CH_STREAM_URL that has one.
# - ch-fetch is not dumpable: run as nobody, its /proc files are root's.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

readonly FIRST=68805561
readonly SECRET="Q7vK9zP2mW4xR8tL"
SECRET_BASIC="$(printf '%s:' "${SECRET}" | base64)"
readonly SECRET_BASIC
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 9))

# no_piece_of FILE SECRET: FILE holds no 4-byte piece of SECRET.
no_piece_of() {
  python3 - "$1" "$2" <<'EOF'
import sys
text, secret = open(sys.argv[1], encoding="utf-8", errors="replace").read(), sys.argv[2]
hits = sorted({secret[i:i + 4] for i in range(len(secret) - 3) if secret[i:i + 4] in text})
if hits:
    sys.exit("pieces of %s found: %s" % (secret, hits))
EOF
}

# 1. Echoing error pages: 503s padded 120..236 bytes, then a 401.
faults=""
conn=1
for pad in $(seq 120 4 236); do
  faults+="${conn}:status=503,echo=${pad};"
  conn=$((conn + 1))
done
faults+="${conn}:status=401,echo=200"
start_server echo --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --key "${SECRET}" --faults "${faults}"
KEY="${SECRET}" start_fetch echo --timepoint "${FIRST}" --backoff-initial 0.02 --backoff-max 0.05
wait_exit 40
expect "echo: exit code after the 401" "${RC}" 78
expect "echo: connections" "$(q "${WORK}/echo.log" 'len(starts)')" "${conn}"
# The server did echo the credentials (so the test saw what it means to).
expect "echo: the server saw the key" "$(q "${WORK}/echo.log" 'all(s["auth_ok"] for s in starts)')" True
grep -q 'Authorization: Basic \*\*\*' "${WORK}/echo.err" || fail "echo: no redacted Authorization in the log"
grep -q 'key: \*\*\*' "${WORK}/echo.err" || fail "echo: no redacted key in the log"
no_piece_of "${WORK}/echo.err" "${SECRET}" || fail "echo: the key leaked"
no_piece_of "${WORK}/echo.err" "${SECRET_BASIC}" || fail "echo: the Basic credential leaked"

# 2. No URL query in any log line; the timepoint is its own field.
grep -q '"url":"[^"]*?' "${WORK}/echo.err" && fail "a log line echoes the URL's query"
grep -q "\"timepoint\":${FIRST}" "${WORK}/echo.err" || fail "the timepoint asked is not logged"
RC=0
CH_STREAM_KEY=k "${FETCH}" --url "http://127.0.0.1:${PORT}/?token=s3cr3t-t0ken" >/dev/null 2>"${WORK}/url.err" || RC=$?
expect "URL with a query: exit code" "${RC}" 78
grep -q CH_STREAM_URL "${WORK}/url.err" || fail "URL with a query: the variable is not named"
grep -q 's3cr3t-t0ken' "${WORK}/url.err" && fail "URL with a query: the query was echoed"

# 3. Not dumpable: as nobody, a dumpable process's /proc files are nobody's;
# ch-fetch's are root's, so nobody (its own user) cannot read its memory
# or environment (where CH_STREAM_KEY is).
start_server dump --capture "${WORK}/capture.ndjson" --heartbeat 0.5 --key "${SECRET}"
CH_STREAM_KEY="${SECRET}" CH_STREAM_URL="http://127.0.0.1:${PORT}" \
  setpriv --reuid=65534 --regid=65534 --clear-groups "${FETCH}" --timepoint "${FIRST}" \
  >"${WORK}/dump.out" 2>"${WORK}/dump.err" &
FETCH_PID=$!
PIDS+=("${FETCH_PID}")
wait_until 10 has_lines "${WORK}/dump.out" 10 || fail "dump: the events never came"
expect "dump: ch-fetch runs as" "$(stat -c %u "/proc/${FETCH_PID}")" 65534
expect "dump: owner of /proc/PID/environ" "$(stat -c %U "/proc/${FETCH_PID}/environ")" root
setpriv --reuid=65534 --regid=65534 --clear-groups cat "/proc/${FETCH_PID}/environ" >/dev/null 2>&1 &&
  fail "dump: its own user can read ch-fetch's environment"
# The same check on a dumpable process of nobody's proves the test can tell.
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 5 &
sleeper=$!
PIDS+=("${sleeper}")
wait_until 5 eval '[[ "$(stat -c %u "/proc/${sleeper}" 2>/dev/null)" == 65534 ]]' || fail "dump: sleep did not start"
expect "dump: owner of a dumpable process's environ" "$(stat -c %U "/proc/${sleeper}/environ")" nobody
kill "${sleeper}"
stop_fetch
expect "dump: exit code after SIGTERM" "${RC}" 0

echo "PASS ${NAME}"
