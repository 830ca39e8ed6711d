#!/usr/bin/env python3
"""Reference model of the chstream contract: what the database must hold
after a companies-stream capture has gone through `ch-parse | ch-store`.

It is deliberately independent of the C++ code and of tests/gen_capture.py:
it reads /work/shared/DESIGN.md and PROTOCOL.md (and, for --stream,
/work/phase2-spec.md), nothing else.

Usage
-----
  oracle.py [--out-dir DIR] [--compare-db DB] CAPTURE [CAPTURE ...]   (- reads stdin)
  oracle.py [--out-dir DIR] --stream NAME FILE ...     (every stream: see
                                                        "Every stream" below)
  oracle.py ... --psc-snapshot FILE --as-of YYYY-MM-DD ...  a daily PSC snapshot
            (the lines `ch-parse --format psc-snapshot` reads), applied in
            its place among the --stream files: see "The daily PSC
            snapshot" below
  oracle.py --print-sql [--no-data]    FILE<TAB>QUERY per compared --stream file
  --sqlite FILE (with --stream): the expected tables as a SQLite file, so
  tests/e2e/15_oracle_selftest.sh can check that each CSV is what sqlite3
  prints for its query

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
    One more than 2^32 past the checkpoint is a reject (ch-store's:
    it would have hidden every real record after it).
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

Every stream (--stream NAME FILE ...)
-------------------------------------
  oracle.py [--out-dir DIR] [--no-data] --stream NAME FILE [--stream NAME FILE ...]

Models DESIGN.md "Every stream (the second phase)" and /work/phase2-spec.md
(nothing else): FILE is read as `ch-parse --stream NAME < FILE | ch-store`
would read it, the pairs in the order given (a pair given twice models a
replay; any order of the streams gives the same files except
signals_by_id.csv).  The positional form above stays the phase-1 model, in
which every kind but company-profile is a reject; with phase 2, a
filing-history line in a companies capture is a resource record that moves
the companies checkpoint (samples/capture.ndjson has two), so tests of the
phase-2 programs use --stream companies FILE.

Output files in DIR, each compared with cmp against the query beside it
($Q as above):
  companies.csv, status_changes.csv   as above (all streams together)
  resources.csv
    $Q "SELECT resource_uri, stream, resource_kind, resource_id, company_number,
               timepoint, published_at, as_of, source, deleted
        FROM resources ORDER BY resource_uri"
  resources_data.csv  (not with --no-data; data byte for byte as received)
    $Q "SELECT resource_uri, data FROM resources ORDER BY resource_uri"
  TABLE.csv for each typed table: filings, officers, pscs, charges,
  insolvency_cases, psc_statements, disqualified_officers,
  company_exemptions (columns: TABLE_COLUMNS below)
    $Q "SELECT resource_uri, company_number, <TABLE_COLUMNS[TABLE]>, deleted
        FROM TABLE ORDER BY resource_uri"      (insolvency_cases: , case_index)
    e.g. officers: resource_uri, company_number, appointment_id, name,
    officer_role, appointed_on, resigned_on, nationality, occupation,
    country_of_residence, date_of_birth_month, date_of_birth_year, premises,
    address_line_1, address_line_2, locality, region, postal_code, country,
    officer_id, deleted.  `oracle.py --print-sql` prints every query.
  signals.csv         every signal, exactly once, by key (id-independent)
    $Q "SELECT company_number, signal, stream, timepoint, published_at,
               occurred_on, resource_uri, detail, signal_key
        FROM signals ORDER BY signal_key"
  signals_by_id.csv   the same rows in id order: equal to ORDER BY id only
                      when the database applied the captures one after the
                      other in the order given here (not for a pipeline)
  leads.csv           the leads view, id-independent
    $Q "SELECT s.signal_key, l.signal, l.stream, l.company_number, l.occurred_on,
               l.published_at, l.detail, l.resource_uri, l.timepoint,
               l.company_name, l.company_status, l.company_status_detail,
               l.officers, l.pscs, l.changed_at, l.old_status,
               l.old_status_detail, l.new_status, l.new_status_detail
        FROM leads l JOIN signals s ON s.id = l.id ORDER BY s.signal_key"
  checkpoints.csv
    $Q "SELECT stream, timepoint FROM stream_state
        WHERE timepoint IS NOT NULL ORDER BY stream"
  rejects.csv         distinct rejected lines per stream
    $Q "SELECT stream, count(*) AS rejects FROM rejects GROUP BY stream ORDER BY stream"
  checkpoint.txt      the companies stream's checkpoint (as above)
  rejects.txt         all streams' distinct rejects (as above)
A kill -9, a restart, a replay, another order of the streams or a pipeline
fetching them in parallel change none of these files but signals_by_id.csv
(ids are not compared).  With captures from a fake server and restarts,
compare rejects only for captures without bad lines (gen_streams.py
--clean): a resume skips garbage it never delivered.

Contract as modelled (phase2-spec.md sections 1-5; the choices that spec
leaves open are marked "unpinned"; tests/gen_streams.py never produces
them, so a comparison on its captures does not depend on them):
  * Lines, control lines, UTF-8, JSON, timepoints: as above.  A
    company-profile event (on any stream) is the phase-1 company record,
    rejected by the phase-1 rules; its checkpoint is its stream's.
  * Any other event is a resource record.  Reject when: resource_kind is
    missing or not a string; event is not an object; no usable timepoint;
    event.type not changed/deleted; data present and not null but not an
    object; resource_uri missing, not a string or empty once its leading
    slashes are stripped; for a kind of the table below other than
    disqualified officers, a URI that does not start with /company/{n}
    where n, ASCII blanks trimmed and upper-cased, is 1-10 of A-Z0-9.
    Rejects are counted per stream by their bytes; they never move a
    checkpoint.
  * Dedupe per stream: applied only when timepoint > that stream's
    checkpoint.
  * resource_uri gets exactly one leading slash; resource_id is kept when
    a string, else NULL; company_number: from the URI as above, NULL for
    disqualified officers, for an unknown kind from a /company/{n}/ prefix
    (trailing slash required: unpinned) else NULL; published_at and as_of
    as for companies; source "stream".  data null = no data (unpinned).
  * Precedence per resource_uri: the stored record of the same stream
    loses to a higher timepoint.  Stored by another stream: as_of decides,
    ties and unknown (NULL) dates go to the newcomer (phase2-spec.md
    section 7).  The winner replaces the resources row, data =
    COALESCE(new data, stored data), deleted = (event is deleted).
  * Typed rows: with data, the rows of that resource_uri are replaced by
    the extractor's rows (deleted from the event); without data, stored
    rows get deleted = 1, or stub rows with deleted = 1 are inserted: the
    identity columns from the URI's last segment (officer_kind from the
    URI; pscs also resource_kind: unpinned), the rest NULL; none for
    insolvency_cases.  A changed event without data is no reject (DESIGN.md
    lists every reject): the same, with deleted = 0 (phase2-spec.md
    section 7), and no signals.
  * Extractors (section 3): identity columns are the URI's last segment
    (section 7; also transaction_id, whatever data.transaction_id says);
    text columns keep JSON strings and integers as they are, anything else
    NULL; integer columns (pages, date_of_birth_*, ceased, charge_number:
    section 7) take integers or digit strings;
    ceased is 0/1 from an integer, boolean or digit string; joins skip
    NULL elements and give NULL when nothing is left (an empty list:
    unpinned); lists are joined with "," (subcategory, natures_of_control,
    exemption_types) or "; " (persons_entitled, practitioners,
    company_names); started_on is the smallest date string of the case.
  * Signals (section 4), only from changed events with data that won:
    filings by type (trimmed, upper-cased; detail = that) or, without a
    string type, by description (detail = the description); occurred_on =
    data.date when it is YYYY-MM-DD, else NULL.  Insolvency: one per case
    whose type is in the table, key insolvency:{company}:{number as
    text}:{type} (number absent: empty, unpinned), occurred_on =
    started_on, detail = the case type.  Status changes (the companies
    model above): dissolved when new_status is dissolved and the old one
    is not, else proposal-to-strike-off when the new detail is
    active-proposal-to-strike-off and the old one is not; key status:{id}
    with id = the change's position in status_changes.csv (1-based);
    occurred_on = the date of its published_at; resource_uri =
    /company/{n} (unpinned); detail = the new status detail, or the new
    status when there is none (phase2-spec.md section 7).  A key already
    present changes nothing (the first insertion's fields stay).
  * Leads (section 5): signals of the lead kinds whose occurred_on or
    published_at is NULL or occurred_on >= date(published_at, '-30
    days'); company_name, company_status and company_status_detail from
    companies (the current ones); officers and pscs as
    StreamsOracle.people says; changed_at = published_at; old/new status
    from the status change (NULL for other signals).  PSC names never
    start with a character below "(", so ordering by name or by the shown
    "(protected)" is the same (unpinned).

The daily PSC snapshot (DESIGN.md "The daily PSC snapshot", shared/
PSC-SNAPSHOT.md), --psc-snapshot FILE --as-of D:
  * A line (a UTF-8 BOM and a final CR ignored; blank lines skipped) is
    {"company_number":..., "data":{...}}.  Reject (filed under the stream
    persons-with-significant-control, by its bytes) when: not JSON or not
    an object; data not an object; data.kind not a non-empty string; company_number
    not a string or not a valid number (only the totals line may lack it);
    data.links.self not a non-empty string; a known kind whose URI holds
    no company number; a URI's company number that differs from
    company_number.  The totals line (data.kind
    totals#persons-of-significant-control-snapshot) anywhere: its three
    counts (non-negative integers, else a reject) are the expected ones;
    the same line again (equal counts and generated_at: its part given
    twice) is skipped, another one is a reject, and so is one whose
    generated_at begins with a date (YYYY-MM-DD, as written) before D.
  * Every other line is the stream's resource record: resource_kind and
    stream from SNAPSHOT_KINDS (an unknown kind: itself, stream
    persons-with-significant-control, no typed table, company number from a
    /company/{n}/ prefix); resource_id the URI's last segment (exemptions:
    the company number); timepoint and published_at NULL, as_of =
    D + "T00:00:00Z", source "bulk", deleted 0, no signals, no checkpoint.
  * Precedence: a snapshot not newer than the last complete one of a
    record's stream (snapshots.csv) changes nothing, not even by adding a
    resource (one it holds that the newer one lacked was removed from the
    register in between); otherwise a snapshot record replaces only a
    state whose as_of is older (or NULL); a stream
    record replaces a snapshot state when its published_at >= that as_of
    (a tie goes to the stream).
  * At the end of the file: complete when the totals line was read, no
    line was rejected, no family (PSC and beneficial-owner kinds;
    statements; exemptions) has more lines than its count, and together
    they lack none or exactly the lines of unknown kinds (which the totals
    line may or may not count).  snapshots.csv
    (stream, last_snapshot_as_of, last_snapshot_rows,
    snapshot_incomplete_as_of) for the three streams: a complete one sets
    the first two (its family's lines) when at least as new as the one
    recorded and clears an incomplete one not newer; an incomplete one is
    recorded only when newer than the last complete one and than the
    incomplete one recorded.
"""

import argparse
import datetime as dt
import json
import os
import re
import sys

MAX_TIMEPOINT = 2 ** 63 - 1
# A stream record more than this past its stream's checkpoint (0 when it has
# none yet) is a reject (ch-store/record_applier.h, kMaxTimepointJump): it
# would have become the checkpoint and hidden every real record after it.
MAX_TIMEPOINT_JUMP = 2 ** 32

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
        if tp - (self.checkpoint or 0) > MAX_TIMEPOINT_JUMP:
            raise Reject("timepoint more than 2^32 past the checkpoint", tp)
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


# ============================================================# The every-stream contract (DESIGN.md "Every stream (the second phase)"
# and /work/phase2-spec.md), used with --stream NAME FILE.

RESOURCE_TABLES = {
    # resource_kind -> typed table (phase2-spec.md section 2)
    "filing-history": "filings",
    "company-officers": "officers",
    "company-psc-individual": "pscs",
    "company-psc-corporate": "pscs",
    "company-psc-legal": "pscs",
    "company-psc-supersecure": "pscs",
    "individual-beneficial-owner": "pscs",
    "corporate-entity-beneficial-owner": "pscs",
    "legal-person-beneficial-owner": "pscs",
    "super-secure-beneficial-owner": "pscs",
    "persons-with-significant-control-statement": "psc_statements",
    "company-charges": "charges",
    "company-insolvency": "insolvency_cases",
    "disqualified-officer-natural": "disqualified_officers",
    "disqualified-officer-corporate": "disqualified_officers",
    "company-exemptions": "company_exemptions",
}
NO_COMPANY_NUMBER_TABLES = {"disqualified_officers"}

# The daily PSC snapshot's data.kind -> (the stream's resource_kind, the
# stream it is filed under) (DESIGN.md "The daily PSC snapshot").
PSC_STREAM = "persons-with-significant-control"
SNAPSHOT_KINDS = {
    "individual-person-with-significant-control": ("company-psc-individual", PSC_STREAM),
    "corporate-entity-person-with-significant-control": ("company-psc-corporate", PSC_STREAM),
    "legal-person-person-with-significant-control": ("company-psc-legal", PSC_STREAM),
    "super-secure-person-with-significant-control": ("company-psc-supersecure", PSC_STREAM),
    "individual-beneficial-owner": ("individual-beneficial-owner", PSC_STREAM),
    "corporate-entity-beneficial-owner": ("corporate-entity-beneficial-owner", PSC_STREAM),
    "legal-person-beneficial-owner": ("legal-person-beneficial-owner", PSC_STREAM),
    "super-secure-beneficial-owner": ("super-secure-beneficial-owner", PSC_STREAM),
    "persons-with-significant-control-statement": (
        "persons-with-significant-control-statement",
        "persons-with-significant-control-statements"),
    "exemptions": ("company-exemptions", "company-exemptions"),
}
SNAPSHOT_STREAMS = [PSC_STREAM, "persons-with-significant-control-statements",
                    "company-exemptions"]
SNAPSHOT_FAMILY = {PSC_STREAM: "pscs", "persons-with-significant-control-statements":
                   "statements", "company-exemptions": "exemptions"}
TOTALS_KIND = "totals#persons-of-significant-control-snapshot"
# snapshot_line's answer for the totals line read before, again.
SAME_TOTALS = object()
TOTALS_COUNTS = [("pscs", "persons_of_significant_control_count"),
                 ("statements", "statements_count"), ("exemptions", "exemptions_count")]

# Row columns of each typed table, in the order of phase2-spec.md section 3
# (resource_uri and company_number come first, deleted last).
TABLE_COLUMNS = {
    "filings": ["transaction_id", "type", "category", "subcategory", "description", "date",
                "action_date", "barcode", "pages"],
    "officers": ["appointment_id", "name", "officer_role", "appointed_on", "resigned_on",
                 "nationality", "occupation", "country_of_residence", "date_of_birth_month",
                 "date_of_birth_year", "premises", "address_line_1", "address_line_2",
                 "locality", "region", "postal_code", "country", "officer_id"],
    "pscs": ["psc_id", "resource_kind", "name", "natures_of_control", "notified_on",
             "ceased_on", "ceased", "nationality", "country_of_residence", "premises",
             "address_line_1", "locality", "postal_code", "country"],
    "charges": ["charge_id", "charge_code", "charge_number", "status", "classification",
                "created_on", "delivered_on", "satisfied_on", "persons_entitled"],
    "insolvency_cases": ["case_index", "case_number", "case_type", "started_on",
                         "practitioners"],
    "psc_statements": ["statement_id", "statement", "notified_on", "ceased_on",
                       "linked_psc_name"],
    "disqualified_officers": ["officer_id", "officer_kind", "name", "date_of_birth",
                              "nationality", "disqualified_from", "disqualified_until",
                              "company_names"],
    "company_exemptions": ["exemption_types"],
}
# Identity columns a stub row (an event without data) fills from the
# URI; pscs also keeps the record's resource_kind.
STUB_COLUMNS = {
    "filings": ("transaction_id",), "officers": ("appointment_id",),
    "pscs": ("psc_id", "resource_kind"), "charges": ("charge_id",),
    "psc_statements": ("statement_id",), "disqualified_officers": ("officer_id", "officer_kind"),
    "company_exemptions": (),
}

FILING_TYPE_SIGNALS = {}
for _sig, _types in (
        ("strike-off-applied", ("DS01", "LLDS01")),
        ("strike-off-gazetted", ("GAZ1", "GAZ1(A)")),
        ("strike-off-halted", ("DS02", "LLDS02", "SOAS(A)", "SOAD(A)", "DISS16(SOAS)", "DISS40")),
        ("dissolved", ("GAZ2", "GAZ2(A)"))):
    for _t in _types:
        FILING_TYPE_SIGNALS[_t] = _sig
FILING_DESCRIPTION_SIGNALS = {}
for _sig, _descs in (
        ("strike-off-applied", ("dissolution-application-strike-off-company",
                                "dissolution-application-strike-off-limited-liability-partnership")),
        ("strike-off-gazetted", ("gazette-notice-voluntary", "gazette-notice-compulsory",
                                 "gazette-notice-compulsary")),
        ("strike-off-halted", ("dissolution-withdrawal-application-strike-off-company",
                               "dissolution-withdrawal-application-strike-off-limited-liability-partnership",
                               "dissolution-voluntary-strike-off-suspended",
                               "dissolution-voluntary-strike-off-discontinued",
                               "dissolved-compulsory-strike-off-suspended",
                               "gazette-filings-brought-up-to-date")),
        ("dissolved", ("gazette-dissolved-voluntary", "gazette-dissolved-compulsory",
                       "gazette-dissolved-liquidation", "gazette-dissolved-statutory-instrument"))):
    for _d in _descs:
        FILING_DESCRIPTION_SIGNALS[_d] = _sig
CASE_TYPE_SIGNALS = {}
for _sig, _types in (
        ("liquidation", ("compulsory-liquidation", "creditors-voluntary-liquidation")),
        ("administration", ("in-administration", "administration-order")),
        ("receivership", ("administrative-receiver", "receiver-manager",
                          "scottish-administrative-receiver")),
        ("voluntary-arrangement", ("corporate-voluntary-arrangement",
                                   "corporate-voluntary-arrangement-moratorium", "moratorium")),
        ("members-voluntary-liquidation", ("members-voluntary-liquidation",))):
    for _t in _types:
        CASE_TYPE_SIGNALS[_t] = _sig
LEAD_SIGNALS = {"proposal-to-strike-off", "strike-off-applied", "strike-off-gazetted",
                "dissolved", "liquidation", "administration", "receivership"}

ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
OFFICER_ID_RE = re.compile(r"/officers/([^/]+)/appointments\Z")
JSON_DECODER = json.JSONDecoder()
JSON_BLANKS = re.compile(r"[ \t\n\r]*")


def scalar(v):
    """A column value as phase2-spec.md stores it: strings and integers as
    they are, anything else NULL."""
    if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
        return v
    return None


def as_text(v):
    """A value that is text whether sent as a string or a number."""
    if isinstance(v, str):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return None


def as_int(v):
    """An integer column: a JSON integer or a string of digits."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and DIGITS_RE.match(v):
        return int(v)
    return None


def obj_get(d, *path):
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def joined(values, sep):
    """values joined by sep, None elements skipped; NULL when there are none
    (an absent or empty list)."""
    parts = [v for v in values if v is not None]
    return sep.join(parts) if parts else None


def last_segment(uri):
    return uri.rstrip("/").rsplit("/", 1)[-1] or None


def iso_date(v):
    return v if isinstance(v, str) and ISO_DATE_RE.match(v) else None


def is_calendar_date(text):
    """YYYY-MM-DD in ASCII digits, naming a day that exists."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def valid_number(raw):
    if not isinstance(raw, str):
        return None
    number = raw.strip(ASCII_BLANKS).translate(UPPER)
    return number if NUMBER_RE.match(number) else None


def number_from_uri(uri):
    """The segment after a leading /company/, validated, or None."""
    if not uri.startswith("/company/"):
        return None
    return valid_number(uri[len("/company/"):].split("/", 1)[0])


def data_span(text):
    """The exact text of the top-level "data" member's value when it is an
    object (the last one, as json.loads keeps), or None. text is a JSON
    object json.loads has accepted; each member's value is skipped with the
    C decoder."""
    pos = JSON_BLANKS.match(text, 0).end() + 1
    pos = JSON_BLANKS.match(text, pos).end()
    found = None
    while text[pos] != "}":
        key, pos = JSON_DECODER.raw_decode(text, pos)
        pos = JSON_BLANKS.match(text, pos).end() + 1        # past ":"
        start = JSON_BLANKS.match(text, pos).end()
        _value, pos = JSON_DECODER.raw_decode(text, start)
        if key == "data":
            found = text[start:pos] if text[start] == "{" else None
        pos = JSON_BLANKS.match(text, pos).end()
        if text[pos] == ",":
            pos = JSON_BLANKS.match(text, pos + 1).end()
    return found


# ---- extractors: data -> rows (dicts of TABLE_COLUMNS), one per kind's table

def extract_filings(rec, data):
    sub = data.get("subcategory")
    if isinstance(sub, list):
        sub = joined((as_text(x) for x in sub), ",")
    else:
        sub = scalar(sub)
    return [{"transaction_id": last_segment(rec["uri"]),
             "type": scalar(data.get("type")), "category": scalar(data.get("category")),
             "subcategory": sub, "description": scalar(data.get("description")),
             "date": scalar(data.get("date")), "action_date": scalar(data.get("action_date")),
             "barcode": scalar(data.get("barcode")), "pages": as_int(data.get("pages"))}]


def address_columns(data, names):
    return {n: scalar(obj_get(data, "address", n)) for n in names}


def extract_officers(rec, data):
    link = obj_get(data, "links", "officer", "appointments")
    m = OFFICER_ID_RE.match(link) if isinstance(link, str) else None
    row = {"appointment_id": last_segment(rec["uri"])}
    for k in ("name", "officer_role", "appointed_on", "resigned_on", "nationality",
              "occupation", "country_of_residence"):
        row[k] = scalar(data.get(k))
    row["date_of_birth_month"] = as_int(obj_get(data, "date_of_birth", "month"))
    row["date_of_birth_year"] = as_int(obj_get(data, "date_of_birth", "year"))
    row.update(address_columns(data, ("premises", "address_line_1", "address_line_2",
                                      "locality", "region", "postal_code", "country")))
    row["officer_id"] = m.group(1) if m else None
    return [row]


def extract_pscs(rec, data):
    natures = data.get("natures_of_control")
    ceased = data.get("ceased")
    if isinstance(ceased, bool):
        ceased = int(ceased)
    elif isinstance(ceased, int) or (isinstance(ceased, str) and DIGITS_RE.match(ceased)):
        ceased = 1 if int(ceased) else 0
    else:
        ceased = None
    row = {"psc_id": last_segment(rec["uri"]), "resource_kind": rec["kind"],
           "name": scalar(data.get("name")),
           "natures_of_control": joined((as_text(x) for x in natures), ",")
           if isinstance(natures, list) else None,
           "notified_on": scalar(data.get("notified_on")),
           "ceased_on": scalar(data.get("ceased_on")), "ceased": ceased,
           "nationality": scalar(data.get("nationality")),
           "country_of_residence": scalar(data.get("country_of_residence"))}
    row.update(address_columns(data, ("premises", "address_line_1", "locality",
                                      "postal_code", "country")))
    return [row]


def names_of(items, key="name"):
    if not isinstance(items, list):
        return []
    return [scalar(x.get(key)) if isinstance(x, dict) else None for x in items]


def extract_charges(rec, data):
    return [{"charge_id": last_segment(rec["uri"]), "charge_code": scalar(data.get("charge_code")),
             "charge_number": as_int(data.get("charge_number")),
             "status": scalar(data.get("status")),
             "classification": scalar(obj_get(data, "classification", "description")),
             "created_on": scalar(data.get("created_on")),
             "delivered_on": scalar(data.get("delivered_on")),
             "satisfied_on": scalar(data.get("satisfied_on")),
             "persons_entitled": joined(names_of(data.get("persons_entitled")), "; ")}]


def extract_insolvency_cases(rec, data):
    rows = []
    cases = data.get("cases")
    for i, case in enumerate(cases if isinstance(cases, list) else []):
        if not isinstance(case, dict):
            case = {}
        dates = [d for d in names_of(case.get("dates"), "date") if isinstance(d, str)]
        rows.append({"case_index": i, "case_number": as_text(case.get("number")),
                     "case_type": scalar(case.get("type")),
                     "started_on": min(dates) if dates else None,
                     "practitioners": joined(names_of(case.get("practitioners")), "; ")})
    return rows


def extract_psc_statements(rec, data):
    row = {"statement_id": last_segment(rec["uri"])}
    for k in ("statement", "notified_on", "ceased_on", "linked_psc_name"):
        row[k] = scalar(data.get(k))
    return [row]


def disqualified_kind(uri):
    parts = uri.split("/")
    if len(parts) > 2 and parts[1] == "disqualified-officers" and parts[2] in ("natural", "corporate"):
        return parts[2]
    return None


def extract_disqualified_officers(rec, data):
    if rec["kind"] == "disqualified-officer-natural":
        name = joined((x if isinstance(x, str) and x.strip() else None
                       for x in (data.get("forename"), data.get("other_forenames"),
                                 data.get("surname"))), " ")
    else:
        name = scalar(data.get("name"))
    disq = data.get("disqualifications")
    disq = [d for d in disq if isinstance(d, dict)] if isinstance(disq, list) else []
    froms = [d["disqualified_from"] for d in disq if isinstance(d.get("disqualified_from"), str)]
    untils = [d["disqualified_until"] for d in disq if isinstance(d.get("disqualified_until"), str)]
    names = []
    for d in disq:
        names.extend(scalar(n) for n in (d.get("company_names") or []))
    return [{"officer_id": last_segment(rec["uri"]), "officer_kind": disqualified_kind(rec["uri"]),
             "name": name, "date_of_birth": scalar(data.get("date_of_birth")),
             "nationality": scalar(data.get("nationality")),
             "disqualified_from": min(froms) if froms else None,
             "disqualified_until": max(untils) if untils else None,
             "company_names": joined(names, "; ")}]


def extract_company_exemptions(rec, data):
    ex = data.get("exemptions")
    return [{"exemption_types": joined(list(ex), ",") if isinstance(ex, dict) else None}]


EXTRACTORS = {
    "filings": extract_filings, "officers": extract_officers, "pscs": extract_pscs,
    "charges": extract_charges, "insolvency_cases": extract_insolvency_cases,
    "psc_statements": extract_psc_statements,
    "disqualified_officers": extract_disqualified_officers,
    "company_exemptions": extract_company_exemptions,
}


def stub_rows(rec, table):
    """The identity-only row of an event without data."""
    if table == "insolvency_cases":
        return []
    row = {c: None for c in TABLE_COLUMNS[table]}
    full = {"transaction_id": last_segment(rec["uri"]), "appointment_id": last_segment(rec["uri"]),
            "psc_id": last_segment(rec["uri"]), "charge_id": last_segment(rec["uri"]),
            "statement_id": last_segment(rec["uri"]), "officer_id": last_segment(rec["uri"]),
            "officer_kind": disqualified_kind(rec["uri"]), "resource_kind": rec["kind"]}
    for c in STUB_COLUMNS[table]:
        row[c] = full[c]
    return [row]


# ---- signals (phase2-spec.md section 4)

def filing_signals(rec, data):
    ftype = data.get("type")
    if isinstance(ftype, str):
        t = ftype.strip(ASCII_BLANKS).translate(UPPER)
        sig, detail = FILING_TYPE_SIGNALS.get(t), t
    else:
        desc = data.get("description")
        sig = FILING_DESCRIPTION_SIGNALS.get(desc) if isinstance(desc, str) else None
        detail = desc
    if sig is None:
        return []
    return [(sig, filing_signal_key(rec), iso_date(data.get("date")), detail)]


def filing_signal_key(rec):
    """keyed by the transaction (DESIGN.md), spelt as the canonical URI; a
    URI without its transaction id keeps the URI itself."""
    m = re.match(r"/company/[^/]+/filing-history/([^/]+)", rec["uri"])
    if m is None or rec["number"] is None:
        return "filing:" + rec["uri"]
    return "filing:/company/" + rec["number"] + "/filing-history/" + m.group(1)


def insolvency_signals(rec, rows):
    out = []
    for r in rows:
        sig = CASE_TYPE_SIGNALS.get(r["case_type"])
        if sig is None:
            continue
        key = "insolvency:%s:%s:%s" % (rec["number"], r["case_number"] or "", r["case_type"])
        out.append((sig, key, r["started_on"], r["case_type"]))
    return out


def status_signal(change):
    """The signal of one status change, or None (the phase-1 leads rule).
    change = (number, tp, published, old_st, old_detail, new_st, new_detail, source)."""
    _n, _tp, _pub, old_st, old_detail, new_st, new_detail, _src = change
    # detail: the new status detail, else the new status (phase2-spec.md 7).
    detail = new_detail if new_detail is not None else new_st
    if new_st == "dissolved" and old_st != "dissolved":
        return "dissolved", detail
    if new_detail == STRIKE_OFF and old_detail != STRIKE_OFF:
        return "proposal-to-strike-off", detail
    return None


class StreamsOracle:
    """Every stream into one database: company-profile events through the
    phase-1 model (an Oracle whose checkpoint is swapped per stream), every
    other kind as a resource record."""

    def __init__(self, keep_data=True):
        self.company = Oracle()
        self.keep_data = keep_data
        self.checkpoints = {}     # stream -> last applied timepoint
        self.rejects = {}         # stream -> set of raw lines
        self.resources = {}       # uri -> dict
        self.rows = {t: {} for t in TABLE_COLUMNS}   # table -> uri -> [row dict]
        self.signals = {}         # signal_key -> tuple (SIGNAL_COLUMNS order)
        self.signal_order = []    # keys in insertion (= id) order
        self.status_meta = {}     # signal_key -> the status change
        # stream -> [last_snapshot_as_of, last_snapshot_rows, snapshot_incomplete_as_of]
        self.snapshot_state = {}
        self._snapshot_uri = None  # the resource the last snapshot line applied
        self._totals_generated = None  # the generated_at of the totals line read (as written)
        self.lines = self.applied = self.skipped = self.rejected_lines = 0
        self._leads = None

    def feed_file(self, stream, name, fh):
        self._leads = None
        for i, raw in enumerate(fh, 1):
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.strip(b" \t\r") == b"":
                continue
            self.lines += 1
            try:
                self.apply(stream, raw)
            except Reject:
                self.rejected_lines += 1
                self.rejects.setdefault(stream, set()).add(raw)

    def apply(self, stream, raw):
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
            return
        kind = obj.get("resource_kind")
        if kind == "company-profile":
            return self.apply_company(stream, raw)
        rec = self.resource_record(stream, obj, text, kind)
        cp = self.checkpoints.get(stream)
        if rec["tp"] - (cp or 0) > MAX_TIMEPOINT_JUMP:
            raise Reject("timepoint more than 2^32 past the checkpoint", rec["tp"])
        if cp is not None and rec["tp"] <= cp:
            self.skipped += 1
            return
        self.checkpoints[stream] = rec["tp"]
        self.applied += 1
        self.apply_resource(rec)

    def apply_company(self, stream, raw):
        c = self.company
        c.checkpoint = self.checkpoints.get(stream)
        before_applied, before_changes = c.applied, len(c.changes)
        c.apply(raw)        # raises Reject like the phase-1 model
        if c.applied == before_applied:
            self.skipped += 1
            return
        self.applied += 1
        self.checkpoints[stream] = c.checkpoint
        for i in range(before_changes, len(c.changes)):
            change = c.changes[i]
            found = status_signal(change)
            if found is None:
                continue
            number, tp, published = change[0], change[1], change[2]
            key = "status:%d" % (i + 1)    # status_changes.id: rows are numbered in order
            self.add_signal(key, (number, found[0], stream, tp, published,
                                  published[:10] if published else None,
                                  "/company/" + number, found[1], key))
            self.status_meta[key] = change

    def resource_record(self, stream, obj, text, kind):
        """The resource record of an event (phase2-spec.md section 1), or
        raises Reject."""
        if not isinstance(kind, str):
            raise Reject("resource_kind missing or not a string")
        event = obj.get("event")
        if not isinstance(event, dict):
            raise Reject("event missing")
        tp = parse_timepoint(event.get("timepoint"))
        etype = event.get("type")
        if etype not in ("changed", "deleted") or not isinstance(etype, str):
            raise Reject("event.type %r" % (etype,), tp)
        data = obj.get("data")
        if data is not None and not isinstance(data, dict):
            raise Reject("data is not an object", tp)
        uri = obj.get("resource_uri")
        if not isinstance(uri, str) or uri.lstrip("/") == "":
            raise Reject("no resource_uri", tp)
        uri = "/" + uri.lstrip("/")
        table = RESOURCE_TABLES.get(kind)
        if table is None:
            number = number_from_uri(uri) if re.match(r"/company/[^/]+/", uri) else None
        elif table in NO_COMPANY_NUMBER_TABLES:
            number = None
        else:
            number = number_from_uri(uri)
            if number is None:
                raise Reject("URI lacks the company number", tp)
        published = utc_text(event.get("published_at"))
        rid = obj.get("resource_id")
        rec = {"stream": stream, "tp": tp, "published": published, "etype": etype,
               "kind": kind, "uri": uri, "rid": rid if isinstance(rid, str) else None,
               "number": number, "table": table, "data": data, "rows": [], "signals": []}
        if data is not None and self.keep_data:
            rec["data_text"] = data_span(text)
        if table is not None:
            rec["rows"] = EXTRACTORS[table](rec, data) if data is not None else stub_rows(rec, table)
        if etype == "changed" and data is not None:
            if table == "filings":
                rec["signals"] = filing_signals(rec, data)
            elif table == "insolvency_cases":
                rec["signals"] = insolvency_signals(rec, rec["rows"])
        return rec

    def wins(self, rec, stored):
        if stored is None:
            return True
        if rec.get("source") == "bulk":
            return stored["as_of"] is None or rec["as_of"] > stored["as_of"]
        if stored["stream"] == rec["stream"] and stored["source"] == "stream":
            return rec["tp"] > stored["timepoint"]
        # Two streams' records of one resource (never generated): as_of
        # decides, ties and unknown dates go to the newcomer (both are
        # stream records; phase2-spec.md section 7).
        return (stored["as_of"] is None or rec["published"] is None
                or rec["published"] >= stored["as_of"])

    def apply_resource(self, rec):
        uri = rec["uri"]
        stored = self.resources.get(uri)
        if not self.wins(rec, stored):
            return
        deleted = 1 if rec["etype"] == "deleted" else 0
        data_text = rec.get("data_text") if rec["data"] is not None else None
        has_data = rec["data"] is not None
        if stored is not None and not has_data:
            data_text, has_data = stored["data"], stored["has_data"]
        self.resources[uri] = {
            "stream": rec["stream"], "kind": rec["kind"], "rid": rec["rid"],
            "number": rec["number"], "timepoint": rec["tp"], "published": rec["published"],
            "as_of": rec.get("as_of", rec["published"]), "source": rec.get("source", "stream"),
            "deleted": deleted,
            "data": data_text, "has_data": has_data}
        table = rec["table"]
        if table is not None:
            rows = self.rows[table]
            if rec["data"] is not None:
                rows[uri] = [dict(r, company_number=rec["number"], deleted=deleted)
                             for r in rec["rows"]]
            elif rows.get(uri):
                # No data: the stored rows keep their values and take the
                # event's mark (a changed event clears it).
                for r in rows[uri]:
                    r["deleted"] = deleted
            else:
                rows[uri] = [dict(r, company_number=rec["number"], deleted=deleted)
                             for r in rec["rows"]]
        for sig, key, occurred, detail in rec["signals"]:
            self.add_signal(key, (rec["number"], sig, rec["stream"], rec["tp"], rec["published"],
                                  occurred, uri, detail, key))

    def feed_psc_snapshot(self, name, fh, as_of_date):
        """A daily PSC snapshot (the model in the module's docstring)."""
        self._leads = None
        as_of = as_of_date + "T00:00:00Z"
        got = {"pscs": 0, "statements": 0, "exemptions": 0, "other": 0, "rejects": 0}
        totals = None
        # A line naming a resource an earlier applied line of this snapshot
        # named is not counted (ch-store/snapshot_line_tally.h): a part
        # imported twice does not stand in for a missing one.
        seen = set()
        for raw in fh:
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            text = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
            if text.endswith(b"\r"):
                text = text[:-1]
            if text.strip(b" \t\r") == b"":
                continue
            self.lines += 1
            try:
                t = self.snapshot_line(text, as_of, totals)
            except Reject:
                got["rejects"] += 1
                self.rejected_lines += 1
                self.rejects.setdefault(PSC_STREAM, set()).add(raw)
                continue
            if isinstance(t, dict):
                totals = t
                continue
            if t is SAME_TOTALS:
                continue
            if self._snapshot_uri is not None:
                if self._snapshot_uri in seen:
                    continue
                seen.add(self._snapshot_uri)
            got[SNAPSHOT_FAMILY[t] if t is not None else "other"] += 1
        complete = False
        if totals is not None and got["rejects"] == 0:
            lacking = sum(totals[f] - got[f] for f in totals)
            complete = (all(got[f] <= totals[f] for f in totals)
                        and lacking in (0, got["other"]))
        for stream in SNAPSHOT_STREAMS:
            st = self.snapshot_state.setdefault(stream, [None, None, None])
            if complete:
                if st[0] is None or as_of_date >= st[0]:
                    st[0], st[1] = as_of_date, got[SNAPSHOT_FAMILY[stream]]
                    if st[2] is not None and st[2] <= as_of_date:
                        st[2] = None
            elif ((st[0] is None or as_of_date > st[0])
                  and (st[2] is None or as_of_date >= st[2])):
                st[2] = as_of_date

    def snapshot_line(self, text, as_of, totals_read):
        """Applies one snapshot line; returns its stream (a known family),
        None (an unknown kind), the totals dict, or SAME_TOTALS (the totals
        line read before, again: its part given twice); raises Reject."""
        try:
            obj = json.loads(text.decode("utf-8"), parse_constant=_no_constants)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise Reject("not JSON")
        if not isinstance(obj, dict):
            raise Reject("not a JSON object")
        data = obj.get("data")
        if not isinstance(data, dict):
            raise Reject("data")
        dkind = data.get("kind")
        if not isinstance(dkind, str) or dkind == "":
            raise Reject("data.kind")
        if dkind == TOTALS_KIND:
            totals = {}
            for family, key in TOTALS_COUNTS:
                n = data.get(key)
                if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                    raise Reject("totals count")
                totals[family] = n
            generated = data.get("generated_at")
            generated = generated if isinstance(generated, str) else None
            if totals_read is not None:
                if totals_read == totals and self._totals_generated == generated:
                    return SAME_TOTALS
                raise Reject("a second totals line")
            # Generated before --as-of: the snapshot is older than the
            # user said; its totals are refused (the import is incomplete).
            # The date as written, its first ten characters; anything else
            # (missing, not a string, not a date) is accepted.
            day = generated[:10] if generated is not None else ""
            if is_calendar_date(day) and day < as_of[:10]:
                raise Reject("totals generated before --as-of")
            self._totals_generated = generated
            return totals
        number = valid_number(obj.get("company_number"))
        if number is None:
            raise Reject("company_number")
        uri = obj_get(data, "links", "self")
        if not isinstance(uri, str) or uri.lstrip("/") == "":
            raise Reject("no links.self")
        uri = "/" + uri.lstrip("/")
        known = SNAPSHOT_KINDS.get(dkind)
        uri_number = number_from_uri(uri)
        if known is None and not re.match(r"/company/[^/]+/", uri):
            uri_number = None
        if known is not None and uri_number is None:
            raise Reject("URI lacks the company number")
        if uri_number is not None and uri_number != number:
            raise Reject("company_number differs from the URI's")
        kind, stream = known if known is not None else (dkind, PSC_STREAM)
        table = RESOURCE_TABLES.get(kind) if known is not None else None
        rec = {"stream": stream, "tp": None, "published": None, "as_of": as_of,
               "source": "bulk", "etype": "changed", "kind": kind, "uri": uri,
               "rid": uri_number if stream == "company-exemptions" else last_segment(uri),
               "number": uri_number, "table": table, "data": data, "rows": [], "signals": []}
        if self.keep_data:
            rec["data_text"] = data_span(text.decode("utf-8"))
        if table is not None:
            rec["rows"] = EXTRACTORS[table](rec, data)
        last = self.snapshot_state.get(stream, [None])[0]
        self._snapshot_uri = None
        if last is None or as_of[:10] > last:
            self.apply_resource(rec)
            self._snapshot_uri = uri
        return stream if known is not None else None

    def add_signal(self, key, row):
        if key not in self.signals:
            self.signals[key] = row
            self.signal_order.append(key)

    # ---- outputs

    def people(self):
        """company number -> (officers, pscs) as the leads view shows them:
        current appointments as "NAME (officer_role)" ordered by name then
        appointment_id (NAME "(unknown)" when NULL, " (officer_role)" left
        out when NULL: a stub row is a current appointment too, README.md
        "Signals and leads"); current PSCs as "NAME (kind)" ordered by name then
        psc_id, NAME "(protected)" when NULL; each joined by "; ", NULL
        when there are none."""
        officers, pscs = {}, {}
        for rows in self.rows["officers"].values():
            for r in rows:
                if r["resigned_on"] is None and not r["deleted"]:
                    officers.setdefault(r["company_number"], []).append(
                        (r["name"], r["appointment_id"], r["officer_role"]))
        for rows in self.rows["pscs"].values():
            for r in rows:
                if r["ceased_on"] is None and not r["deleted"] and r["ceased"] != 1:
                    pscs.setdefault(r["company_number"], []).append(
                        (r["name"], r["psc_id"], r["resource_kind"]))
        out = {}
        for number in set(officers) | set(pscs):
            # Every current appointment is listed (DESIGN.md), also a stub
            # row's without a name or role: "(unknown)" for the name, the
            # name alone without a role.
            o = joined(("%s%s" % ("(unknown)" if n is None else n,
                                  "" if role is None else " (%s)" % role)
                        for n, _id, role in sort_nulls_first(officers.get(number, []))), "; ")
            p = []
            for name, _id, kind in sort_nulls_first(pscs.get(number, [])):
                if kind is not None and kind.startswith("company-psc-"):
                    kind = kind[len("company-psc-"):]
                p.append(None if kind is None else
                         "%s (%s)" % ("(protected)" if name is None else name, kind))
            out[number] = (o, joined(p, "; "))
        return out

    def lead_rows(self):
        if self._leads is not None:
            return self._leads
        people = self.people()
        out = []
        for key in sorted(self.signals):
            number, sig, stream, tp, published, occurred, uri, detail, _k = self.signals[key]
            if sig not in LEAD_SIGNALS:
                continue
            if occurred is not None and published is not None and occurred < thirty_days_before(published):
                continue
            officers, pscs = people.get(number, (None, None))
            company = self.company.companies.get(number)
            change = self.status_meta.get(key)
            old_st = old_detail = new_st = new_detail = None
            if change is not None:
                old_st, old_detail, new_st, new_detail = change[3:7]
            out.append((key, sig, stream, number, occurred, published, detail, uri, tp,
                        company["name"] if company else None,
                        company["status"] if company else None,
                        company["detail"] if company else None, officers, pscs,
                        published, old_st, old_detail, new_st, new_detail))
        self._leads = out
        return out

    def write(self, out_dir):
        os.makedirs(out_dir, exist_ok=True)
        path = lambda name: os.path.join(out_dir, name)
        c = self.company
        write_csv(path("companies.csv"), COMPANY_COLUMNS,
                  [(n, r["name"], r["status"], r["detail"], r["as_of"], r["source"], r["deleted"])
                   for n, r in sorted(c.companies.items())])
        write_csv(path("status_changes.csv"), STATUS_CHANGE_COLUMNS, c.changes)
        write_csv(path("resources.csv"), RESOURCE_COLUMNS,
                  [(u, r["stream"], r["kind"], r["rid"], r["number"], r["timepoint"],
                    r["published"], r["as_of"], r["source"], r["deleted"])
                   for u, r in sorted(self.resources.items())])
        if self.keep_data:
            write_csv(path("resources_data.csv"), ["resource_uri", "data"],
                      [(u, r["data"]) for u, r in sorted(self.resources.items())])
        for table, cols in TABLE_COLUMNS.items():
            write_csv(path(table + ".csv"), ["resource_uri", "company_number"] + cols + ["deleted"],
                      [tuple([u, r["company_number"]] + [r[k] for k in cols] + [r["deleted"]])
                       for u, rows in sorted(self.rows[table].items()) for r in rows])
        write_csv(path("signals.csv"), SIGNAL_COLUMNS,
                  [self.signals[k] for k in sorted(self.signals)])
        write_csv(path("signals_by_id.csv"), SIGNAL_COLUMNS,
                  [self.signals[k] for k in self.signal_order])
        write_csv(path("leads.csv"), LEAD_COLUMNS, self.lead_rows())
        write_csv(path("checkpoints.csv"), ["stream", "timepoint"],
                  sorted(self.checkpoints.items()))
        write_csv(path("snapshots.csv"), SNAPSHOT_COLUMNS, self.snapshot_rows())
        write_csv(path("rejects.csv"), ["stream", "rejects"],
                  sorted((s, len(r)) for s, r in self.rejects.items() if r))
        with open(path("checkpoint.txt"), "w") as f:
            if self.checkpoints.get("companies") is not None:
                f.write("%d\n" % self.checkpoints["companies"])
        with open(path("rejects.txt"), "w") as f:
            f.write("%d\n" % sum(len(r) for r in self.rejects.values()))

    def write_sqlite(self, path):
        """The expected tables in a SQLite file (columns without affinity,
        so integers stay integers and text stays text), for checking that
        the CSV files equal what sqlite3 prints for --print-sql's queries."""
        import sqlite3
        if os.path.exists(path):
            os.unlink(path)
        db = sqlite3.connect(path)
        c = self.company

        def table(name, cols, rows, key=""):
            db.execute("CREATE TABLE %s (%s%s)" % (name, key, ", ".join(cols)))
            marks = ", ".join("?" * (len(cols) + (1 if key else 0)))
            db.executemany("INSERT INTO %s VALUES (%s)" % (name, marks), rows)
        table("companies", COMPANY_COLUMNS,
              [(n, r["name"], r["status"], r["detail"], r["as_of"], r["source"], r["deleted"])
               for n, r in c.companies.items()])
        table("status_changes", STATUS_CHANGE_COLUMNS,
              [(i + 1,) + tuple(ch) for i, ch in enumerate(c.changes)], "id INTEGER PRIMARY KEY, ")
        table("resources", RESOURCE_COLUMNS + ["data"],
              [(u, r["stream"], r["kind"], r["rid"], r["number"], r["timepoint"], r["published"],
                r["as_of"], r["source"], r["deleted"], r["data"])
               for u, r in self.resources.items()])
        for name, cols in TABLE_COLUMNS.items():
            table(name, ["resource_uri", "company_number"] + cols + ["deleted"],
                  [tuple([u, r["company_number"]] + [r[k] for k in cols] + [r["deleted"]])
                   for u, rows in self.rows[name].items() for r in rows])
        ids = {k: i + 1 for i, k in enumerate(self.signal_order)}
        table("signals", SIGNAL_COLUMNS, [(ids[k],) + tuple(self.signals[k])
                                          for k in self.signal_order], "id INTEGER PRIMARY KEY, ")
        table("leads", LEAD_COLUMNS[1:], [(ids[r[0]],) + tuple(r[1:]) for r in self.lead_rows()],
              "id, ")
        states = {st: [None] * 4 for st in set(self.checkpoints) | set(self.snapshot_state)}
        for st, tp in self.checkpoints.items():
            states[st][0] = tp
        for st, v in self.snapshot_state.items():
            states[st][1:] = v
        table("stream_state", ["stream", "timepoint"] + SNAPSHOT_COLUMNS[1:],
              [(st,) + tuple(v) for st, v in states.items()])
        table("rejects", ["stream", "raw"],
              [(st, raw) for st, raws in self.rejects.items() for raw in raws])
        db.commit()
        db.close()

    def snapshot_rows(self):
        return [(st,) + tuple(v) for st, v in sorted(self.snapshot_state.items())
                if v[0] is not None or v[2] is not None]

    def summary(self):
        kinds = {}
        for k in self.signals.values():
            kinds[k[1]] = kinds.get(k[1], 0) + 1
        return ("oracle: lines=%d applied=%d skipped_by_dedupe=%d rejected_lines=%d "
                "companies=%d status_changes=%d resources=%d signals=%d (%s) leads=%d "
                "checkpoints=%s"
                % (self.lines, self.applied, self.skipped, self.rejected_lines,
                   len(self.company.companies), len(self.company.changes), len(self.resources),
                   len(self.signals), " ".join("%s=%d" % kv for kv in sorted(kinds.items())),
                   len(self.lead_rows()),
                   ",".join("%s:%d" % kv for kv in sorted(self.checkpoints.items()))))


def thirty_days_before(published):
    """date(published_at, '-30 days') as SQLite computes it."""
    try:
        return (dt.date.fromisoformat(published[:10]) - dt.timedelta(days=30)).isoformat()
    except OverflowError:
        return "0000"


def sort_nulls_first(rows):
    """ORDER BY the tuple's columns, NULL before any value (as SQLite)."""
    return sorted(rows, key=lambda r: tuple((v is not None, v if v is not None else "")
                                            for v in r))


COMPANY_COLUMNS = ["company_number", "company_name", "company_status", "company_status_detail",
                   "as_of", "source", "deleted"]
STATUS_CHANGE_COLUMNS = ["company_number", "timepoint", "published_at", "old_status",
                         "old_status_detail", "new_status", "new_status_detail", "source"]
RESOURCE_COLUMNS = ["resource_uri", "stream", "resource_kind", "resource_id", "company_number",
                    "timepoint", "published_at", "as_of", "source", "deleted"]
SIGNAL_COLUMNS = ["company_number", "signal", "stream", "timepoint", "published_at",
                  "occurred_on", "resource_uri", "detail", "signal_key"]
SNAPSHOT_COLUMNS = ["stream", "last_snapshot_as_of", "last_snapshot_rows",
                    "snapshot_incomplete_as_of"]
LEAD_COLUMNS = ["signal_key", "signal", "stream", "company_number", "occurred_on",
                "published_at", "detail", "resource_uri", "timepoint", "company_name",
                "company_status", "company_status_detail", "officers", "pscs", "changed_at", "old_status", "old_status_detail",
                "new_status", "new_status_detail"]


def comparison_queries(keep_data=True):
    """(file, query) for each CSV of --stream that a test compares."""
    cols = lambda names: ", ".join(names)
    out = [("companies.csv", "SELECT %s FROM companies ORDER BY company_number"
            % cols(COMPANY_COLUMNS)),
           ("status_changes.csv", "SELECT %s FROM status_changes ORDER BY id"
            % cols(STATUS_CHANGE_COLUMNS)),
           ("resources.csv", "SELECT %s FROM resources ORDER BY resource_uri"
            % cols(RESOURCE_COLUMNS))]
    if keep_data:
        out.append(("resources_data.csv",
                    "SELECT resource_uri, data FROM resources ORDER BY resource_uri"))
    for table, names in TABLE_COLUMNS.items():
        order = "resource_uri, case_index" if table == "insolvency_cases" else "resource_uri"
        out.append((table + ".csv", "SELECT %s FROM %s ORDER BY %s"
                    % (cols(["resource_uri", "company_number"] + names + ["deleted"]),
                       table, order)))
    out.append(("signals.csv", "SELECT %s FROM signals ORDER BY signal_key"
                % cols(SIGNAL_COLUMNS)))
    out.append(("leads.csv", "SELECT s.signal_key, %s FROM leads l JOIN signals s ON s.id = l.id "
                "ORDER BY s.signal_key" % cols("l." + c for c in LEAD_COLUMNS[1:])))
    out.append(("checkpoints.csv", "SELECT stream, timepoint FROM stream_state "
                "WHERE timepoint IS NOT NULL ORDER BY stream"))
    out.append(("snapshots.csv", "SELECT %s FROM stream_state WHERE last_snapshot_as_of IS NOT NULL"
                " OR snapshot_incomplete_as_of IS NOT NULL ORDER BY stream"
                % cols(SNAPSHOT_COLUMNS)))
    out.append(("rejects.csv", "SELECT stream, count(*) AS rejects FROM rejects "
                "GROUP BY stream ORDER BY stream"))
    return out


def main_streams(args):
    o = StreamsOracle(keep_data=not args.no_data)
    for item in args.inputs:
        if item[0] == "psc-snapshot":
            _tag, name, as_of = item
            if as_of is None or not ISO_DATE_RE.match(as_of):
                sys.stderr.write("oracle: --psc-snapshot %s needs --as-of YYYY-MM-DD after it\n"
                                 % name)
                return 64
            with open(name, "rb") as fh:
                o.feed_psc_snapshot(name, fh, as_of)
            continue
        _tag, stream, name = item
        if not STREAM_NAME_RE.match(stream):
            sys.stderr.write("oracle: bad stream name %r\n" % stream)
            return 64
        if name == "-":
            o.feed_file(stream, "-", sys.stdin.buffer)
        else:
            with open(name, "rb") as fh:
                o.feed_file(stream, name, fh)
    o.write(args.out_dir)
    if args.sqlite:
        o.write_sqlite(args.sqlite)
    sys.stderr.write(o.summary() + "\n")
    return 0


STREAM_NAME_RE = re.compile(r"[a-z][a-z0-9-]*\Z")


class InputAction(argparse.Action):
    """--stream, --psc-snapshot and --as-of into one ordered list,
    args.inputs: ("stream", NAME, FILE) or ("psc-snapshot", FILE, DATE)."""

    def __call__(self, parser, namespace, values, option_string=None):
        inputs = getattr(namespace, "inputs", None)
        if inputs is None:
            inputs = []
            setattr(namespace, "inputs", inputs)
        if self.dest == "stream":
            inputs.append(("stream", values[0], values[1]))
        elif self.dest == "psc_snapshot":
            inputs.append(["psc-snapshot", values, None])
        elif inputs and inputs[-1][0] == "psc-snapshot" and inputs[-1][2] is None:
            inputs[-1][2] = values
        else:
            inputs.append(("as-of-alone",))


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
    p.add_argument("captures", nargs="*", help="stream NDJSON files, in order (- = stdin)")
    p.add_argument("--out-dir", default=".")
    p.add_argument("--stream", nargs=2, action=InputAction, metavar=("NAME", "FILE"),
                   help="every-stream model: FILE read as stream NAME (repeatable, in order)")
    p.add_argument("--psc-snapshot", metavar="FILE", action=InputAction,
                   help="a daily PSC snapshot, applied in its place among the --stream files "
                        "(repeatable; each followed by --as-of)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", action=InputAction,
                   help="the date of the --psc-snapshot before it")
    p.add_argument("--no-data", action="store_true",
                   help="with --stream: do not keep data (no resources_data.csv; less memory)")
    p.add_argument("--sqlite", metavar="FILE",
                   help="with --stream: also write the expected tables to this SQLite file "
                        "(the oracle's self-test runs --print-sql's queries on it)")
    p.add_argument("--print-sql", action="store_true",
                   help="print FILE<TAB>QUERY for each file --stream writes that a test compares")
    p.add_argument("--compare-db", metavar="DB", action="append", default=[],
                   help="also compare with this database (see compare_db; may be given "
                        "several times); exit 1 when one differs, saying how")
    args = p.parse_args(argv)
    if not hasattr(args, "inputs"):
        args.inputs = []
    args.stream = [i for i in args.inputs if i[0] != "psc-snapshot"]
    if any(i[0] == "as-of-alone" for i in args.inputs):
        p.error("--as-of must follow a --psc-snapshot")
    if args.print_sql:
        for name, query in comparison_queries(not args.no_data):
            print("%s\t%s" % (name, query))
        return 0
    if args.inputs and args.captures:
        p.error("give captures either as --stream NAME FILE or positionally, not both")
    if args.inputs:
        return main_streams(args)
    if not args.captures:
        p.error("no capture given")
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
