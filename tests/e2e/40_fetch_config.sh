#!/usr/bin/env bash
# 40_fetch_config: configuration errors stop ch-fetch with exit 78 (or 64 for
# usage) and one clear line naming the variable, before any request: a
# missing, empty or unreadable key, invalid values, credentials in the URL,
# and a key given as a flag. --help lists every option with its variable.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

# ---------------------------------------------------------------- checks

start_server cfg --capture /dev/null --heartbeat 0.5

# run_fetch ARGS...: ch-fetch in the foreground against the server, with the
# environment the caller set; stdout run.out, stderr run.err; sets RC.
run_fetch() {
  RC=0
  CH_STREAM_URL="${CH_STREAM_URL:-http://127.0.0.1:${PORT}}" timeout 10 "${FETCH}" "$@" \
    >"${WORK}/run.out" 2>"${WORK}/run.err" || RC=$?
}

# expect_config_error WHAT NEEDLE ARGS...: exit 78, one line on stderr naming
# NEEDLE, nothing on stdout.
expect_config_error() {
  local what="$1" needle="$2"
  shift 2
  run_fetch "$@"
  expect "${what}: exit code" "${RC}" 78
  grep -qF -- "${needle}" "${WORK}/run.err" || fail "${what}: stderr does not name ${needle}: $(cat "${WORK}/run.err")"
  expect "${what}: stderr lines" "$(count "${WORK}/run.err")" 1
  [[ ! -s "${WORK}/run.out" ]] || fail "${what}: wrote to stdout"
}

unset CH_STREAM_KEY CH_STREAM_KEY_FILE
expect_config_error "no key at all" CH_STREAM_KEY
CH_STREAM_KEY="" expect_config_error "empty key" CH_STREAM_KEY
CH_STREAM_KEY_FILE="${WORK}/missing" expect_config_error "missing key file" CH_STREAM_KEY_FILE
: >"${WORK}/empty.key"
CH_STREAM_KEY_FILE="${WORK}/empty.key" expect_config_error "empty key file" CH_STREAM_KEY_FILE

export CH_STREAM_KEY=testkey-0123456789
expect_config_error "negative idle timeout" "--idle-timeout/CH_IDLE_TIMEOUT" --idle-timeout=-1
CH_BACKOFF_INITIAL=10 CH_BACKOFF_MAX=5 expect_config_error "initial backoff above the maximum" CH_BACKOFF_INITIAL
CH_IDLE_TIMEOUT=soon expect_config_error "a non-number in the environment" CH_IDLE_TIMEOUT
expect_config_error "ftp URL" "--url/CH_STREAM_URL" --url ftp://127.0.0.1/
expect_config_error "timepoint not a number" CH_TIMEPOINT --timepoint 12x
CH_ON_GAP=ignore expect_config_error "unknown gap policy" CH_ON_GAP
expect_config_error "unreadable CA bundle" CH_CACERT --cacert "${WORK}/no-such-ca.pem"
expect_config_error "key in the URL" CH_STREAM_URL --url "http://sekrit-in-url:@127.0.0.1:${PORT}"
grep -q "sekrit-in-url" "${WORK}/run.err" && fail "the URL's credentials were echoed"

# The key can never be passed on the command line.
run_fetch --key testkey
expect "--key flag: exit code" "${RC}" 64
grep -q "help" "${WORK}/run.err" || fail "usage error without a hint to --help"

# --help lists every option with its variable and exits 0.
run_fetch --help
expect "--help exit code" "${RC}" 0
for option in url:CH_STREAM_URL stream:CH_STREAM timepoint:CH_TIMEPOINT idle-timeout:CH_IDLE_TIMEOUT \
  first-byte-timeout:CH_FIRST_BYTE_TIMEOUT connect-timeout:CH_CONNECT_TIMEOUT \
  backoff-initial:CH_BACKOFF_INITIAL backoff-max:CH_BACKOFF_MAX retry-429:CH_RETRY_429 \
  breaker-threshold:CH_BREAKER_THRESHOLD max-line-bytes:CH_MAX_LINE_BYTES cacert:CH_CACERT \
  on-gap:CH_ON_GAP key-file-wait:CH_KEY_FILE_WAIT log-level:CH_LOG_LEVEL metrics-dir:CH_METRICS_DIR; do
  grep -q -- "--${option%%:*}" "${WORK}/run.out" || fail "--help does not list --${option%%:*}"
  # (the help text is wrapped, sometimes inside a word)
  tr -d ' \n' <"${WORK}/run.out" | grep -q -- "${option##*:}" || fail "--help does not name ${option##*:}"
done

# None of the failures above reached the network.
sleep 0.2
expect "requests made by misconfigured runs" "$(count "${WORK}/cfg.log")" 0

echo "PASS ${NAME}"
