#!/bin/sh
# `make run`: live when a stream key is configured, otherwise a demo that
# replays the bundled sample capture into sample.db and prints the leads.
set -eu
BIN="$1"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${CH_STREAM_KEY:-}" ] || [ -n "${CH_STREAM_KEY_FILE:-}" ]; then
  echo "make run: CH_STREAM_KEY is set: running the live pipeline into ${CH_DB:-companies.db} (Ctrl-C stops it)" >&2
  CH_BIN="$BIN" exec "$ROOT/pipeline.sh"
fi
db="${CH_DB:-sample.db}"
echo "make run: no CH_STREAM_KEY: replaying samples/capture.ndjson into $db" >&2
CH_LOG_LEVEL="${CH_LOG_LEVEL:-error}" "$BIN/ch-parse" <"$ROOT/samples/capture.ndjson" |
  CH_LOG_LEVEL="${CH_LOG_LEVEL:-error}" "$BIN/ch-store" --db "$db"
echo "make run: database status:" >&2
"$BIN/ch-store" --db "$db" status >&2 || true
echo >&2
echo "make run: leads (status changes into a strike-off proposal or dissolved):" >&2
"$BIN/ch-store" --db "$db" leads --format csv
