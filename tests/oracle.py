#!/usr/bin/env python3
"""Reference model of the chstream contract: what the database must hold
after a companies-stream capture has gone through `ch-parse | ch-store`.

It is deliberately independent of the C++ code and of tests/gen_capture.py:
it reads /work/shared/DESIGN.md and PROTOCOL.md, nothing else.

Usage
-----
  oracle.py [--out-dir DIR] [--compare-db DB] CAPTURE [CAPTURE ...]   (- reads stdin)

--compare-db DB (repeatable) also compares the model with a database ch-store wrote:
status_changes change by change, as a multiset (lost, invented and
duplicated changes, with their counts) and then in order; companies row by
row; the checkpoint; the distinct rejects.  It exits 1 when they differ.

The captures are treated as one stream, in the order given (so passing the
same file twice models a replay).  A summary goes to stderr.

Output files in DIR (default "."):
  companies.csv       company_number,company_name,company_status,
                      company_status_detail,as_of,source,deleted
                      one row per company, sorted by company_number
  status_changes.csv  company_number,timepoint,published_at,old_status,
                      old_status_detail,new_status,new_status_detail,source
                      in application order
  checkpoint.txt      the final checkpoint and "\\n", or empty (none)
  rejects.txt         number of distinct rejected lines and "\\n"
  rejects.tsv         diagnostics, one rejected line each:
                      input-name:line-number <TAB> reason <TAB> timepoint-or-empty
                      (reason wording is the oracle's own; not for comparison)

The CSV files are byte-identical to what sqlite3 prints, so a test compares
them with cmp after running (with the programs' database):

  Q="sqlite3 -batch -init /dev/null -csv -header $CH_DB"
  $Q "SELECT company_number, company_name, company_status,
             company_status_detail, as_of, source, deleted
      FROM companies ORDER BY company_number"        > companies.csv
  $Q "SELECT company_number, timepoint, published_at, old_status,
             old_status_detail, new_status, new_status_detail, source
      FROM status_changes ORDER BY id"               > status_changes.csv
  $Q "SELECT timepoint FROM stream_state WHERE stream = 'companies'"
                                                     # = checkpoint.txt
                                                     # (or: ch-store checkpoint)
  $Q "SELECT count(*) FROM rejects"                  # = rejects.txt

sqlite3's CSV mode, checked by experiment with sqlite3 3.40.1, is NOT
Python's csv.QUOTE_MINIMAL, so the writer below copies sqlite3's rule: a
text value is double-quoted (inner quotes doubled) when it is empty or holds
any byte <= 0x20 (space included), '"', "'", ',', 0x7f or any byte >= 0x80
(so every non-ASCII value); NULL prints as nothing; integers print bare;
rows end with "\\n"; a query with no rows prints nothing, not even the
header, and so does the oracle.  Hence deleted and timepoint must be stored
as INTEGER and NULLs as NULL (not '').

Contract as modelled (DESIGN.md "Delivery guarantees" and "Database"):
  * Lines are split on "\\n".  A line that is empty or only blanks is a
    heartbeat and is skipped.  A last line without "\\n" counts as a line.
  * Control lines (a JSON object whose only key is "gap" or
    "snapshot_end") are ignored: no reject, no data.
  * Reject when: not UTF-8; not JSON (NaN/Infinity are not JSON); not an
    object; resource_kind != "company-profile"; event not an object;
    event.timepoint not an integer in 0..2^63-1 (a JSON integer or a
    string of ASCII digits; "abc", negative, fractional (any JSON number
    written with a fraction or exponent), booleans and larger values are
    rejects); event.type not exactly "changed" or "deleted"; data present
    but not an object; company number invalid.  The company number is
    data.company_number if present and not null, else resource_id if
    present and not null, else the last "/"-segment of resource_uri; it
    must be a string; ASCII blanks trimmed, a-z upper-cased, then it must
    be 1-10 characters of A-Z0-9.  No padding (stream numbers are kept as
    sent).  Rejects never move the checkpoint; rejects.txt counts distinct
    raw lines ("the same reject seen again ... is not stored twice").
  * Dedupe: a valid record is applied only if its timepoint > checkpoint
    (max applied so far, initially none); otherwise it changes nothing.
  * published_at -> "YYYY-MM-DDTHH:MM:SSZ": zone-less is UTC, "Z" or
    +hh:mm / -hh:mm / +hhmm / +hh offsets are converted to UTC, fractions
    are dropped (truncated, not rounded), "T" or a space between date and
    time, missing seconds are :00, a date alone is midnight UTC (as
    common/timestamp.h).  Unparseable or absent -> NULL (the record is
    still applied; generated captures never contain this).
  * changed: the row becomes the event's state: company_name (absent or
    null -> the stored name is kept), status pair (below), as_of =
    published_at, source = "stream", deleted = 0.
    Status: company_status absent or null -> the stored (status, detail)
    pair is kept as it is, whatever company_status_detail says.  Otherwise
    company_status is trimmed and matched case-insensitively:
    "active-proposal-to-strike-off" or "Active - Proposal to Strike off"
    -> ("active", "active-proposal-to-strike-off"); a PROTOCOL.md status key
    -> that key; a bulk CompanyStatus text from PROTOCOL.md's table -> its
    key; anything else is kept trimmed as sent.  company_status_detail:
    absent, null or blank -> NULL; "Active - Proposal to Strike off"
    (any case) -> "active-proposal-to-strike-off"; a PROTOCOL.md detail
    key (any case) -> that key; anything else kept trimmed as sent.
    A status_changes row (source "stream", published_at in the as_of form)
    is written exactly when the stored pair changes, first sighting
    included (old values NULL); an unchanged pair writes nothing.
  * deleted: sets deleted = 1 and nothing else; for an unknown company it
    creates the row with company_name, company_status and
    company_status_detail NULL, as_of = published_at, source = "stream".
    No status change.  A later changed event sets deleted = 0.
"""

import argparse
import datetime as dt
import json
import os
import re
import sys

MAX_TIMEPOINT = 2 ** 63 - 1

STATUS_KEYS = {
    "active", "dissolved", "liquidation", "receivership", "converted-closed",
    "voluntary-arrangement", "insolvency-proceedings", "administration",
    "open", "closed", "registered", "removed",
}
DETAIL_KEYS = {
    "active-proposal-to-strike-off", "petition-to-restore-dissolved",
    "transferred-from-uk", "transformed-to-se", "converted-to-plc",
    "converted-to-uk-societas", "converted-to-ukeig",
    "active", "dissolved", "converted-closed",
}
STRIKE_OFF = "active-proposal-to-strike-off"
STRIKE_OFF_LABEL = "active - proposal to strike off"
# PROTOCOL.md "CompanyStatus text -> stream keys", lower-cased.
STATUS_TEXTS = {
    "active": "active",
    "liquidation": "liquidation",
    "in administration": "administration",
    "administration order": "administration",
    "in administration/receiver manager": "administration",
    "in administration/administrative receiver": "administration",
    "receivership": "receivership",
    "receiver manager / administrative receiver": "receivership",
    "administrative receiver": "receivership",
    "live but receiver manager on at least one charge": "receivership",
    "voluntary arrangement": "voluntary-arrangement",
    "voluntary arrangement / administrative receiver": "voluntary-arrangement",
    "voluntary arrangement / receiver manager": "voluntary-arrangement",
    "dissolved": "dissolved",
    "converted/closed": "converted-closed",
    "open": "open",
    "closed": "closed",
    "registered": "registered",
    "removed": "removed",
}

ASCII_BLANKS = " \t\r\n\f\v"
DIGITS_RE = re.compile(r"[0-9]+\Z")
NUMBER_RE = re.compile(r"[A-Z0-9]{1,10}\Z")
PUBLISHED_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?)?\Z")
UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Reject(Exception):
    def __init__(self, reason, timepoint=None):
        super().__init__(reason)
        self.reason = reason
        self.timepoint = timepoint


def _no_constants(name):
    raise ValueError("not JSON: " + name)


def parse_timepoint(v):
    if isinstance(v, bool):
        raise Reject("timepoint is a boolean")
    if isinstance(v, int):
        n = v
    elif isinstance(v, str):
        if not DIGITS_RE.match(v):
            raise Reject("timepoint is not a number")
        n = int(v)
    elif v is None:
        raise Reject("timepoint missing")
    else:
        raise Reject("timepoint is not an integer")
    if n < 0:
        raise Reject("timepoint negative", n)
    if n > MAX_TIMEPOINT:
        raise Reject("timepoint too large")
    return n


def company_number(obj, data):
    if data.get("company_number") is not None:
        raw = data["company_number"]
    elif obj.get("resource_id") is not None:
        raw = obj["resource_id"]
    elif obj.get("resource_uri") is not None:
        uri = obj["resource_uri"]
        if not isinstance(uri, str):
            return None
        raw = uri.split("/")[-1]
    else:
        return None
    if not isinstance(raw, str):
        return None
    number = raw.strip(ASCII_BLANKS).translate(UPPER)
    return number if NUMBER_RE.match(number) else None


def utc_text(published):
    if not isinstance(published, str):
        return None
    m = PUBLISHED_RE.match(published.strip(ASCII_BLANKS))
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups()[:6])
    try:
        t = dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    zone = m.group(7)
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours >= 24 or minutes >= 60:
            return None
        try:
            t -= sign * dt.timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            return None
    if not 1 <= t.year <= 9999:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_status(status, detail):
    """(company_status, company_status_detail) as sent -> stored pair."""
    st = status.strip(ASCII_BLANKS) if isinstance(status, str) else str(status)
    low = st.lower()
    if low in (STRIKE_OFF, STRIKE_OFF_LABEL):
        return "active", STRIKE_OFF
    if low in STATUS_KEYS:
        st = low
    elif low in STATUS_TEXTS:
        st = STATUS_TEXTS[low]
    if detail is None:
        return st, None
    dt_ = detail.strip(ASCII_BLANKS) if isinstance(detail, str) else str(detail)
    dlow = dt_.lower()
    if dt_ == "":
        return st, None
    if dlow == STRIKE_OFF_LABEL:
        return st, STRIKE_OFF
    if dlow in DETAIL_KEYS:
        return st, dlow
    return st, dt_


class Oracle:
    def __init__(self):
        self.checkpoint = None
        self.companies = {}   # number -> dict(name, status, detail, as_of, source, deleted)
        self.changes = []
        self.rejected = []    # (where, reason, timepoint, raw)
        self.reject_raws = set()
        self.lines = 0
        self.applied = 0
        self.skipped = 0      # valid but timepoint <= checkpoint
        self.controls = 0

    def feed_file(self, name, fh):
        for i, raw in enumerate(fh, 1):       # binary: splits on b"\n" only
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            self.feed_line("%s:%d" % (name, i), raw)

    def feed_line(self, where, raw):
        if raw.strip(b" \t\r") == b"":
            return
        self.lines += 1
        try:
            self.apply(raw)
        except Reject as r:
            self.rejected.append((where, r.reason, r.timepoint, raw))
            self.reject_raws.add(raw)

    def apply(self, raw):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Reject("not UTF-8")
        try:
            obj = json.loads(text, parse_constant=_no_constants)
        except (ValueError, RecursionError):
            raise Reject("not JSON")
        if not isinstance(obj, dict):
            raise Reject("not a JSON object")
        if len(obj) == 1 and ("gap" in obj or "snapshot_end" in obj):
            self.controls += 1
            return
        if obj.get("resource_kind") != "company-profile":
            raise Reject("resource_kind %r" % (obj.get("resource_kind"),))
        event = obj.get("event")
        if not isinstance(event, dict):
            raise Reject("event missing")
        tp = parse_timepoint(event.get("timepoint"))
        etype = event.get("type")
        if etype not in ("changed", "deleted") or not isinstance(etype, str):
            raise Reject("event.type %r" % (etype,), tp)
        data = obj.get("data")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise Reject("data is not an object", tp)
        number = company_number(obj, data)
        if number is None:
            raise Reject("invalid company number", tp)
        if self.checkpoint is not None and tp <= self.checkpoint:
            self.skipped += 1
            return
        self.checkpoint = tp
        self.applied += 1
        published = utc_text(event.get("published_at"))
        row = self.companies.get(number)
        if etype == "deleted":
            if row is None:
                self.companies[number] = dict(name=None, status=None, detail=None,
                                              as_of=published, source="stream",
                                              deleted=1)
            else:
                row["deleted"] = 1
            return
        if row is None:
            row = dict(name=None, status=None, detail=None, as_of=None,
                       source="stream", deleted=0)
            self.companies[number] = row
        if data.get("company_name") is not None:
            name = data["company_name"]
            row["name"] = name if isinstance(name, str) else json.dumps(name)
        row["as_of"] = published
        row["source"] = "stream"
        row["deleted"] = 0
        if data.get("company_status") is None:
            return
        new = normalise_status(data["company_status"], data.get("company_status_detail"))
        old = (row["status"], row["detail"])
        if new != old:
            self.changes.append((number, tp, published, old[0], old[1], new[0], new[1],
                                 "stream"))
            row["status"], row["detail"] = new


def csv_field(v):
    """One value the way `sqlite3 -csv` prints it."""
    if v is None:
        return b""
    if isinstance(v, int):
        return str(v).encode()
    b = v.encode("utf-8")
    if b == b"" or any(c <= 0x20 or c >= 0x7f or c in b"\"'," for c in b):
        return b'"' + b.replace(b'"', b'""') + b'"'
    return b


def write_csv(path, header, rows):
    with open(path, "wb") as f:
        if not rows:
            return          # sqlite3 prints no header for an empty result
        f.write(b",".join(csv_field(h) for h in header) + b"\n")
        for r in rows:
            f.write(b",".join(csv_field(v) for v in r) + b"\n")


def compare_db(o, db_path, stream="companies"):
    """Compares the model with a database ch-store wrote; returns a list of
    problems (empty when they agree).

    status_changes are compared change by change: first as a multiset (each
    change missing from the database, or there more often than the model
    says: a lost, invented or duplicated change, with how many times), then,
    when the multisets agree, in id order (the application order, which the
    contract defines: timepoint order within the stream).  companies are
    compared row by row, the checkpoint and the distinct rejects by value.
    Reads the database with Python's sqlite3 module only."""
    import collections
    import sqlite3
    problems = []
    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        got = [tuple(r) for r in db.execute(
            "SELECT company_number, timepoint, published_at, old_status, old_status_detail,"
            " new_status, new_status_detail, source FROM status_changes ORDER BY id")]
        rows = {r[0]: tuple(r[1:]) for r in db.execute(
            "SELECT company_number, company_name, company_status, company_status_detail, as_of,"
            " source, deleted FROM companies")}
        cp = db.execute("SELECT timepoint FROM stream_state WHERE stream = ?", (stream,)).fetchone()
        rejects = db.execute("SELECT count(*) FROM rejects").fetchone()[0]
    finally:
        db.close()
    want = list(o.changes)
    want_count, got_count = collections.Counter(want), collections.Counter(got)
    missing = want_count - got_count
    extra = got_count - want_count
    for label, diff in (("missing from the database", missing),
                        ("in the database but not in the model (invented or duplicated)", extra)):
        if diff:
            problems.append("status_changes: %d %s, e.g.:" % (sum(diff.values()), label))
            for change, n in sorted(diff.items(), key=lambda kv: (kv[0][1] or 0, kv[0][0]))[:5]:
                problems.append("  %d x %r" % (n, change))
    if not missing and not extra and got != want:
        i = next(i for i, (a, b) in enumerate(zip(want, got)) if a != b)
        problems.append("status_changes: same changes in another order; first at #%d: model %r,"
                        " database %r" % (i + 1, want[i], got[i]))
    expected = {n: (c["name"], c["status"], c["detail"], c["as_of"], c["source"], c["deleted"])
                for n, c in o.companies.items()}
    differing = sorted(n for n in set(expected) | set(rows) if expected.get(n) != rows.get(n))
    if differing:
        problems.append("companies: %d rows differ, e.g.:" % len(differing))
        for n in differing[:5]:
            problems.append("  %s: model %r, database %r" % (n, expected.get(n), rows.get(n)))
    if (cp[0] if cp else None) != o.checkpoint:
        problems.append("checkpoint: model %r, database %r" % (o.checkpoint, cp[0] if cp else None))
    if rejects != len(o.reject_raws):
        problems.append("rejects: model %d, database %d" % (len(o.reject_raws), rejects))
    return problems


def main(argv=None):
    p = argparse.ArgumentParser(description="Reference model: expected database contents "
                                            "after replaying captures.")
    p.add_argument("captures", nargs="+", help="stream NDJSON files, in order (- = stdin)")
    p.add_argument("--out-dir", default=".")
    p.add_argument("--compare-db", metavar="DB", action="append", default=[],
                   help="also compare with this database (see compare_db; may be given "
                        "several times); exit 1 when one differs, saying how")
    args = p.parse_args(argv)
    o = Oracle()
    for name in args.captures:
        if name == "-":
            o.feed_file("-", sys.stdin.buffer)
        else:
            with open(name, "rb") as fh:
                o.feed_file(name, fh)
    os.makedirs(args.out_dir, exist_ok=True)
    rows = [(n, c["name"], c["status"], c["detail"], c["as_of"], c["source"], c["deleted"])
            for n, c in sorted(o.companies.items())]
    write_csv(os.path.join(args.out_dir, "companies.csv"),
              ["company_number", "company_name", "company_status", "company_status_detail",
               "as_of", "source", "deleted"], rows)
    write_csv(os.path.join(args.out_dir, "status_changes.csv"),
              ["company_number", "timepoint", "published_at", "old_status",
               "old_status_detail", "new_status", "new_status_detail", "source"], o.changes)
    with open(os.path.join(args.out_dir, "checkpoint.txt"), "w") as f:
        if o.checkpoint is not None:
            f.write("%d\n" % o.checkpoint)
    with open(os.path.join(args.out_dir, "rejects.txt"), "w") as f:
        f.write("%d\n" % len(o.reject_raws))
    with open(os.path.join(args.out_dir, "rejects.tsv"), "w", encoding="utf-8") as f:
        for where, reason, tp, _raw in o.rejected:
            f.write("%s\t%s\t%s\n" % (where, reason.replace("\t", " ").replace("\n", " "),
                                      "" if tp is None else tp))
    sys.stderr.write(
        "oracle: lines=%d applied=%d skipped_by_dedupe=%d rejected_lines=%d "
        "distinct_rejects=%d controls=%d companies=%d status_changes=%d checkpoint=%s\n"
        % (o.lines, o.applied, o.skipped, len(o.rejected), len(o.reject_raws), o.controls,
           len(o.companies), len(o.changes), o.checkpoint))
    differ = False
    for db in args.compare_db:
        problems = compare_db(o, db)
        for line in problems:
            sys.stderr.write("oracle: %s: %s\n" % (db, line))
        if problems:
            differ = True
        else:
            sys.stderr.write("oracle: %s agrees: %d companies, %d status changes, change by change\n"
                             % (db, len(o.companies), len(o.changes)))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
