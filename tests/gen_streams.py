#!/usr/bin/env python3
"""Generate realistic, deterministic captures of all nine Companies House
streams, one <stream>.ndjson per stream, as ch-fetch would have written them.

Every line is one event in the real envelope (resource_kind, resource_uri,
resource_id, data, event{fields_changed?, timepoint, published_at, type}, in
that order; /work/shared/STREAMS.md and samples/real-events): keys inside
`data` sorted, `&` written as \\u0026 in most lines, published_at zone-less
UTC in most lines (a fraction with Z or an offset now and then), now and
then an unknown top-level member ("received", as relays add). The same
arguments always give the same bytes, whatever --jobs is: each stream has
its own random.Random seeded from --seed and the stream's name; no clock,
environment, hash or set order is consulted.

Usage: gen_streams.py [--seed 1] [--days 1] [--scale 0.01] [--clean]
         [--start-date 2026-11-23T00:00:00] [--streams all|a,b,...]
         [--lines STREAM=N ...] [--jobs N] --out-dir DIR

--scale multiplies the real daily volumes (1 = real): companies 46,000,
filings 90,000, persons-with-significant-control 11,000, officers 15,000,
charges 3,000, persons-with-significant-control-statements 1,000,
insolvency-cases 500, disqualified-officers 20, company-exemptions 5 events
per day; a stream gets round(volume * days * scale) lines, and never fewer
than its fixed scenarios below (so --scale 0 gives the scenarios alone).
Ten days at --scale 1 is about 1.66 million lines (--scale 0.9: 1.5 M).
--lines STREAM=N sets one stream's volume instead (the companies stream
still gets at least 400): `make run`'s demo capture (samples/demo/) has
more officers and PSCs per company than the real proportions, so that its
leads name people.

Company numbers are shared: the companies stream is tests/gen_capture.py's
(called in-process with the same --seed, --clean, events and a pool of
events/4 companies; its numeric-string timepoints are written as integers
here, so the fake server can resume anywhere), and the other streams draw
their companies from the same pool (gen_capture.make_numbers), mostly from
the part the companies stream shows, so leads join officers and PSCs.

Each stream has random traffic at realistic proportions plus fixed
scenarios placed through the window (their number grows with the volume;
at least one of each):
  filings: DS01 -> GAZ1(A) -> GAZ2(A); DS01 -> DS02; LLDS01 -> GAZ1(A)
    (LLP); DS01 -> GAZ1(A) -> SOAS(A); GAZ1 (compulsory) -> DISS40;
    GAZ1 -> GAZ2; filings without `type` (description only:
    gazette-notice-compulsory, dissolution-application-strike-off-company,
    legacy); a COCOMP with subcategory [compulsory, court-order]; an old
    GAZ1(A) (dated years before) re-published today; document_metadata
    re-publications (fields_changed) of a DS01; exact re-publications;
    deleted with data, without data, and for a transaction never seen;
    an unknown kind under /company/{n}/ and one elsewhere; a URI with a
    lower-case company number.
  officers: directors, secretaries, LLP members, corporate officers
    (identification), appointments and resignations (resigned_on) of the
    scenario companies' officers, updates, exact re-publications, deleted
    with and without data, a delete never seen, an unknown kind.
  persons-with-significant-control: every kind (individual, corporate,
    legal, super-secure with `ceased` absent/0/1/false/true, the four
    beneficial-owner kinds for OE entities), cessations (ceased_on), a
    null in natures_of_control, deletes with and without data.
  charges: created, satisfied (fully-satisfied, satisfied_on, a
    charge-satisfaction transaction), part-satisfied, exact duplicates on
    consecutive timepoints, deletes.
  insolvency-cases: a resource growing from one case to two
    (in-administration, then creditors-voluntary-liquidation), cases
    without dates, case numbers as strings and (re-sent) as integers,
    members-voluntary-liquidation, old cases, a `status` array, deletes.
  disqualified-officers (natural and corporate), company-exemptions (URI
    without its leading slash), psc statements (notified, ceased, linked
    PSC names): changes, re-publications, deletes.
Unless --clean, each of the eight other streams also has a few bad lines
(about 0.3 %, at least one of each, each byte-unique): truncated JSON, an
event without timepoint, no resource_uri, and a URI lacking the company
number (not for disqualified officers, whose URIs have none); the
companies stream has gen_capture.py's (about 1 %; its filing-history
"bad lines" are resource records, not rejects, under phase 2). Exact
duplicate lines (a reconnect overlap) are valid input and stay with
--clean. In the eight streams, a line that is not a repeat has a higher
timepoint than every line before it, so the fake server can resume at
any checkpoint + 1 (gen_capture.py's companies stream has out-of-order
events on purpose: dedupe drops them wherever a resume starts).

Things tests/oracle.py leaves unpinned are never generated: no resource is
sent on two streams, no changed event lacks data, PSC and officer names
start with a letter, identity ids equal resource_id and the URI's last
segment, filing types are upper-case.

A summary (lines per stream, seconds) goes to stderr.
"""

import argparse
import base64
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_capture  # noqa: E402  (the companies stream and the company pool)

STREAMS = [
    # (stream, events per day at --scale 1, first timepoint)
    ("companies", 46000, 68805561),
    ("filings", 90000, 140062688),
    ("officers", 15000, 7802811),
    ("persons-with-significant-control", 11000, 11856669),
    ("persons-with-significant-control-statements", 1000, 702411),
    ("charges", 3000, 1660556),
    ("insolvency-cases", 500, 1293709),
    ("disqualified-officers", 20, 102),
    ("company-exemptions", 5, 2401),
]
STREAM_NAMES = [s[0] for s in STREAMS]
MIN_COMPANY_EVENTS = 400
ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
BAD_RATE = 0.003
DUP_RATE = 0.002

FORENAMES = ("James John Robert Michael David William Richard Thomas Mark Paul Andrew "
             "Sarah Emma Claire Laura Rachel Helen Anna Joanne Victoria Olivia Amelia "
             "Mohammed Ahmed Priya Anita Jürgen Zoë Siân Łukasz Ciarán Aoife").split()
SURNAMES = ("SMITH JONES WILLIAMS TAYLOR BROWN DAVIES EVANS WILSON THOMAS JOHNSON "
            "ROBERTS ROBINSON THOMPSON WRIGHT WALKER WHITE EDWARDS HUGHES GREEN HALL "
            "PATEL KHAN SINGH AHMED ALI CAMPBELL STEWART MACDONALD MURPHY KELLY "
            "O'NEILL O'BRIEN MÜLLER NOWAK KOWALSKI ØSTERGAARD").split()
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
NATIONALITIES = ["British", "British", "British", "Irish", "Polish", "Indian", "Romanian",
                 "Italian", "German", "Chinese", "Nigerian", "American", "Welsh", "Scottish"]
OCCUPATIONS = ["Director", "Company Director", "Accountant", "Engineer", "Consultant",
               "Builder", "Solicitor", "Retired", "Manager", "Software Developer", "Chef",
               "Electrician", "Property Developer", "Nurse", "Sales Director"]
COUNTRIES = ["England", "England", "United Kingdom", "Wales", "Scotland",
             "Northern Ireland", "Ireland", "Poland"]
TOWNS = [("London", "EC1V", "England"), ("Leeds", "LS10", "England"),
         ("Manchester", "M40", "England"), ("Birmingham", "B3", "England"),
         ("Bristol", "BS30", "England"), ("Cardiff", "CF10", "Wales"),
         ("Glasgow", "G2", "Scotland"), ("Edinburgh", "EH1", "Scotland"),
         ("Belfast", "BT1", "Northern Ireland"), ("Croydon", "CR0", "England"),
         ("Norwich", "NR16", "England"), ("Harrogate", "HG1", "England")]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane",
           "Market Street", "Addiscombe Road", "Park Avenue", "Mill Lane", "Kings Road",
           "Bridge Street", "Woodberry Grove", "Princes Square"]
COMPANY_WORDS = ("APEX NORTHERN GREEN BLUE OAK CEDAR RIVER STONE SILVER CROWN ALPHA NOVA "
                 "SUMMIT HORIZON ANCHOR PHOENIX FALCON THISTLE CASTLE MEADOW ORCHARD "
                 "METRO UNITED BRIGHT PRIME").split()
COMPANY_TRADES = ("HOLDINGS PROPERTIES SERVICES TRADING CONSULTING DEVELOPMENTS "
                  "INVESTMENTS LOGISTICS CONSTRUCTION CAPITAL GROUP VENTURES").split()
LENDERS = ["Barclays Bank UK PLC", "Lloyds Bank PLC", "HSBC UK Bank PLC", "Santander UK PLC",
           "National Westminster Bank PLC", "Aldermore Bank PLC", "Shawbrook Bank Limited",
           "Together Commercial Finance Limited", "Close Brothers Limited",
           "Coutts & Company", "Paragon Bank PLC", "Allica Bank Ltd",
           "Aura Liverpool Limited (In Administration)", "Hampshire Trust Bank PLC"]
PRACTITIONERS = ["Colin Bird", "Laura May Waters", "Robert Nicholas Lewis", "Peter James Greaves",
                 "Sarah Louise Burge", "Andrew Pear", "Julie Anne Palmer", "Kevin Ley",
                 "Gareth Rusling", "Chris Parkman", "Lisa Jane Hogg", "Richard Toone"]
NATURES = ["ownership-of-shares-25-to-50-percent", "ownership-of-shares-50-to-75-percent",
           "ownership-of-shares-75-to-100-percent", "voting-rights-25-to-50-percent",
           "voting-rights-50-to-75-percent", "voting-rights-75-to-100-percent",
           "right-to-appoint-and-remove-directors", "significant-influence-or-control"]
BO_NATURES = ["ownership-of-shares-more-than-25-percent-registered-overseas-entity",
              "voting-rights-more-than-25-percent-registered-overseas-entity",
              "right-to-appoint-and-remove-directors-registered-overseas-entity"]

# Filing types of the random traffic: (weight per mille, type, category,
# subcategory, description). Type None = a filing without `type`.
FILING_MIX = [
    (300, "AA", "accounts", None, "accounts-with-accounts-type-%s"),
    (220, "CS01", "confirmation-statement", None, "confirmation-statement-with-no-updates"),
    (60, "AP01", "officers", "appointments", "appointment-of-director"),
    (50, "TM01", "officers", "termination", "termination-director-company-with-name-termination-date"),
    (40, "CH01", "officers", "change", "change-person-director-company-with-change-date"),
    (25, "PSC01", "persons-with-significant-control", "notifications",
     "notification-of-a-person-with-significant-control"),
    (15, "PSC07", "persons-with-significant-control", "termination",
     "cessation-of-a-person-with-significant-control"),
    (40, "SH01", "capital", "allotment", "capital-allotment-shares"),
    (25, "MR01", "mortgage", "create", "mortgage-create-with-deed-with-charge-number-charge-creation-date"),
    (12, "MR04", "mortgage", "satisfy", "mortgage-satisfy-charge-full"),
    (35, "AD01", "address", None, "change-registered-office-address-company-with-date-old-address-new-address"),
    (30, "NEWINC", "incorporation", None, "incorporation-company"),
    (12, "RESOLUTIONS", "resolution", None, "resolution"),
    (3, "LIQ02", "insolvency", "voluntary", "liquidation-voluntary-statement-of-affairs"),
    (3, "600", "insolvency", "voluntary", "liquidation-voluntary-appointment-of-liquidator"),
    (2, "AM01", "insolvency", "administration", "liquidation-in-administration-appointment-of-administrator"),
    (2, "COCOMP", "insolvency", ["compulsory", "court-order"], "liquidation-compulsory-winding-up-order"),
    (3, "LIQ14", "insolvency", "voluntary", "liquidation-voluntary-creditors-return-of-final-meeting"),
    (10, "DS01", "dissolution", None, "dissolution-application-strike-off-company"),
    (10, "GAZ1(A)", "gazette", None, "gazette-notice-voluntary"),
    (17, "GAZ1", "gazette", None, "gazette-notice-compulsory"),
    (9, "GAZ2(A)", "gazette", None, "gazette-dissolved-voluntary"),
    (12, "GAZ2", "gazette", None, "gazette-dissolved-compulsory"),
    (2, "DS02", "dissolution", None, "dissolution-withdrawal-application-strike-off-company"),
    (1, "SOAS(A)", "dissolution", None, "dissolution-voluntary-strike-off-suspended"),
    (3, "DISS16(SOAS)", "dissolution", None, "dissolved-compulsory-strike-off-suspended"),
    (8, "DISS40", "gazette", None, "gazette-filings-brought-up-to-date"),
    (4, None, "miscellaneous", None, "legacy"),
    (2, None, "gazette", None, "gazette-notice-compulsory"),
    (2, None, "dissolution", None, "dissolution-application-strike-off-company"),
]
FILING_BY_TYPE = {row[1]: row for row in FILING_MIX if row[1]}
FILING_BY_TYPE["LLDS01"] = (0, "LLDS01", "dissolution", None,
                            "dissolution-application-strike-off-limited-liability-partnership")
ACCOUNT_TYPES = ["micro-entity", "dormant", "total-exemption-full", "small", "full",
                 "unaudited-abridged"]

CASE_DATE_TYPES = {
    "creditors-voluntary-liquidation": ["wound-up-on"],
    "compulsory-liquidation": ["petitioned-on", "ordered-to-wind-up-on"],
    "members-voluntary-liquidation": ["declaration-solvent-on", "wound-up-on"],
    "in-administration": ["administration-started-on"],
    "administration-order": ["administration-started-on"],
    "administrative-receiver": ["instrumented-on"],
    "receiver-manager": ["instrumented-on"],
    "corporate-voluntary-arrangement": ["voluntary-arrangement-started-on"],
    "moratorium": ["moratorium-started-on"],
    "foreign-insolvency": [],
}
CASE_MIX = [(45, "creditors-voluntary-liquidation"), (20, "compulsory-liquidation"),
            (20, "members-voluntary-liquidation"), (7, "in-administration"),
            (1, "administration-order"), (2, "administrative-receiver"),
            (1, "receiver-manager"), (2, "corporate-voluntary-arrangement"),
            (1, "moratorium"), (1, "foreign-insolvency")]
NEXT_CASE = {"in-administration": "creditors-voluntary-liquidation",
             "creditors-voluntary-liquidation": "compulsory-liquidation",
             "members-voluntary-liquidation": "creditors-voluntary-liquidation",
             "corporate-voluntary-arrangement": "compulsory-liquidation",
             "administrative-receiver": "creditors-voluntary-liquidation"}

PSC_KINDS = [
    # (weight, resource_kind, URI segment, data.kind)
    (840, "company-psc-individual", "individual", "individual-person-with-significant-control"),
    (90, "company-psc-corporate", "corporate-entity", "corporate-entity-person-with-significant-control"),
    (10, "company-psc-legal", "legal-person", "legal-person-person-with-significant-control"),
    (10, "company-psc-supersecure", "super-secure", "super-secure-person-with-significant-control"),
    (35, "individual-beneficial-owner", "individual-beneficial-owner", "individual-beneficial-owner"),
    (10, "corporate-entity-beneficial-owner", "corporate-entity-beneficial-owner",
     "corporate-entity-beneficial-owner"),
    (3, "legal-person-beneficial-owner", "legal-person-beneficial-owner", "legal-person-beneficial-owner"),
    (2, "super-secure-beneficial-owner", "super-secure-beneficial-owner", "super-secure-beneficial-owner"),
]
STATEMENTS = ["no-individual-or-entity-with-signficant-control",
              "psc-exists-but-not-identified", "psc-details-not-confirmed",
              "steps-to-find-psc-not-yet-completed", "psc-has-failed-to-confirm-changed-details"]
EXEMPTION_TYPES = ["disclosure_transparency_rules_chapter_five_applies",
                   "psc_exempt_as_shares_admitted_on_market",
                   "psc_exempt_as_trading_on_eu_regulated_market",
                   "psc_exempt_as_trading_on_regulated_market",
                   "psc_exempt_as_trading_on_uk_regulated_market"]


def weighted(rng, table):
    total = sum(row[0] for row in table)
    x = rng.random() * total
    for row in table:
        x -= row[0]
        if x < 0:
            return row
    return table[-1]


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


class Pool:
    """Records (lists whose first item is the uri) with O(1) add, remove
    and random choice, in a deterministic order."""

    def __init__(self, rng, cap):
        self.rng, self.cap = rng, cap
        self.items, self.pos = [], {}

    def __len__(self):
        return len(self.items)

    def __contains__(self, uri):
        return uri in self.pos

    def get(self, uri):
        i = self.pos.get(uri)
        return None if i is None else self.items[i]

    def add(self, rec):
        if rec[0] in self.pos:
            self.items[self.pos[rec[0]]] = rec
            return
        if len(self.items) >= self.cap:
            self.remove(self.items[int(self.rng.random() * len(self.items))][0])
        self.pos[rec[0]] = len(self.items)
        self.items.append(rec)

    def remove(self, uri):
        i = self.pos.pop(uri, None)
        if i is None:
            return None
        rec = self.items[i]
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last[0]] = i
        return rec

    def choice(self):
        return self.items[int(self.rng.random() * len(self.items))]

    def last(self):
        return self.items[-1]


class Event:
    """One line to write: the envelope's parts; data_text is the exact JSON
    of data (None: no data member)."""
    __slots__ = ("kind", "uri", "rid", "data_text", "etype", "fields_changed")

    def __init__(self, kind, uri, rid, data_text, etype="changed", fields_changed=None):
        self.kind, self.uri, self.rid = kind, uri, rid
        self.data_text, self.etype, self.fields_changed = data_text, etype, fields_changed


class Plan:
    """What every stream's process computes alike: the company pool and the
    scenario companies (so officers and PSCs of the filings' and insolvency
    scenarios exist)."""

    def __init__(self, args):
        self.seed = args.seed
        self.clean = args.clean
        self.start = args.start
        self.span = args.days * 86400.0
        self.counts = {name: int(round(per_day * args.days * args.scale))
                       for name, per_day, _ in STREAMS}
        self.counts.update(args.lines)
        self.counts["companies"] = max(self.counts["companies"], MIN_COMPANY_EVENTS)
        self.ncomp = max(1, self.counts["companies"] // 4)
        numbers = gen_capture.make_numbers(random.Random(args.seed),
                                           self.ncomp + self.ncomp // 5 + 20)
        self.pool = [n for n, _t, _j in numbers]
        self.shown = self.pool[:self.ncomp]       # the companies stream's companies
        rng = random.Random("%d/scenarios" % args.seed)
        self.n_filing_seq = max(1, int(round(self.counts["filings"] / 15000.0)))
        self.n_insolvency_seq = max(1, int(round(self.counts["insolvency-cases"] / 200.0)))
        order = list(self.shown)
        rng.shuffle(order)
        ltd = [n for n in order if not n.startswith(("OC", "SO"))] or order
        llp = [n for n in order if n.startswith(("OC", "SO"))] or ltd
        k = self.n_filing_seq
        self.seq_companies = {}
        for i, name in enumerate(("ds01-gaz1a-gaz2a", "ds01-ds02", "ds01-gaz1a-soas",
                                  "gaz1-diss40", "gaz1-gaz2", "old-gaz1a", "ds01-metadata",
                                  "no-type")):
            self.seq_companies[name] = [ltd[(i * k + j) % len(ltd)] for j in range(k)]
        self.seq_companies["llds01-gaz1a"] = [llp[j % len(llp)] for j in range(k)]
        base = 9 * k
        self.seq_companies["insolvency-growth"] = [
            ltd[(base + j) % len(ltd)] for j in range(self.n_insolvency_seq)]
        seen, self.people_companies = set(), []
        for name in sorted(self.seq_companies):
            for n in self.seq_companies[name]:
                if n not in seen:
                    seen.add(n)
                    self.people_companies.append(n)


class StreamGen:
    """The framework of one stream: slots, timepoints, times, the envelope,
    bad lines and duplicates. A subclass gives random_event() and
    scenarios()."""

    stream = None
    kind_needs_number = True

    def __init__(self, plan):
        self.plan = plan
        self.rng = random.Random("%d/%s" % (plan.seed, self.stream))
        self.count = plan.counts[self.stream]
        self.tp = dict((s, t) for s, _, t in STREAMS)[self.stream]
        self.first_tp = True
        self.start_epoch = plan.start.replace(tzinfo=dt.timezone.utc).timestamp()
        self.sec_cache = (None, None, None)
        self.recent = []            # recent good lines, for duplicates
        self.today = plan.start.date()
        self.day_texts = {}         # days ago -> date text, for today
        self.dumped = 0             # data objects encoded (every 10th keeps a raw &)
        self.written = 0            # lines encoded
        self.serial = 0
        self.sched = {}

    # ---- identities and small helpers

    def uid(self):
        """A 27-character id like CH's appointment, PSC and charge ids."""
        return base64.urlsafe_b64encode(self.rng.getrandbits(160).to_bytes(20, "big"))[:27].decode()

    def etag(self):
        return "%040x" % self.rng.getrandbits(160)

    def randint(self, lo, hi):
        return lo + int(self.rng.random() * (hi - lo + 1))

    def days_ago(self, lo, hi=None):
        n = lo if hi is None else lo + int(self.rng.random() * (hi - lo + 1))
        text = self.day_texts.get(n)
        if text is None:
            text = self.day_texts[n] = (self.today - dt.timedelta(days=n)).isoformat()
        return text

    def company(self, shown=0.9):
        """A company number: mostly one the companies stream shows."""
        p = self.plan
        if self.rng.random() < shown or len(p.pool) == len(p.shown):
            return pick(self.rng, p.shown)
        return pick(self.rng, p.pool[len(p.shown):])

    def dumps(self, data):
        text = ENCODER.encode(data)
        self.dumped += 1
        if self.dumped % 10:
            text = text.replace("&", "\\u0026")    # as the service's Go encoder
        return text

    def person(self):
        return pick(self.rng, SURNAMES), pick(self.rng, FORENAMES)

    def address(self, extra=True):
        town, outward, country = pick(self.rng, TOWNS)
        a = {"address_line_1": "%d %s" % (self.randint(1, 250), pick(self.rng, STREETS)),
             "locality": town,
             "postal_code": "%s %d%s" % (outward, self.randint(1, 9),
                                         pick(self.rng, ["AA", "BD", "XT", "NJ", "QP", "ES"]))}
        if extra and self.rng.random() < 0.4:
            a["premises"] = pick(self.rng, ["Unit 3", "Suite 12", "13th Floor One Croydon",
                                            "Winnington House", "36a", "Flat 2"])
        if extra and self.rng.random() < 0.6:
            a["country"] = country
        if extra and self.rng.random() < 0.3:
            a["address_line_2"] = pick(self.rng, ["Hunslet", "New Mills", "Kingswells",
                                                  "Second Floor"])
        return a

    def company_name(self):
        return "%s %s %s" % (pick(self.rng, COMPANY_WORDS), pick(self.rng, COMPANY_TRADES),
                             pick(self.rng, ["LIMITED", "LTD", "PLC", "LLP"]))

    # ---- scheduling

    def place(self, sequences):
        """sequences: lists of (fraction of the window, thunk); each
        sequence's steps get increasing free slots at or after their
        fraction (slots past the end extend the stream)."""
        for seq in sequences:
            prev = -1
            for frac, thunk in seq:
                slot = max(int(frac * self.count), prev + 1)
                while slot in self.sched:
                    slot += 1
                self.sched[slot] = thunk
                prev = slot
        if self.sched:
            self.count = max(self.count, max(self.sched) + 1)

    def scenarios(self):
        return []

    def bad_kinds(self):
        kinds = ["truncated", "no-timepoint", "no-uri"]
        if self.kind_needs_number:
            kinds.append("uri-without-number")
        return kinds

    # ---- writing

    def next_tp(self):
        if self.first_tp:
            self.first_tp = False
            return self.tp
        r = self.rng.random()
        self.tp += self.randint(2, 40) if r < 0.02 else 1
        return self.tp

    def published(self, i):
        sec = int(self.start_epoch + i * self.plan.span / max(self.count, 1))
        day, s = divmod(sec, 86400)
        if self.sec_cache[0] != day:
            date = dt.date(1970, 1, 1) + dt.timedelta(days=day)
            self.sec_cache = (day, date, date.isoformat() + "T")
            self.today = date
            self.day_texts = {}
        text = "%s%02d:%02d:%02d" % (self.sec_cache[2], s // 3600, s // 60 % 60, s % 60)
        r = self.rng.random()
        if r < 0.015 or i == 3:
            return text + ".%06dZ" % self.randint(0, 999999)
        if r < 0.03 or i == 4:
            t = dt.datetime.fromtimestamp(sec + 3600, dt.timezone.utc)
            return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+01:00" % self.randint(0, 999999)
        return text

    def encode(self, ev, tp, published, timepoint_member=True, uri_member=True):
        parts = ['{"resource_kind":"', ev.kind, '"']
        if uri_member:
            parts += [',"resource_uri":"', ev.uri, '"']
        if ev.rid is not None:
            parts += [',"resource_id":"', ev.rid, '"']
        if ev.data_text is not None:
            parts += [',"data":', ev.data_text]
        parts.append(',"event":{')
        if ev.fields_changed:
            parts += ['"fields_changed":', json.dumps(ev.fields_changed, separators=(",", ":")), ","]
        if timepoint_member:
            parts.append('"timepoint":%d,' % tp)
        parts += ['"published_at":"', published, '","type":"', ev.etype, '"}']
        self.written += 1
        if self.rng.random() < 0.005 or self.written == 3:
            parts.append(',"received":%d.%04d' % (self.start_epoch * 1000 + tp % 86400000,
                                                  self.randint(0, 9999)))
        parts.append("}\n")
        return "".join(parts).encode("utf-8")

    def bad_line(self, kind, i):
        """One byte-unique line a parser must reject."""
        ev = self.random_event()
        while ev.data_text is None:
            ev = self.random_event()
        if kind == "truncated":
            line = self.encode(ev, self.next_tp(), self.published(i))
            cut = self.randint(len(line) // 5, len(line) * 3 // 5)
            return line[:cut].rstrip(b"\n") + b"\n"
        if kind == "no-timepoint":
            return self.encode(ev, 0, self.published(i), timepoint_member=False)
        if kind == "no-uri":
            return self.encode(ev, self.next_tp(), self.published(i), uri_member=False)
        # uri-without-number: the company segment missing or not a number
        ev.uri = pick(self.rng, [re.sub(r"^/?company/[^/]+", "/company/", ev.uri),
                                 re.sub(r"^/?company/[^/]+", "", ev.uri),
                                 re.sub(r"^/?company/[^/]+", "/company/12-34/56", ev.uri)])
        return self.encode(ev, self.next_tp(), self.published(i))

    def run(self, out):
        self.place(self.scenarios())
        bad = [] if self.plan.clean else self.bad_kinds()
        if bad:
            # One of each kind of bad line at least, spread out.
            for j, kind in enumerate(bad):
                slot = int((j + 0.5) / len(bad) * self.count)
                while slot in self.sched:
                    slot += 1
                self.sched[slot] = ("bad", kind)
            self.count = max(self.count, max(self.sched) + 1)
        lines = 0
        i = 0
        while i < self.count:
            thunk = self.sched.get(i)
            line = None
            is_bad = isinstance(thunk, tuple)
            if is_bad:
                line = self.bad_line(thunk[1], i)
            elif thunk is not None:
                self.published(i)        # sets today for the scenario's dates
                ev = thunk()
                line = self.encode(ev, self.next_tp(), self.published(i))
            else:
                r = self.rng.random()
                if bad and r < BAD_RATE:
                    line = self.bad_line(pick(self.rng, bad), i)
                    is_bad = True
                elif self.recent and r < BAD_RATE + DUP_RATE:
                    line = pick(self.rng, self.recent)     # a reconnect's repeat
                else:
                    pub = self.published(i)
                    line = self.encode(self.random_event(), self.next_tp(), pub)
            if not is_bad:
                if len(self.recent) >= 50:
                    self.recent[int(self.rng.random() * 50)] = line
                else:
                    self.recent.append(line)
            out.write(line)
            lines += 1
            i += 1
        return lines


# ------------------------------------------------------------------ filings

class FilingsGen(StreamGen):
    stream = "filings"

    def __init__(self, plan):
        super().__init__(plan)
        self.filings = Pool(self.rng, 4000)    # [uri, number, tx, data, text]
        self.mix_total = sum(r[0] for r in FILING_MIX)

    def tx(self):
        self.serial += 1
        raw = ("%010dadiqzkcx" % (3400000000 + self.serial)).encode()
        return base64.b64encode(raw).decode()

    def filing_data(self, number, tx, row, date):
        _w, ftype, category, sub, desc = row
        today = self.today
        self.today = dt.date.fromisoformat(date)    # description values relative to the date
        try:
            return self._filing_data(number, tx, row, date, ftype, category, sub, desc)
        finally:
            self.today = today

    def _filing_data(self, number, tx, row, date, ftype, category, sub, desc):
        uri = "/company/%s/filing-history/%s" % (number, tx)
        d = {"category": category, "date": date, "links": {"self": uri},
             "transaction_id": tx}
        if ftype == "AA":
            desc = desc % pick(self.rng, ACCOUNT_TYPES)
            d["description_values"] = {"made_up_date": self.days_ago(90, 300)}
        elif ftype in ("AP01", "TM01", "CH01"):
            s, f = self.person()
            d["description_values"] = {"officer_name": "%s %s" % (f, s.title())}
            key = {"AP01": "appointment_date", "TM01": "termination_date",
                   "CH01": "change_date"}[ftype]
            d["description_values"][key] = self.days_ago(0, 20)
            d["action_date"] = d["description_values"][key]
        elif ftype == "SH01":
            d["description_values"] = {"capital": [{"currency": "GBP",
                                                    "figure": "%d.00" % self.randint(2, 5000)}],
                                       "date": self.days_ago(1, 30)}
            d["action_date"] = d["description_values"]["date"]
        elif ftype == "CS01":
            d["description_values"] = {"made_up_date": self.days_ago(1, 14)}
        elif ftype == "RESOLUTIONS":
            d["resolutions"] = [{
                "category": "resolution",
                "description": "liquidation-voluntary-special-resolution-to-wind-up-case-start-date",
                "description_values": {"case_start_date": self.days_ago(0, 10),
                                       "resolution_date": self.days_ago(0, 10)},
                "subcategory": ["voluntary", "resolution"], "type": "LRESSP"}]
        if desc:
            d["description"] = desc
        if ftype:
            d["type"] = ftype
        if sub is not None:
            d["subcategory"] = sub
        if ftype not in ("GAZ1", "GAZ1(A)", "GAZ2", "GAZ2(A)") and self.rng.random() < 0.8:
            d["barcode"] = "X%07X" % self.rng.getrandbits(28)
        if self.rng.random() < 0.6:
            d["pages"] = self.randint(1, 40)
        if self.rng.random() < 0.05:
            d["paper_filed"] = True
        return uri, d

    def emit_filing(self, number, row, date, remember=True):
        tx = self.tx()
        uri, d = self.filing_data(number, tx, row, date)
        text = self.dumps(d)
        if remember:
            self.filings.add([uri, number, tx, d, text])
        return Event("filing-history", uri, tx, text)

    def republish(self, uri, metadata=False, annotation=False, exact=False):
        rec = self.filings.get(uri)
        _uri, number, tx, d, text = rec
        fc = None
        if metadata and "document_metadata" not in d["links"]:
            d["links"]["document_metadata"] = (
                "https://frontend-doc-api.company-information.service.gov.uk/document/"
                + self.uid() + self.uid()[:16])
            fc = ["links.document_metadata"]
        elif annotation:
            d.setdefault("annotations", []).append({
                "annotation": "Clarification A second filed CS01 & shareholder information",
                "category": "annotation", "date": self.today.isoformat(),
                "description": "annotation", "type": "ANNOTATION"})
        if not exact:
            text = self.dumps(d)
            rec[4] = text
        return Event("filing-history", uri, tx, text, fields_changed=fc)

    def random_event(self):
        r = self.rng.random()
        if not self.filings and r < 0.193:
            r = 0.5
        if r < 0.12:
            return self.republish(self.filings.choice()[0], metadata=True)
        if r < 0.17:
            return self.republish(self.filings.choice()[0], exact=True)
        if r < 0.19:
            return self.republish(self.filings.choice()[0], annotation=True)
        if r < 0.193:
            uri, number, tx, _d, text = self.filings.choice()
            return Event("filing-history", uri, tx, text if self.rng.random() < 0.5 else None,
                         etype="deleted")
        if r < 0.2:       # an old filing re-published: history, not news
            row = FILING_BY_TYPE[pick(self.rng, ["AA", "CS01", "GAZ1(A)", "GAZ2", "AP01"])]
            return self.emit_filing(self.company(), row, self.days_ago(700, 6000), remember=False)
        x = self.rng.random() * self.mix_total
        for row in FILING_MIX:
            x -= row[0]
            if x < 0:
                break
        return self.emit_filing(self.company(), row, self.days_ago(0, 3))

    def scenarios(self):
        p = self.plan
        seqs = []
        rng = random.Random("%d/filings/scenarios" % p.seed)

        def filing(number, ftype, date_ago=(0, 3)):
            return lambda: self.emit_filing(number, FILING_BY_TYPE[ftype], self.days_ago(*date_ago))

        def chain(name, types):
            for number in p.seq_companies[name]:
                t0 = rng.random() * 0.4
                seqs.append([(t0 + k * 0.2, filing(number, t)) for k, t in enumerate(types)])

        chain("ds01-gaz1a-gaz2a", ["DS01", "GAZ1(A)", "GAZ2(A)"])
        chain("ds01-ds02", ["DS01", "DS02"])
        chain("ds01-gaz1a-soas", ["DS01", "GAZ1(A)", "SOAS(A)"])
        chain("gaz1-diss40", ["GAZ1", "DISS40"])
        chain("gaz1-gaz2", ["GAZ1", "GAZ2"])
        chain("llds01-gaz1a", ["LLDS01", "GAZ1(A)"])
        for number in p.seq_companies["old-gaz1a"]:
            seqs.append([(rng.random(), filing(number, "GAZ1(A)", (2500, 5000)))])
        for number in p.seq_companies["ds01-metadata"]:
            holder = {}

            def first(number=number, holder=holder):
                ev = self.emit_filing(number, FILING_BY_TYPE["DS01"], self.days_ago(0, 2))
                holder["uri"] = ev.uri
                return ev

            def again(holder=holder, **kw):
                if holder.get("uri") not in self.filings:
                    return self.random_event()
                return self.republish(holder["uri"], **kw)
            t0 = rng.random() * 0.5
            seqs.append([(t0, first), (t0 + 0.01, lambda a=again: a(metadata=True)),
                         (t0 + 0.2, lambda a=again: a(exact=True))])
        for j, number in enumerate(p.seq_companies["no-type"]):
            row = [r for r in FILING_MIX if r[1] is None][j % 3]
            seqs.append([(rng.random(), lambda n=number, row=row: self.emit_filing(
                n, row, self.days_ago(0, 3)))])
        seqs.append([(rng.random(), lambda: self.emit_filing(
            self.company(), FILING_BY_TYPE["COCOMP"], self.days_ago(0, 3)))])
        # Deletes: of a filing seen (with and without data), of one never seen.
        holder = {}

        def seen():
            ev = self.emit_filing(self.company(), FILING_MIX[0], self.days_ago(0, 3))
            holder["ev"] = ev
            return ev

        def deleted(with_data):
            ev = holder["ev"]
            return Event(ev.kind, ev.uri, ev.rid, ev.data_text if with_data else None, "deleted")
        seqs.append([(0.1, seen), (0.3, lambda: deleted(True)), (0.5, lambda: deleted(False))])
        holder2 = {}

        def seen2():
            holder2["ev"] = self.emit_filing(self.company(), FILING_MIX[1], self.days_ago(0, 3))
            return holder2["ev"]

        def deleted_bare():
            ev = holder2["ev"]
            return Event(ev.kind, ev.uri, ev.rid, None, "deleted")
        seqs.append([(0.2, seen2), (0.6, deleted_bare)])

        def unseen(with_data):
            number, tx = self.company(), self.tx()
            uri, d = self.filing_data(number, tx, FILING_MIX[0], self.days_ago(5, 50))
            return Event("filing-history", uri, tx, self.dumps(d) if with_data else None, "deleted")
        seqs.append([(0.7, lambda: unseen(False))])
        seqs.append([(0.75, lambda: unseen(True))])
        # Unknown kinds: under /company/{n}/ and elsewhere; stored, not rejected.
        seqs.append([(0.4, lambda: Event(
            "filing-history-annotation", "/company/%s/filing-history/%s/annotations/%s"
            % (self.company(), self.tx(), self.uid()), None,
            self.dumps({"annotation": "Second filing of AP01", "date": self.today.isoformat()})))])
        seqs.append([(0.45, lambda: Event(
            "registered-overseas-entity-verification", "/overseas-entities/OE%06d/verification"
            % self.randint(1, 30000), None, self.dumps({"verified": True})))])
        # A company number written in lower case in the URI.
        seqs.append([(0.55, self.lower_case_uri)])
        return seqs

    def lower_case_uri(self):
        letters = [n for n in self.plan.shown if n[:2].isalpha()]
        number = pick(self.rng, letters) if letters else self.company()
        ev = self.emit_filing(number, FILING_MIX[0], self.days_ago(0, 3), remember=False)
        ev.uri = ev.uri.replace(number, number.lower(), 1)
        return ev


# ------------------------------------------------------------------ officers

class OfficersGen(StreamGen):
    stream = "officers"

    def __init__(self, plan):
        super().__init__(plan)
        self.active = Pool(self.rng, 30000)     # [uri, aid, number, data, text]

    def officer_data(self, number, role=None):
        aid = self.uid()
        uri = "/company/%s/appointments/%s" % (number, aid)
        llp = number.startswith(("OC", "SO"))
        if role is None:
            role = weighted(self.rng, [(78, "director"), (9, "secretary"),
                                       (4, "corporate-director"), (2, "corporate-secretary"),
                                       (1, "corporate-nominee-director")])[1]
            if llp:
                role = pick(self.rng, ["llp-designated-member", "llp-member",
                                       "corporate-llp-designated-member"])
        d = {"address": self.address(), "appointed_on": self.days_ago(0, 20),
             "links": {"self": uri}, "officer_role": role}
        if role.startswith("corporate"):
            d["name"] = self.company_name()
            d["identification"] = {"identification_type": "uk-limited-company",
                                   "legal_authority": "Companies Act 2006",
                                   "legal_form": "Limited Company",
                                   "place_registered": "Companies House",
                                   "registration_number": pick(self.rng, self.plan.pool)}
        else:
            s, f = self.person()
            d["name"] = "%s, %s" % (s, f)
            d["date_of_birth"] = {"month": self.randint(1, 12),
                                  "year": self.randint(1940, 2004)}
            d["nationality"] = pick(self.rng, NATIONALITIES)
            d["country_of_residence"] = pick(self.rng, COUNTRIES)
            if role != "secretary":
                d["occupation"] = pick(self.rng, OCCUPATIONS)
        if self.rng.random() < 0.5:
            d["links"]["officer"] = {"appointments": "/officers/%s/appointments" % self.uid()}
        return uri, aid, d

    def appoint(self, number, role=None, remember=True, appointed_long_ago=False):
        uri, aid, d = self.officer_data(number, role)
        if appointed_long_ago:
            d["appointed_on"] = self.days_ago(400, 8000)
        text = self.dumps(d)
        if remember:
            self.active.add([uri, aid, number, d, text])
        return Event("company-officers", uri, aid, text)

    def take(self, rec):
        self.active.remove(rec[0])

    def resign(self, rec):
        uri, aid, _number, d, _text = rec
        d["resigned_on"] = self.days_ago(0, 5)
        rec[4] = self.dumps(d)
        self.take(rec)
        return Event("company-officers", uri, aid, rec[4])

    def random_event(self):
        r = self.rng.random()
        if self.active and r < 0.25:
            return self.resign(self.active.choice())
        if r < 0.30:      # resignation of an appointment made before the window
            ev = self.appoint(self.company(), remember=False, appointed_long_ago=True)
            d = json.loads(ev.data_text)
            d["resigned_on"] = self.days_ago(0, 5)
            ev.data_text = self.dumps(d)
            return ev
        if self.active and r < 0.42:
            rec = self.active.choice()
            rec[3]["address"] = self.address()
            rec[4] = self.dumps(rec[3])
            return Event("company-officers", rec[0], rec[1], rec[4])
        if self.active and r < 0.47:
            rec = self.active.choice()
            return Event("company-officers", rec[0], rec[1], rec[4])
        if self.active and r < 0.475:
            rec = self.active.choice()
            self.take(rec)
            return Event("company-officers", rec[0], rec[1],
                         rec[4] if self.rng.random() < 0.6 else None, "deleted")
        return self.appoint(self.company())

    def scenarios(self):
        p = self.plan
        rng = random.Random("%d/officers/scenarios" % p.seed)
        seqs = []
        for j, number in enumerate(p.people_companies):
            llp = number.startswith(("OC", "SO"))
            roles = (["llp-designated-member", "llp-designated-member"] if llp
                     else ["director", "director", "secretary"][:2 + j % 2])
            if j % 5 == 4:
                roles.append("corporate-director")
            for k, role in enumerate(roles):
                holder = {}

                def appoint(number=number, role=role, holder=holder):
                    ev = self.appoint(number, role)
                    holder["rec"] = self.active.get(ev.uri)
                    return ev
                seq = [(rng.random() * 0.25, appoint)]
                if k == 0 and j % 3 == 1:       # resigns later: no longer a contact
                    seq.append((0.7 + rng.random() * 0.25, lambda h=holder: self.resign(h["rec"])
                                if h.get("rec") else self.random_event()))
                seqs.append(seq)
        holder = {}

        def seen():
            ev = self.appoint(self.company())
            holder["rec"] = self.active.get(ev.uri)
            return ev

        def deleted(with_data):
            rec = holder["rec"]
            self.take(rec)
            return Event("company-officers", rec[0], rec[1], rec[4] if with_data else None,
                         "deleted")
        seqs.append([(0.1, seen), (0.5, lambda: deleted(True)), (0.8, lambda: deleted(False))])

        def unseen():
            uri, aid, _d = self.officer_data(self.company())
            return Event("company-officers", uri, aid, None, "deleted")
        seqs.append([(0.6, unseen)])
        seqs.append([(0.3, lambda: Event(
            "company-officers-disqualification-flag", "/company/%s/appointments/%s/flags"
            % (self.company(), self.uid()), None, self.dumps({"flag": "R & D"})))])
        return seqs


# ------------------------------------------------------------------ PSCs

class PscGen(StreamGen):
    stream = "persons-with-significant-control"

    def __init__(self, plan):
        super().__init__(plan)
        self.active = Pool(self.rng, 30000)    # [uri, pid, kind_row, data, text]
        rng = random.Random("%d/oe" % plan.seed)
        self.oe = ["OE%06d" % rng.randint(1, 30000) for _ in range(max(5, len(plan.shown) // 50))]

    def psc_data(self, number, row, ceased="random", null_nature=False):
        _w, kind, seg, dkind = row
        pid = self.uid()
        uri = "/company/%s/persons-with-significant-control/%s/%s" % (number, seg, pid)
        d = {"etag": self.etag(), "kind": dkind, "links": {"self": uri}}
        if "super-secure" in seg:
            d["description"] = "super-secure-persons-with-significant-control"
            c = weighted(self.rng, [(4, None), (2, 0), (1, False)])[1] if ceased == "random" else ceased
            if c is not None:
                d["ceased"] = c
            return uri, pid, d
        bo = kind.endswith("beneficial-owner")
        d["address"] = self.address()
        d["notified_on"] = self.days_ago(0, 14)
        natures = self.rng.sample(BO_NATURES if bo else NATURES, self.randint(1, 3))
        if self.rng.random() < 0.01 or null_nature:
            natures.append(None)         # seen in the relay's schema: skipped
        d["natures_of_control"] = natures
        if "individual" in seg:
            s, f = self.person()
            title = pick(self.rng, TITLES)
            d["name"] = "%s %s %s" % (title, f, s.title())
            d["name_elements"] = {"forename": f, "surname": s.title(), "title": title}
            d["date_of_birth"] = {"month": self.randint(1, 12),
                                  "year": self.randint(1940, 2004)}
            d["nationality"] = pick(self.rng, NATIONALITIES)
            d["country_of_residence"] = pick(self.rng, COUNTRIES)
        else:
            d["name"] = (self.company_name().title() if "legal" not in seg
                         else "The Secretary Of State For %s" % pick(self.rng, ["Health",
                                                                                "Transport"]))
            d["identification"] = {"country_registered": "England And Wales",
                                   "legal_authority": "England", "legal_form": "Limited Company",
                                   "place_registered": "Companies House",
                                   "registration_number": pick(self.rng, self.plan.pool)}
        return uri, pid, d

    def notify(self, number=None, row=None, ceased="random", null_nature=False):
        if row is None:
            row = weighted(self.rng, PSC_KINDS)
        if number is None:
            number = pick(self.rng, self.oe) if row[1].endswith("beneficial-owner") else self.company()
        uri, pid, d = self.psc_data(number, row, ceased, null_nature)
        text = self.dumps(d)
        self.active.add([uri, pid, row, d, text])
        return Event(row[1], uri, pid, text)

    def cease(self, rec, ceased="random"):
        uri, pid, row, d, _t = rec
        if "super-secure" in row[2]:
            d["ceased"] = pick(self.rng, [1, True]) if ceased == "random" else ceased
        else:
            d["ceased_on"] = self.days_ago(0, 7)
        d["etag"] = self.etag()
        rec[4] = self.dumps(d)
        self.active.remove(uri)
        return Event(row[1], uri, pid, rec[4])

    def random_event(self):
        r = self.rng.random()
        if self.active and r < 0.2:
            return self.cease(self.active.choice())
        if self.active and r < 0.3:
            rec = self.active.choice()
            rec[3]["etag"] = self.etag()
            if "address" in rec[3]:
                rec[3]["address"] = self.address()
            rec[4] = self.dumps(rec[3])
            return Event(rec[2][1], rec[0], rec[1], rec[4])
        if self.active and r < 0.38:
            rec = self.active.choice()
            return Event(rec[2][1], rec[0], rec[1], rec[4])
        if self.active and r < 0.39:
            rec = self.active.remove(self.active.choice()[0])
            return Event(rec[2][1], rec[0], rec[1], rec[4] if self.rng.random() < 0.5 else None,
                         "deleted")
        return self.notify()

    def scenarios(self):
        p = self.plan
        rng = random.Random("%d/psc/scenarios" % p.seed)
        seqs = []
        for j, number in enumerate(p.people_companies):
            rows = [PSC_KINDS[0]]
            if j % 2:
                rows.append(PSC_KINDS[1] if j % 4 == 1 else PSC_KINDS[3])
            for k, row in enumerate(rows):
                holder = {}

                def notify(number=number, row=row, holder=holder):
                    ev = self.notify(number, row)
                    holder["rec"] = self.active.get(ev.uri)
                    return ev
                seq = [(rng.random() * 0.25, notify)]
                if k == len(rows) - 1 and j % 3 == 2:
                    seq.append((0.7 + rng.random() * 0.25, lambda h=holder: self.cease(h["rec"])
                                if h.get("rec") else self.random_event()))
                seqs.append(seq)
        for row in PSC_KINDS:        # every kind at least once
            seqs.append([(rng.random(), lambda row=row: self.notify(row=row))])
        seqs.append([(rng.random(), lambda: self.notify(row=PSC_KINDS[0], null_nature=True))])
        # Super-secure PSCs: `ceased` absent, 0 or false, then 1 or true.
        for before, after in ((None, True), (0, 1), (False, True), (None, None)):
            holder = {}

            def secure(before=before, holder=holder):
                ev = self.notify(row=PSC_KINDS[3], ceased=before)
                holder["rec"] = self.active.get(ev.uri)
                return ev
            seq = [(rng.random() * 0.4, secure)]
            if after is not None:
                seq.append((0.5 + rng.random() * 0.4, lambda h=holder, a=after: self.cease(h["rec"], a)))
            seqs.append(seq)
        holder = {}

        def seen():
            ev = self.notify(row=PSC_KINDS[0])
            holder["rec"] = self.active.get(ev.uri)
            return ev

        def deleted(with_data):
            rec = holder["rec"]
            return Event(rec[2][1], rec[0], rec[1], rec[4] if with_data else None, "deleted")
        seqs.append([(0.1, seen), (0.4, lambda: deleted(True)), (0.8, lambda: deleted(False))])

        def unseen():
            uri, pid, _d = self.psc_data(self.company(), PSC_KINDS[0])
            return Event(PSC_KINDS[0][1], uri, pid, None, "deleted")
        seqs.append([(0.6, unseen)])
        return seqs


# ------------------------------------------------------------------ the smaller streams

class SimpleResourceGen(StreamGen):
    """Resources that are created, changed, re-published and deleted."""
    p_change, p_repub, p_delete = 0.2, 0.1, 0.02

    def __init__(self, plan):
        super().__init__(plan)
        self.known = Pool(self.rng, 20000)     # [uri, rid, kind, data, text]

    def new(self):
        raise NotImplementedError

    def change(self, rec):
        rec[3]["etag"] = self.etag()
        return rec

    def remember(self, kind, uri, rid, d):
        rec = [uri, rid, kind, d, self.dumps(d)]
        self.known.add(rec)
        return Event(kind, uri, rid, rec[4])

    def random_event(self):
        r = self.rng.random()
        if self.known and r < self.p_change:
            rec = self.change(self.known.choice())
            rec[4] = self.dumps(rec[3])
            return Event(rec[2], rec[0], rec[1], rec[4])
        if self.known and r < self.p_change + self.p_repub:
            rec = self.known.choice()
            return Event(rec[2], rec[0], rec[1], rec[4])
        if self.known and r < self.p_change + self.p_repub + self.p_delete:
            rec = self.known.remove(self.known.choice()[0])
            return Event(rec[2], rec[0], rec[1], rec[4] if self.rng.random() < 0.5 else None,
                         "deleted")
        return self.new()

    def scenarios(self):
        holder = {}

        def seen():
            ev = self.new()
            holder["ev"] = ev
            return ev

        def again(with_data, etype):
            ev = holder["ev"]
            return Event(ev.kind, ev.uri, ev.rid, ev.data_text if with_data else None, etype)
        def unseen(with_data):
            ev = self.new()
            self.known.remove(ev.uri)    # made up, never sent as changed
            return Event(ev.kind, ev.uri, ev.rid, ev.data_text if with_data else None, "deleted")
        return [[(0.1, seen), (0.3, lambda: again(True, "changed")),
                 (0.5, lambda: again(True, "deleted")), (0.7, lambda: again(False, "deleted"))],
                [(0.2, lambda: unseen(False))], [(0.8, lambda: unseen(True))]]


class ChargesGen(SimpleResourceGen):
    stream = "charges"
    p_change, p_repub, p_delete = 0.0, 0.0, 0.01

    def new(self):
        number = self.company()
        cid = self.uid()
        uri = "/company/%s/charges/%s" % (number, cid)
        n = self.randint(1, 12)
        created = self.days_ago(1, 21)
        tx = base64.b64encode(("%010dadiqzkcx" % self.randint(3300000000, 3499999999))
                              .encode()).decode()
        d = {"charge_code": "%s%04d" % (number, n), "charge_number": n,
             "classification": {"description": "A registered charge", "type": "charge-description"},
             "created_on": created, "delivered_on": created, "etag": self.etag(),
             "links": {"self": uri},
             "particulars": {"contains_fixed_charge": True,
                             "contains_negative_pledge": self.rng.random() < 0.7,
                             "type": "brief-description"},
             "persons_entitled": [{"name": pick(self.rng, LENDERS)}
                                  for _ in range(self.randint(1, 2))],
             "status": "outstanding",
             "transactions": [{"delivered_on": created, "filing_type": "create-charge-with-deed",
                               "links": {"filing": "/company/%s/filing-history/%s" % (number, tx)}}]}
        if self.rng.random() < 0.4:
            d["particulars"]["description"] = ("Freehold property known as %d %s & land adjoining"
                                               % (self.randint(1, 99), pick(self.rng, STREETS)))
        if self.rng.random() < 0.3:
            d["particulars"]["contains_floating_charge"] = True
            d["particulars"]["floating_charge_covers_all"] = True
        return self.remember("company-charges", uri, cid, d)

    def satisfy(self, rec, part=False):
        d = rec[3]
        d["status"] = "part-satisfied" if part else "fully-satisfied"
        if not part:
            d["satisfied_on"] = self.days_ago(0, 3)
        d["transactions"].append({"delivered_on": self.days_ago(0, 3),
                                  "filing_type": "charge-satisfaction"})
        d["etag"] = self.etag()
        rec[4] = self.dumps(d)
        return Event(rec[2], rec[0], rec[1], rec[4])

    def random_event(self):
        r = self.rng.random()
        if self.known and r < 0.2:
            rec = self.known.remove(self.known.choice()[0])
            return self.satisfy(rec, part=self.rng.random() < 0.1)
        if self.known and r < 0.3:       # the same record again, as on consecutive timepoints
            rec = self.known.last()
            return Event(rec[2], rec[0], rec[1], rec[4])
        return super().random_event()

    def scenarios(self):
        seqs = super().scenarios()
        holder = {}

        def create():
            holder["ev"] = self.new()
            holder["rec"] = self.known.get(holder["ev"].uri)
            return holder["ev"]
        seqs.append([(0.15, create),
                     (0.16, lambda: Event(holder["ev"].kind, holder["ev"].uri, holder["ev"].rid,
                                          holder["ev"].data_text)),
                     (0.6, lambda: self.satisfy(holder["rec"]))])
        return seqs


class InsolvencyGen(SimpleResourceGen):
    stream = "insolvency-cases"

    def case(self, ctype, number, old=False):
        c = {"number": str(number), "type": ctype}
        dtypes = CASE_DATE_TYPES.get(ctype, [])
        if dtypes and self.rng.random() < 0.85:
            base = self.randint(1500, 6000) if old else self.randint(0, 20)
            c["dates"] = [{"date": self.days_ago(max(0, base - k * 3)), "type": t}
                          for k, t in enumerate(dtypes)]
        if self.rng.random() < 0.7:
            c["practitioners"] = [self.practitioner() for _ in range(self.randint(1, 2))]
        return c

    def practitioner(self):
        return {"address": self.address(extra=False), "appointed_on": self.days_ago(0, 10),
                "name": pick(self.rng, PRACTITIONERS), "role": "practitioner"}

    def data(self, number, cases):
        d = {"cases": cases, "etag": self.etag()}
        if self.rng.random() < 0.05:
            d["status"] = ["liquidation"]
        return d

    def new(self, number=None, ctype=None):
        if number is None:
            number = self.company(shown=0.8)
        ctype = ctype or weighted(self.rng, CASE_MIX)[1]
        d = self.data(number, [self.case(ctype, 1, old=self.rng.random() < 0.1)])
        return self.remember("company-insolvency", "/company/%s/insolvency" % number, number, d)

    def change(self, rec):
        cases = rec[3]["cases"]
        r = self.rng.random()
        last = cases[-1]
        if r < 0.25 and last["type"] in NEXT_CASE and len(cases) < 3:
            cases.append(self.case(NEXT_CASE[last["type"]], len(cases) + 1))
        elif r < 0.6:
            last.setdefault("practitioners", []).append(self.practitioner())
        else:
            dtypes = CASE_DATE_TYPES.get(last["type"], [])
            if dtypes:
                last["dates"] = [{"date": self.days_ago(k), "type": t} for k, t in enumerate(dtypes)]
        if self.rng.random() < 0.2:
            for c in cases:          # numbers re-sent as integers: the same cases
                c["number"] = int(c["number"])
        rec[3]["etag"] = self.etag()
        return rec

    def scenarios(self):
        seqs = super().scenarios()
        rng = random.Random("%d/insolvency/scenarios" % self.plan.seed)
        for number in self.plan.seq_companies["insolvency-growth"]:
            def one(number=number):
                d = self.data(number, [{"number": "1", "type": "in-administration"}])
                return self.remember("company-insolvency", "/company/%s/insolvency" % number,
                                     number, d)

            def grown(number=number, as_int=False):
                rec = self.known.get("/company/%s/insolvency" % number)
                if rec is None:
                    return self.random_event()
                d = rec[3]
                if len(d["cases"]) == 1:
                    d["cases"][0]["dates"] = [{"date": self.days_ago(2),
                                               "type": "administration-started-on"}]
                    d["cases"][0]["practitioners"] = [self.practitioner()]
                    d["cases"].append({"dates": [{"date": self.days_ago(0), "type": "wound-up-on"}],
                                       "number": "2", "type": "creditors-voluntary-liquidation"})
                elif as_int:
                    for c in d["cases"]:
                        c["number"] = int(c["number"])
                d["etag"] = self.etag()
                rec[4] = self.dumps(d)
                return Event(rec[2], rec[0], rec[1], rec[4])
            t0 = rng.random() * 0.4
            seqs.append([(t0, one), (t0 + 0.3, grown), (t0 + 0.5, lambda g=grown: g(as_int=True))])
        for ctype in sorted(CASE_DATE_TYPES):
            seqs.append([(rng.random(), lambda c=ctype: self.new(ctype=c))])
        return seqs


class StatementsGen(SimpleResourceGen):
    stream = "persons-with-significant-control-statements"

    def new(self):
        number = self.company()
        sid = self.uid()
        uri = "/company/%s/persons-with-significant-control-statements/%s" % (number, sid)
        self.serial += 1
        if self.serial <= len(STATEMENTS):       # each statement once first
            st = STATEMENTS[-self.serial]
        else:
            st = weighted(self.rng, [(60, STATEMENTS[0]), (15, STATEMENTS[1]), (10, STATEMENTS[2]),
                                     (10, STATEMENTS[3]), (5, STATEMENTS[4])])[1]
        d = {"etag": self.etag(), "kind": "persons-with-significant-control-statement",
             "links": {"self": uri}, "notified_on": self.days_ago(0, 14), "statement": st}
        if st == STATEMENTS[4]:
            s, f = self.person()
            d["linked_psc_name"] = "%s %s" % (f, s.title())
            d["links"]["person_with_significant_control"] = (
                "/company/%s/persons-with-significant-control/individual/%s" % (number, self.uid()))
        return self.remember("persons-with-significant-control-statement", uri, sid, d)

    def change(self, rec):
        rec[3]["ceased_on"] = self.days_ago(0, 5)
        rec[3]["etag"] = self.etag()
        return rec


class DisqualifiedGen(SimpleResourceGen):
    stream = "disqualified-officers"
    kind_needs_number = False
    p_change, p_repub, p_delete = 0.15, 0.15, 0.03

    def new(self):
        oid = self.uid()
        self.serial += 1
        natural = self.serial % 10 != 2          # the 2nd, 12th, ... are corporate
        kind = "natural" if natural else "corporate"
        uri = "/disqualified-officers/%s/%s" % (kind, oid)
        frm = self.days_ago(0, 30)
        until = (dt.date.fromisoformat(frm) + dt.timedelta(days=365 * self.randint(2, 15))).isoformat()
        disq = {"address": self.address(), "case_identifier": "INV%07d" % self.randint(1, 9999999),
                "company_names": [self.company_name() for _ in range(self.randint(1, 3))],
                "disqualification_type": pick(self.rng, ["undertaking", "order"]),
                "disqualified_from": frm, "disqualified_until": until,
                "reason": {"act": "company-directors-disqualification-act-1986",
                           "description_identifier": "order-or-undertaking-and-reporting-provisions",
                           "section": pick(self.rng, ["6", "7", "8"])}}
        disq["undertaken_on" if disq["disqualification_type"] == "undertaking" else "heard_on"] = \
            self.days_ago(20, 60)
        d = {"disqualifications": [disq], "etag": self.etag(), "links": {"self": uri}}
        if natural:
            s, f = self.person()
            d.update({"date_of_birth": "%d-%02d-%02d" % (self.randint(1945, 1995),
                                                         self.randint(1, 12),
                                                         self.randint(1, 28)),
                      "forename": f, "kind": "natural-disqualification",
                      "nationality": pick(self.rng, NATIONALITIES), "surname": s,
                      "title": pick(self.rng, TITLES)})
            if self.rng.random() < 0.5:
                d["other_forenames"] = pick(self.rng, FORENAMES)
        else:
            d.update({"company_number": pick(self.rng, self.plan.pool),
                      "kind": "corporate-disqualification", "name": self.company_name()})
        return self.remember("disqualified-officer-" + kind, uri, oid, d)

    def change(self, rec):
        old = rec[3]["disqualifications"][0]
        extra = dict(old, disqualified_from=self.days_ago(0, 5),
                     company_names=[self.company_name()])
        rec[3]["disqualifications"].append(extra)
        rec[3]["etag"] = self.etag()
        return rec


class ExemptionsGen(SimpleResourceGen):
    stream = "company-exemptions"
    p_change, p_repub, p_delete = 0.2, 0.2, 0.03

    def new(self):
        number = self.company()
        ex = {}
        for key in sorted(self.rng.sample(EXEMPTION_TYPES, self.randint(1, 2))):
            ex[key] = {"exemption_type": key.replace("_", "-"),
                       "items": [{"exempt_from": self.days_ago(0, 400)}]}
        d = {"etag": self.etag(), "exemptions": ex, "kind": "exemptions",
             "links": {"self": "/company/%s/exemptions" % number}}
        # As the service sends it: no leading slash.
        return self.remember("company-exemptions", "company/%s/exemptions" % number, number, d)

    def change(self, rec):
        for v in rec[3]["exemptions"].values():
            v["items"][-1]["exempt_to"] = self.days_ago(0, 3)
        rec[3]["etag"] = self.etag()
        return rec


GENERATORS = {
    "filings": FilingsGen, "officers": OfficersGen, "persons-with-significant-control": PscGen,
    "persons-with-significant-control-statements": StatementsGen, "charges": ChargesGen,
    "insolvency-cases": InsolvencyGen, "disqualified-officers": DisqualifiedGen,
    "company-exemptions": ExemptionsGen,
}


# ------------------------------------------------------------------ companies

class IntTimepoints:
    """gen_capture.py's output with numeric-string timepoints as integers
    (the fake server resumes only at integer timepoints)."""
    STRING_TP = re.compile(rb'"timepoint":"(\d+)"')

    def __init__(self, out):
        self.out = out
        self.lines = 0

    def write(self, line):
        if b'"timepoint":"' in line:
            line = self.STRING_TP.sub(rb'"timepoint":\1', line)
        self.lines += 1
        self.out.write(line)


def generate_companies(args, plan, out):
    ns = argparse.Namespace(seed=args.seed, events=plan.counts["companies"], companies=plan.ncomp,
                            start_timepoint=dict((s, t) for s, _, t in STREAMS)["companies"],
                            start_date=args.start.strftime("%Y-%m-%dT%H:%M:%S"), clean=args.clean,
                            flip_rate=None, no_status_rate=None)
    w = IntTimepoints(out)
    gen_capture.generate(ns, w)
    return w.lines


def generate_one(job):
    args, stream = job
    t0 = time.monotonic()
    plan = Plan(args)
    path = os.path.join(args.out_dir, stream + ".ndjson")
    with open(path + ".tmp", "wb", buffering=1 << 20) as out:
        if stream == "companies":
            lines = generate_companies(args, plan, out)
        else:
            lines = GENERATORS[stream](plan).run(out)
    os.rename(path + ".tmp", path)
    return stream, lines, time.monotonic() - t0


def parse_args(argv):
    p = argparse.ArgumentParser(description="Deterministic captures of every stream.",
                                epilog="See the module docstring for what each stream holds.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=float, default=1.0, help="length of the window (default 1)")
    p.add_argument("--scale", type=float, default=0.01,
                   help="multiplier of the real daily volumes (default 0.01; 1 = real)")
    p.add_argument("--start-date", default="2026-11-23T00:00:00",
                   help="start of the window, UTC (default 2026-11-23T00:00:00)")
    p.add_argument("--clean", action="store_true", help="no bad lines")
    p.add_argument("--streams", default="all", help="comma-separated streams (default all)")
    p.add_argument("--lines", action="append", default=[], metavar="STREAM=N",
                   help="this many lines for STREAM instead of its scaled volume (repeatable)")
    p.add_argument("--jobs", type=int, default=0, help="processes (default: CPUs); any value "
                   "gives the same bytes")
    p.add_argument("--out-dir", required=True, help="writes <stream>.ndjson there")
    a = p.parse_args(argv)
    if a.days <= 0 or a.scale < 0:
        p.error("--days must be > 0 and --scale >= 0")
    try:
        a.start = gen_capture.parse_start(a.start_date)
    except SystemExit as e:
        p.error(str(e))
    lines = {}
    for item in a.lines:
        name, _, n = item.partition("=")
        if name not in STREAM_NAMES or not n.isdigit():
            p.error("--lines wants STREAM=N with a known stream, got %r" % item)
        lines[name] = int(n)
    a.lines = lines
    a.stream_list = STREAM_NAMES if a.streams == "all" else a.streams.split(",")
    for s in a.stream_list:
        if s not in STREAM_NAMES:
            p.error("unknown stream %r (known: %s)" % (s, ", ".join(STREAM_NAMES)))
    return a


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.monotonic()
    jobs = [(args, s) for s in args.stream_list]
    # The companies stream (gen_capture.py) is the slowest: start it first.
    jobs.sort(key=lambda j: j[1] != "companies")
    n = args.jobs or os.cpu_count() or 1
    if n > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(min(n, len(jobs))) as pool:
            results = pool.map(generate_one, jobs, chunksize=1)
    else:
        results = [generate_one(j) for j in jobs]
    total = sum(r[1] for r in results)
    sys.stderr.write("gen_streams: %s; total=%d lines in %.1f s\n" % (
        " ".join("%s=%d(%.1fs)" % r for r in results), total, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
