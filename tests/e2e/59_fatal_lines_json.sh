#!/bin/bash
# Fatal messages are JSON lines like every other log line (issue 16, item 8):
# every usage error (64) and configuration error (78) of ch-fetch, ch-parse,
# ch-store and pipeline.sh writes only JSON objects on stderr, the last one
# at level "error" with the exit code and a message naming the culprit; a
# usage error keeps its hint to --help inside the message. --help itself
# stays plain text on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# fatal WANT_CODE NEEDLE CMD...: runs CMD (stdin empty, at most 10 s), expects
# exit WANT_CODE, and stderr to be JSON lines only, the last of them an error
# with "exit_code": WANT_CODE (unless EXIT_FIELD=no) whose message contains
# NEEDLE.
fatal() {
  local want="$1" needle="$2" rc=0
  shift 2
  timeout 10 "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc instead of $want from: $* ($(cat "$TMP/err"))"
  python3 - "$TMP/err" "$want" "$needle" "${EXIT_FIELD:-yes}" <<'EOF' || fail "stderr of [$*] is not JSON lines: $(cat "$TMP/err")"
import json, sys
path, want, needle, exit_field = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = open(path, encoding="utf-8").read().splitlines()
assert lines, "nothing on stderr"
records = [json.loads(l) for l in lines]   # raises on any plain-text line
assert all(isinstance(r, dict) and "level" in r and "program" in r for r in records), records
last = records[-1]
assert last["level"] == "error", last
assert exit_field == "no" or last.get("exit_code") == want, last
assert needle in last["message"], (needle, last)
EOF
  # (jq too, when it is there: the tool the issue names)
  if command -v jq >/dev/null; then
    jq -e . "$TMP/err" >/dev/null || fail "jq stops on the stderr of [$*]"
  fi
}

FETCH="$BIN/ch-fetch"
PARSE="$BIN/ch-parse"
STORE_BIN="$BIN/ch-store"
URL="http://127.0.0.1:9"

# ch-fetch: usage, values from flags and from the environment, the key.
fatal 64 "Try 'ch-fetch --help'" env CH_STREAM_KEY=k "$FETCH" --no-such-flag
fatal 64 "Try 'ch-fetch --help'" env CH_STREAM_KEY=k "$FETCH" --url
fatal 78 "idle-timeout" env CH_STREAM_KEY=k "$FETCH" --url "$URL" --idle-timeout abc
fatal 78 "CH_IDLE_TIMEOUT" env CH_STREAM_KEY=k CH_IDLE_TIMEOUT=abc "$FETCH" --url "$URL"
fatal 78 "CH_LOG_LEVEL" env CH_STREAM_KEY=k CH_LOG_LEVEL=loud "$FETCH" --url "$URL"
fatal 78 "CH_TIMEPOINT" env CH_STREAM_KEY=k "$FETCH" --url "$URL" --timepoint 12x
fatal 78 "CH_BACKOFF_INITIAL" env CH_STREAM_KEY=k "$FETCH" --url "$URL" --backoff-initial 9 --backoff-max 1
fatal 78 "CH_STREAM_KEY" env -u CH_STREAM_KEY -u CH_STREAM_KEY_FILE "$FETCH" --url "$URL"
fatal 78 "CH_STREAM_KEY_FILE" env CH_STREAM_KEY_FILE="$TMP/no-such-key" "$FETCH" --url "$URL"
fatal 78 "CH_CACERT" env CH_STREAM_KEY=k "$FETCH" --url "$URL" --cacert "$TMP/no-such-ca.pem"

# ch-parse
fatal 64 "Try 'ch-parse --help'" "$PARSE" --bogus
fatal 78 "CH_AS_OF" "$PARSE" --format bulk-csv
fatal 78 "CH_FORMAT" "$PARSE" --format xml
fatal 78 "CH_LOG_LEVEL" env CH_LOG_LEVEL=chatty "$PARSE"

# ch-store
fatal 64 "Try 'ch-store --help'" "$STORE_BIN" --db "$TMP/s.db" frobnicate
fatal 64 "Try 'ch-store --help'" "$STORE_BIN" --db "$TMP/s.db" --bogus
fatal 64 "Try 'ch-store --help'" "$STORE_BIN" --db "$TMP/s.db" prune
fatal 78 "CH_DB" "$STORE_BIN" --db "" status
fatal 78 "CH_BUSY_TIMEOUT" env CH_BUSY_TIMEOUT=soon "$STORE_BIN" --db "$TMP/s.db" checkpoint

# pipeline.sh: its own unknown argument (its --help stays plain text).
fatal 64 "Try 'pipeline.sh --help'" bash "$ROOT/pipeline.sh" --verbose
# (its configuration errors were JSON already, without an exit_code field)
EXIT_FIELD=no fatal 78 "seconds expected" env CH_RESTART_MIN=abc CH_BIN="$BIN" bash "$ROOT/pipeline.sh"
bash "$ROOT/pipeline.sh" --help >"$TMP/help"
head -n 1 "$TMP/help" | grep -q '^Usage: pipeline.sh' || fail "pipeline.sh --help is not plain text"
"$FETCH" --help >"$TMP/help"
head -n 1 "$TMP/help" | grep -q '^Usage: ch-fetch' || fail "ch-fetch --help is not plain text"

echo "PASS 59_fatal_lines_json"
