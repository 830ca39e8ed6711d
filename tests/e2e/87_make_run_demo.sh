#!/bin/bash
# `make run` without a key (issue 16, item 10): the demo replays the bundled
# capture of every stream (samples/demo/) into a fresh database and prints
# what it did in a few lines, none wider than 100 columns: the events
# replayed, the companies, status changes, signals, leads and rejects (each
# the database's own count), the most recent leads as a table naming
# officers and PSCs, where the database is, and commands to go further.
# Run twice, it starts afresh and says the same.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# As `make run` from the repository: the programs under ./bin.
ln -s "$BIN" "$TMP/bin"
cd "$TMP"
demo() {
  env -u CH_STREAM_KEY -u CH_STREAM_KEY_FILE -u CH_DB -u CH_LOG_LEVEL \
    sh "$ROOT/tests/tools/make_run.sh" "$TMP/bin" 2>"$TMP/demo.err"
}
out=$(demo) || fail "the demo exited $?: $(cat "$TMP/demo.err")"
assert_eq "" "$(cat "$TMP/demo.err")" "the demo's stderr"
printf '%s\n' "$out"
DB="$TMP/sample.db"
[ -s "$DB" ] || fail "no sample.db"

events=$(cat "$ROOT"/samples/demo/*.ndjson | wc -l)
python3 - "$out" "$DB" "$events" <<'PY' || fail "the demo's output"
import re, sqlite3, sys, unicodedata
out, db, events = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = out.split("\n")
def columns(line):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in line)
# A few lines, each fitting 100 columns.
assert len(lines) == 24, len(lines)
wide = [l for l in lines if columns(l) > 100]
assert not wide, wide
con = sqlite3.connect(db)
count = lambda sql: con.execute(sql).fetchone()[0]
num = lambda text: int(text.replace(",", ""))
m = re.search(r"^  events +([\d,]+) from (\d+) streams in [\d.]+ s$", out, re.M)
assert m and num(m.group(1)) == events and m.group(2) == "9", m
m = re.search(r"^  companies +([\d,]+), with ([\d,]+) status changes; ([\d,]+) filings, officers, PSCs",
              out, re.M)
assert m, out
assert num(m.group(1)) == count("SELECT count(*) FROM companies") > 0
assert num(m.group(2)) == count("SELECT count(*) FROM status_changes") > 0
assert num(m.group(3)) == count("SELECT count(*) FROM resources") > 0
m = re.search(r"^  signals +([\d,]+), of which ([\d,]+) are leads; rejects ([\d,]+) ", out, re.M)
assert m, out
assert num(m.group(1)) == count("SELECT count(*) FROM signals") > 0
leads = count("SELECT count(*) FROM leads")
assert num(m.group(2)) == leads > 10
assert num(m.group(3)) == count("SELECT count(*) FROM rejects") > 0
# The 10 most recent leads, as the table of `leads --format table`.
assert "The 10 most recent leads (of %s):" % format(leads, ",") in lines, out
top = lines.index("The 10 most recent leads (of %s):" % format(leads, ",")) + 1
assert lines[top].split() == ["id", "signal", "date", "company", "name", "officers", "pscs"], lines[top]
assert lines[top + 11] == "10 leads", lines[top + 11]
want = [r[0] for r in con.execute("SELECT id FROM leads ORDER BY id DESC LIMIT 10")][::-1]
rows = lines[top + 1:top + 11]
assert [int(r.split()[0]) for r in rows] == want, rows
# They name people: most of them officers and PSCs (the capture has more of
# them per company than real life, for this), and the table shows them.
people = con.execute("SELECT count(*) FROM leads WHERE id >= ? AND officers != '' AND pscs != ''",
                     (want[0],)).fetchone()[0]
assert people >= 6, people
officers_at = lines[top].index("officers")
shown = [r for r in rows if r[officers_at:officers_at + 3].strip()]
assert len(shown) >= 6, rows
# Where the database is, and what to run next.
assert "Database: %s (" % db in out, out
assert "  bin/ch-store --db sample.db leads " in out, out
assert "  bin/ch-store --db sample.db status " in out, out
assert "make run" in lines[-1], lines[-1]
PY

# The commands it suggests work.
(cd "$TMP" && bin/ch-store --db sample.db --log-level error status >/dev/null) || fail "the suggested status"
[ "$(cd "$TMP" && bin/ch-store --db sample.db leads | wc -l)" -gt 10 ] || fail "the suggested leads"

# Again: a fresh database, the same counts.
again=$(demo) || fail "the second demo exited $?"
strip_time() { printf '%s\n' "$1" | sed -E 's/ in [0-9.]+ s$//'; }
assert_eq "$(strip_time "$out")" "$(strip_time "$again")" "a second run"
echo "ok: the demo's summary matches its database"
