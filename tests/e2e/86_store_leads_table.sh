#!/bin/bash
# `ch-store leads` for a person and for a program (issue 16, item 11): on a
# terminal it prints a table (aligned columns, wide ones cut with an
# ellipsis so that every line fits the terminal's width, a count at the
# end); into a pipe or a file it prints the CSV it always did, byte for
# byte what --format csv prints, so nothing that reads leads changes.
# --format table / csv / ndjson choose either way. The terminal is a real
# pseudo-terminal (python's pty) with a window size, and also script(1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DB="$TMP/l.db"
for capture in "$ROOT"/samples/demo/*.ndjson; do
  stream=$(basename "$capture" .ndjson)
  "$BIN/ch-parse" --stream "$stream" <"$capture" 2>/dev/null | store --db "$DB" --stream "$stream"
done
LEADS=$(sql "$DB" "SELECT count(*) FROM leads")
[ "$LEADS" -gt 50 ] || fail "too few leads to show anything: $LEADS"

# Runs ch-store ARGS... on a pseudo-terminal COLS columns wide (COLUMNS
# unset: the width must come from the terminal) and prints what it wrote.
on_tty() {
  local cols="$1"
  shift
  python3 - "$cols" "$@" <<'PY'
import fcntl, os, pty, struct, subprocess, sys, termios
cols, args = int(sys.argv[1]), sys.argv[2:]
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=env)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the other side is closed
        break
    if not chunk:
        break
    out += chunk
rc = p.wait()
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(rc)
PY
}

# Checks a table: every line at most $2 columns wide, the header, a row per
# lead with its id first, and the count line.
check_table() {
  local text="$1" width="$2" count="$3" first_id="$4"
  python3 - "$text" "$width" "$count" "$first_id" <<'PY' || fail "the table at $width columns:
$text"
import sys, unicodedata
text, width, count, first_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def columns(line):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in line)
lines = text.rstrip("\n").split("\n")
for line in lines:
    assert columns(line) <= width, (columns(line), line)
    assert line == line.rstrip(), line
header = lines[0].split()
want = ["id", "signal", "date", "company", "name", "officers", "pscs"]
assert len(header) == len(want) and all(
    h == w or (h.endswith("\u2026") and w.startswith(h[:-1])) for h, w in zip(header, want)), header
assert lines[-1] == "%d leads" % count, lines[-1]
rows = lines[1:-1]
assert len(rows) == count, len(rows)
assert rows[0].split()[0] == first_id, rows[0]
# Aligned: the company number (never cut) starts where its header does in
# every row, after the two spaces that end the column before it.
import re
start = lines[0].index("company")
for row in rows:
    assert row[start - 2:start] == "  " and re.fullmatch(r"[A-Z0-9]{8}", row[start:start + 8]), row
assert "\u2026" in text, "nothing cut at %d columns" % width
PY
}

first_id=$(sql "$DB" "SELECT min(id) FROM leads")

# 1. A terminal gets the table, as wide as the terminal, whatever its width.
for width in 100 80; do
  table=$(on_tty "$width" "$BIN/ch-store" --db "$DB" leads) || fail "leads on a tty exited $?"
  check_table "$table" "$width" "$LEADS" "$first_id"
done
# COLUMNS wins over the terminal's own width.
table=$(COLUMNS=72 script -q -e -c "$BIN/ch-store --db $DB leads" /dev/null </dev/null | tr -d '\r') ||
  fail "leads under script exited $?"
check_table "$table" 72 "$LEADS" "$first_id"
# An explicit format wins over the terminal.
csv_on_tty=$(on_tty 100 "$BIN/ch-store" --db "$DB" leads --format csv)
assert_eq "id,signal,stream,occurred_on" "$(printf '%s' "$csv_on_tty" | head -n 1 | cut -d, -f1-4)" \
  "--format csv on a terminal"

# 2. A pipe and a file get CSV, exactly what --format csv prints.
store --db "$DB" leads --format csv >"$TMP/explicit.csv"
store --db "$DB" leads | cat >"$TMP/piped.csv"
store --db "$DB" leads >"$TMP/file.csv"
cmp "$TMP/explicit.csv" "$TMP/piped.csv" || fail "a pipe does not get the CSV"
cmp "$TMP/explicit.csv" "$TMP/file.csv" || fail "a file does not get the CSV"
assert_eq "$((LEADS + 1))" "$(wc -l <"$TMP/piped.csv")" "CSV lines (header and a row per lead)"
head -n 1 "$TMP/piped.csv" | grep -q '^id,signal,stream,occurred_on,published_at,' || fail "the CSV header"
# NDJSON as before.
assert_eq "$LEADS" "$(store --db "$DB" leads --format ndjson | wc -l)" "NDJSON lines"

# 3. --format table into a pipe: COLUMNS, else 100 columns; resumes by id.
unset COLUMNS
check_table "$(store --db "$DB" leads --format table)" 100 "$LEADS" "$first_id"
check_table "$(COLUMNS=70 store --db "$DB" leads --format table)" 70 "$LEADS" "$first_id"
after=$(sql "$DB" "SELECT id FROM leads ORDER BY id DESC LIMIT 1 OFFSET 5")
last6=$(COLUMNS=100 store --db "$DB" leads --format table --after-id "$((after - 1))")
check_table "$last6" 100 6 "$after"
assert_eq "0 leads" "$(store --db "$DB" leads --format table --after-id 999999)" "no leads"

# 4. A wrong format is a configuration error.
expect_exit 78 "$BIN/ch-store" --db "$DB" --log-level error leads --format tabular
echo "ok: $LEADS leads as a table on a terminal, CSV into a pipe"
