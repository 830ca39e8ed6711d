#!/usr/bin/env python3
"""Generate a realistic, deterministic capture of the companies stream.

The output is what ch-fetch would have written: one company-profile event per
line in the real envelope (see /work/shared/PROTOCOL.md and the real sample
event), NDJSON, "\\n" terminated, UTF-8.  The same arguments always give the
same bytes (one random.Random seeded from --seed drives everything; no set or
dict iteration order, clock or environment is consulted).

Content, unless --clean:
  * status flows per company: active -> proposal to strike off -> dissolved
    (date_of_cessation appears), proposals discontinued, liquidation,
    administration, voluntary arrangement, receivership, restorations
    (petition-to-restore-dissolved), a few converted-closed details;
  * many re-publications: most change other fields (accounts, address,
    confirmation statement, name, etag), some are byte-identical apart
    from timepoint and published_at;
  * "deleted" events (full or minimal data, some for companies never seen),
    and later "changed" events for some deleted companies;
  * duplicates (single lines and reconnect-overlap blocks repeated
    byte for byte), out-of-order events (an older timepoint after newer
    ones), holes in the timepoints, non-monotonic published_at, published_at
    with fractions + "Z" or a "+01:00" offset now and then, numbers as
    strings or integers, a few numeric-string timepoints, awkward names,
    every company-number prefix, a few lower-case company numbers, events
    without data.company_number (resource_id or resource_uri must be used),
    a few status values written as a detail key or a human label;
  * about 1 % bad lines a parser must reject (each one byte-unique, never
    repeated): truncated JSON, filing-history events whose resource_uri
    lacks the company number, timepoint "abc",
    negative or fractional timepoints, invalid company numbers, event.type
    "updated", JSON that is not an object, and plain garbage.
--clean drops only the bad lines: duplicates and out-of-order events are
valid input and stay.

Usage: gen_capture.py [--seed 1] [--events 3000] [--companies N]
         [--start-timepoint 68805561] [--start-date 2023-11-04T06:00:00]
         [--clean] [--flip-rate P] [--no-status-rate P] [--out FILE]

--flip-rate and --no-status-rate make a capture churn more (the
differential tests of the write path use them); without them the output is
what it always was for the same arguments.

--events is the exact number of lines written.  Summary statistics go to
stderr; the "applied" figures come from a small model of the DESIGN.md
contract and should agree with tests/oracle.py (which is independent).
"""

import argparse
import calendar
import collections
import datetime as dt
import json
import sys
import random

# ----------------------------------------------------------------- vocabulary

WORDS = (
    "APEX NORTHERN SOUTHERN EASTERN WESTERN GREEN BLUE RED OAK ASH ELM CEDAR "
    "MAPLE WILLOW RIVER BRIDGE STONE IRON SILVER GOLDEN CROWN ROYAL PREMIER "
    "ALPHA OMEGA NOVA STELLAR SUMMIT HORIZON PINNACLE ANCHOR HARBOUR MERIDIAN "
    "PHOENIX FALCON EAGLE LION THISTLE ROSE CASTLE ABBEY MANOR PARK VALLEY "
    "HILL MEADOW ORCHARD COASTAL URBAN METRO CITY COUNTY UNITED ALLIED BRIGHT "
    "SWIFT CLEAR TRUE PRIME CORE FIRST SECOND NEXT NEW OLD GRAND"
).split()
TRADES = (
    "CONSULTING SOLUTIONS PROPERTY PROPERTIES HOLDINGS TRADING SERVICES "
    "ENGINEERING DIGITAL LOGISTICS CONSTRUCTION DEVELOPMENTS INVESTMENTS "
    "MEDIA DESIGN TECHNOLOGIES SYSTEMS CARE HEALTHCARE RECRUITMENT CLEANING "
    "ELECTRICAL PLUMBING ROOFING TRANSPORT HAULAGE CATERING FOODS BAKERY "
    "BUILDERS MOTORS AUTOS VENTURES CAPITAL MANAGEMENT LEISURE TRAVEL "
    "ESTATES LETTINGS INTERIORS LANDSCAPES ACCOUNTANCY ADVISORY TUTORS "
    "FITNESS BEAUTY RETAIL IMPORTS EXPORTS"
).split()
SURNAMES = (
    "SMITH JONES WILLIAMS TAYLOR BROWN DAVIES EVANS WILSON THOMAS JOHNSON "
    "ROBERTS ROBINSON THOMPSON WRIGHT WALKER WHITE EDWARDS HUGHES GREEN HALL "
    "PATEL KHAN SINGH AHMED ALI CAMPBELL STEWART MACDONALD MURPHY KELLY "
    "O'NEILL O'BRIEN MCCARTHY NOWAK KOWALSKI"
).split()
TOWNS = [
    ("London", "Greater London", "EC1V", "England"),
    ("Leeds", "West Yorkshire", "LS10", "England"),
    ("Manchester", "Greater Manchester", "M40", "England"),
    ("Birmingham", "West Midlands", "B3", "England"),
    ("Bristol", "", "BS30", "England"),
    ("Norwich", "Norfolk", "NR16", "England"),
    ("Sheffield", "South Yorkshire", "S35", "England"),
    ("Cardiff", "", "CF10", "Wales"),
    ("Swansea", "", "SA1", "Wales"),
    ("Glasgow", "", "G2", "Scotland"),
    ("Edinburgh", "", "EH1", "Scotland"),
    ("Aberdeen", "", "AB11", "Scotland"),
    ("Belfast", "County Antrim", "BT1", "Northern Ireland"),
    ("Londonderry", "", "BT48", "Northern Ireland"),
    ("Guildford", "Surrey", "GU1", "England"),
    ("Harrogate", "North Yorkshire", "HG1", "England"),
    ("Plymouth", "Devon", "PL4", "England"),
    ("Luton", "Bedfordshire", "LU4", "England"),
]
STREETS = (
    "High Street|Station Road|Church Lane|Victoria Road|Green Lane|Manor Road|"
    "Park Avenue|Mill Lane|Kings Road|Queens Road|Heath Road Industrial Estate|"
    "Old Street|Pepper Road|Shelton Street|Princes Square|Bridge Street|"
    "Southmill Road|Empress Avenue|Marmion Avenue|Polmuir Road"
).split("|")
BUILDINGS = ["Unit 3", "Suite 12", "The Studio", "Office 4", "Flat 2",
             "Metrohouse", "Elizabeth House", "Beaufort House", "Fane Court"]
SIC_CODES = [
    "45200", "47710", "62020", "62090", "68209", "70229", "78300", "82990",
    "99999", "41201", "41202", "43210", "43220", "49410", "56101", "56102",
    "58190", "59112", "63120", "74201", "85600", "86230", "86900", "90010",
    "90030", "96020", "98000", "18129", "33140", "47421", "64209", "73110",
    "01110", "02100", "08110",
]
ACCOUNT_TYPES = ["micro-entity", "total-exemption-full", "dormant", "small",
                 "unaudited-abridged", "full", "group", "null"]

# Awkward names that every capture with enough companies contains.
AWKWARD_NAMES = [
    '"1ST RATE" PSYCHOLOGY SERVICES LTD',
    "O'BRIEN & SONS (BUILDERS) LIMITED",
    "SMITH, JONES AND PARTNERS LLP",
    "BACK\\SLASH TRADING LTD",
    "CAFÉ ŁÓDŹ LTD",
    "MÜLLER & SØN HOLDINGS LIMITED",
    "ÆTHER DYNAMICS LTD",
    "🚀 ROCKET LAUNCH LTD",
    "HAPPY 😀 FACES LIMITED",
    "\"QUOTED\", 'MIXED' \\ NAME, LTD",
    "! LIMITED",
    "A/B <TESTING> & CO. LTD",
    "ZÜRICH RÜCKVERSICHERUNGS-GESELLSCHAFT AG",
    "KØBENHAVN ÅRHUS ApS",
    "ΑΛΦΑ ΒΗΤΑ LTD",
    "日本貿易 UK LIMITED",
    "CRÈME BRÛLÉE CAFÉ LTD",
    "THE \"\"DOUBLE\"\" QUOTES LTD",
]

STATUS_LABEL = "Active - Proposal to Strike off"
STRIKE_OFF = "active-proposal-to-strike-off"

# status -> (probability of a status change on an event,
#            [(weight, new_status, new_detail), ...])
TRANSITIONS = {
    ("active", None): (0.12, [
        (50, "active", STRIKE_OFF), (18, "liquidation", None),
        (10, "administration", None), (8, "voluntary-arrangement", None),
        (3, "receivership", None), (6, "dissolved", None),
        (1, "converted-closed", "converted-to-plc")]),
    ("active", STRIKE_OFF): (0.45, [
        (60, "dissolved", None), (40, "active", None)]),
    ("liquidation", None): (0.25, [
        (85, "dissolved", None), (5, "active", None),
        (10, "administration", None)]),
    ("administration", None): (0.3, [
        (50, "liquidation", None), (20, "dissolved", None),
        (20, "active", None), (10, "voluntary-arrangement", None)]),
    ("voluntary-arrangement", None): (0.25, [
        (50, "active", None), (40, "liquidation", None),
        (10, "dissolved", None)]),
    ("receivership", None): (0.3, [
        (40, "active", None), (60, "liquidation", None)]),
    ("dissolved", None): (0.08, [
        (60, "dissolved", "petition-to-restore-dissolved"),
        (40, "active", None)]),
    ("dissolved", "petition-to-restore-dissolved"): (0.4, [
        (70, "active", None), (30, "dissolved", None)]),
    ("insolvency-proceedings", None): (0.2, [
        (70, "liquidation", None), (30, "dissolved", None)]),
    ("open", None): (0.05, [(100, "closed", None)]),
    ("closed", None): (0.05, [(100, "open", None)]),
}

INITIAL = [
    (780, "active", None), (90, "active", STRIKE_OFF),
    (40, "liquidation", None), (20, "administration", None),
    (10, "voluntary-arrangement", None), (5, "receivership", None),
    (40, "dissolved", None), (5, "dissolved", "petition-to-restore-dissolved"),
    (3, "dissolved", "transferred-from-uk"),
    (3, "converted-closed", "converted-to-plc"),
    (2, "converted-closed", "converted-to-uk-societas"),
    (2, "converted-closed", "converted-to-ukeig"),
    (2, "converted-closed", "transformed-to-se"),
    (2, "insolvency-proceedings", None), (1, "removed", None),
    (1, "registered", None),
]

# Company-number prefixes: (weight, prefix, type, jurisdiction)
PREFIXES = [
    (800, "", None, "england-wales"),
    (70, "SC", "ltd", "scotland"),
    (30, "NI", "ltd", "northern-ireland"),
    (40, "OC", "llp", "england-wales"),
    (10, "SO", "llp", "scotland"),
    (15, "FC", "oversea-company", "england-wales"),
    (10, "LP", "limited-partnership", "england-wales"),
    (5, "SL", "limited-partnership", "scotland"),
    (10, "CE", "charitable-incorporated-organisation", "england-wales"),
    (5, "RC", "royal-charter", "england-wales"),
    (5, "IP", "industrial-and-provident-society", "england-wales"),
]


def weighted(rng, table):
    """Pick one row of [(weight, ...), ...]; returns the row without weight."""
    total = sum(row[0] for row in table)
    x = rng.random() * total
    for row in table:
        x -= row[0]
        if x < 0:
            return row[1:]
    return table[-1][1:]


def add_months(d, months):
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def ard_date(year, month, day):
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------ companies

class Company:
    """The true current state of one company, as the register holds it."""

    def __init__(self, rng, number, prefix_type, jurisdiction, name, now):
        self.number = number
        self.name = name
        self.jurisdiction = jurisdiction
        if prefix_type:
            self.type = prefix_type
        else:
            self.type = weighted(rng, [(85, "ltd"), (8, "private-limited-guarant-nsc"),
                                       (4, "plc"), (3, "private-unlimited")])[0]
        if self.type == "oversea-company":
            self.status, self.detail = weighted(
                rng, [(80, "active", None), (10, "open", None), (10, "closed", None)])
        else:
            self.status, self.detail = weighted(rng, INITIAL)
        age_days = int(rng.expovariate(1 / 2500.0)) + 30
        self.created = now.date() - dt.timedelta(days=min(age_days, 25000))
        self.cessation = None
        if self.status in ("dissolved", "converted-closed", "closed", "removed"):
            self.cessation = now.date() - dt.timedelta(days=rng.randint(1, 400))
            if self.cessation <= self.created:
                self.cessation = self.created + dt.timedelta(days=1)
        self.ard_month = rng.randint(1, 12)
        self.ard_day = calendar.monthrange(2001, self.ard_month)[1] if rng.random() < 0.8 \
            else rng.randint(1, 28)
        # Year of the last accounts made up; None = no accounts filed yet.
        last = ard_date(now.year, self.ard_month, self.ard_day)
        while last > now.date() - dt.timedelta(days=60):
            last = ard_date(last.year - 1, self.ard_month, self.ard_day)
        self.acc_year = last.year if last > self.created + dt.timedelta(days=365) else None
        self.acc_type = rng.choice(ACCOUNT_TYPES[:-1])
        self.conf_last = now.date() - dt.timedelta(days=rng.randint(10, 360))
        if self.conf_last < self.created:
            self.conf_last = None
        town = rng.choice(TOWNS)
        if jurisdiction == "scotland":
            town = rng.choice([t for t in TOWNS if t[3] == "Scotland"])
        elif jurisdiction == "northern-ireland":
            town = rng.choice([t for t in TOWNS if t[3] == "Northern Ireland"])
        self.address = self.make_address(rng, town)
        self.sic_codes = sorted(rng.sample(SIC_CODES, weighted(
            rng, [(70, 1), (18, 2), (8, 3), (4, 4)])[0]))
        self.has_charges = rng.random() < 0.25
        self.insolvency = self.status in ("liquidation", "administration",
                                          "receivership", "voluntary-arrangement",
                                          "insolvency-proceedings")
        self.previous_names = []
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                self.previous_names.append(self.old_name(rng))
        self.members_list = (self.created + dt.timedelta(days=rng.randint(300, 3000))
                             if rng.random() < 0.3 else None)
        self.etag = "%040x" % rng.getrandbits(160)
        self.ard_as_int = rng.random() < 0.2
        self.deleted = False        # last event about it was "deleted"

    @staticmethod
    def make_address(rng, town):
        locality, region, outward, country = town
        addr = {}
        if rng.random() < 0.05:
            addr["care_of"] = "C/O " + rng.choice(SURNAMES).title() + " Accountants"
        line1 = "%d %s" % (rng.randint(1, 250), rng.choice(STREETS))
        if rng.random() < 0.3:
            addr["premises"] = rng.choice(BUILDINGS)
        addr["address_line_1"] = line1
        if rng.random() < 0.5:
            addr["address_line_2"] = rng.choice(["Banham", "Hunslet", "Hatherlow",
                                                 "Little London", "Shaw", "Elstree Way",
                                                 "Second Floor", "Unit 10"])
        if rng.random() < 0.7:
            addr["country"] = rng.choice([country, "United Kingdom"])
        addr["locality"] = locality
        if rng.random() < 0.03:
            addr["po_box"] = "PO Box %d" % rng.randint(10, 9999)
        addr["postal_code"] = "%s %d%s%s" % (outward, rng.randint(1, 9),
                                             rng.choice("ABDEFGHJLNPQRSTUWXYZ"),
                                             rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
        if region:
            addr["region"] = region
        return addr

    def old_name(self, rng):
        return {"ceased_on": (self.created + dt.timedelta(days=rng.randint(30, 900))).isoformat(),
                "effective_from": self.created.isoformat(),
                "name": "%s %s LIMITED" % (rng.choice(WORDS), rng.choice(TRADES))}

    # ---- mutations

    def set_status(self, rng, status, detail, today):
        was = self.status
        self.status, self.detail = status, detail
        if status == "dissolved" and was != "dissolved":
            self.cessation = today
        elif status in ("active", "liquidation", "administration",
                        "voluntary-arrangement", "receivership"):
            self.cessation = None
        if status in ("liquidation", "administration", "receivership",
                      "voluntary-arrangement", "insolvency-proceedings"):
            self.insolvency = True
        if status == "converted-closed" and self.cessation is None:
            self.cessation = today
        self.etag = "%040x" % rng.getrandbits(160)

    def mutate_other(self, rng, today):
        """A re-publication that changes something other than the status.
        Returns the list of changed field paths."""
        what = weighted(rng, [(30, "accounts"), (25, "confirmation"), (15, "address"),
                              (8, "sic"), (5, "name"), (7, "charges"), (10, "etag")])[0]
        changed = []
        if what == "accounts":
            self.acc_year = (self.acc_year or self.created.year) + 1
            self.acc_type = rng.choice(ACCOUNT_TYPES[:-1])
            changed = ["accounts.last_accounts.made_up_to", "accounts.next_due",
                       "accounts.next_made_up_to", "accounts.next_accounts.due_on"]
        elif what == "confirmation":
            self.conf_last = today - dt.timedelta(days=rng.randint(0, 20))
            changed = ["confirmation_statement.last_made_up_to",
                       "confirmation_statement.next_due"]
        elif what == "address":
            town = rng.choice(TOWNS)
            self.address = self.make_address(rng, town)
            changed = ["registered_office_address.address_line_1",
                       "registered_office_address.postal_code"]
        elif what == "sic":
            self.sic_codes = sorted(rng.sample(SIC_CODES, rng.randint(1, 3)))
            changed = ["sic_codes"]
        elif what == "name":
            self.previous_names.insert(0, {"ceased_on": today.isoformat(),
                                           "effective_from": self.created.isoformat(),
                                           "name": self.name})
            self.name = make_name(rng, self.type)
            changed = ["company_name", "previous_company_names"]
        elif what == "charges":
            self.has_charges = not self.has_charges
            changed = ["has_charges", "links.charges"]
        self.etag = "%040x" % rng.getrandbits(160)
        return changed + ["etag"]

    # ---- rendering

    def profile(self, rng, today, variant=None):
        """The data object of a company-profile event, in the API's key order."""
        d = {}
        acc = {}
        day, month = self.ard_day, self.ard_month
        if self.ard_as_int:
            acc["accounting_reference_date"] = {"day": day, "month": month}
        else:
            acc["accounting_reference_date"] = {"day": "%d" % day, "month": "%02d" % month}
        if self.acc_year is not None:
            made = ard_date(self.acc_year, month, day)
            acc["last_accounts"] = {
                "made_up_to": made.isoformat(),
                "period_end_on": made.isoformat(),
                "period_start_on": (add_months(made, -12) + dt.timedelta(days=1)).isoformat(),
                "type": self.acc_type,
            }
            nxt = ard_date(self.acc_year + 1, month, day)
        else:
            nxt = ard_date(self.created.year + 1, month, day)
            if nxt < self.created + dt.timedelta(days=180):
                nxt = ard_date(nxt.year + 1, month, day)
        due = add_months(nxt, 9)
        acc["next_accounts"] = {
            "due_on": due.isoformat(),
            "overdue": due < today,
            "period_end_on": nxt.isoformat(),
            "period_start_on": (add_months(nxt, -12) + dt.timedelta(days=1)).isoformat(),
        }
        acc["next_due"] = due.isoformat()
        acc["next_made_up_to"] = nxt.isoformat()
        acc["overdue"] = due < today
        d["accounts"] = acc
        d["can_file"] = self.status not in ("dissolved", "converted-closed", "closed",
                                            "removed")
        d["company_name"] = self.name
        d["company_number"] = self.number
        status, detail = self.status, self.detail
        if variant == "status-key":            # detail key in company_status
            status, detail = STRIKE_OFF, None
        elif variant == "status-label":        # human label in company_status
            status, detail = STATUS_LABEL, None
        elif variant == "detail-label":        # human label in the detail
            detail = STATUS_LABEL
        elif variant == "status-upper":
            status = status.upper()
        if variant not in ("no-status", "detail-only"):
            d["company_status"] = status
        if detail is not None and variant != "no-status":
            d["company_status_detail"] = detail
        if self.conf_last is not None:
            nd = self.conf_last + dt.timedelta(days=365)
            d["confirmation_statement"] = {
                "last_made_up_to": self.conf_last.isoformat(),
                "next_due": (nd + dt.timedelta(days=14)).isoformat(),
                "next_made_up_to": nd.isoformat(),
                "overdue": nd + dt.timedelta(days=14) < today,
            }
        if self.cessation is not None:
            d["date_of_cessation"] = self.cessation.isoformat()
        d["date_of_creation"] = self.created.isoformat()
        d["etag"] = self.etag
        d["has_charges"] = self.has_charges
        d["has_insolvency_history"] = self.insolvency
        d["has_super_secure_pscs"] = False
        d["jurisdiction"] = self.jurisdiction
        if self.members_list is not None:
            d["last_full_members_list_date"] = self.members_list.isoformat()
        base = "/company/" + self.number
        links = {}
        if self.has_charges:
            links["charges"] = base + "/charges"
        links["filing_history"] = base + "/filing-history"
        if self.insolvency:
            links["insolvency"] = base + "/insolvency"
        links["officers"] = base + "/officers"
        links["persons_with_significant_control"] = base + "/persons-with-significant-control"
        links["self"] = base
        d["links"] = links
        if self.previous_names:
            d["previous_company_names"] = self.previous_names
        d["registered_office_address"] = self.address
        d["registered_office_is_in_dispute"] = False
        if self.type not in ("oversea-company",):
            d["sic_codes"] = self.sic_codes
        d["type"] = self.type
        d["undeliverable_registered_office_address"] = False
        return d


def make_name(rng, ctype):
    kind = rng.random()
    if kind < 0.35:
        core = "%s %s" % (rng.choice(WORDS), rng.choice(TRADES))
    elif kind < 0.6:
        core = "%s %s %s" % (rng.choice(SURNAMES), rng.choice(WORDS), rng.choice(TRADES))
    elif kind < 0.8:
        core = "%s & %s %s" % (rng.choice(SURNAMES), rng.choice(SURNAMES), rng.choice(TRADES))
    elif kind < 0.9:
        core = "%s (%s) %s" % (rng.choice(WORDS), rng.choice(TOWNS)[0].upper(),
                               rng.choice(TRADES))
    else:
        core = "%s%d %s" % (rng.choice(WORDS), rng.randint(1, 999), rng.choice(TRADES))
    suffix = {
        "ltd": rng.choice(["LTD", "LIMITED", "LIMITED", "LTD."]),
        "private-limited-guarant-nsc": rng.choice(["LIMITED", "MANAGEMENT COMPANY LIMITED",
                                                   "RESIDENTS ASSOCIATION LIMITED"]),
        "plc": "PLC",
        "private-unlimited": "UNLIMITED",
        "llp": "LLP",
        "limited-partnership": rng.choice(["LP", "LIMITED PARTNERSHIP"]),
        "oversea-company": rng.choice(["GMBH", "INC.", "S.A.", "B.V.", "LLC", "PTE. LTD."]),
        "charitable-incorporated-organisation": rng.choice(["TRUST", "FOUNDATION", "CIO"]),
        "royal-charter": "INSTITUTE",
        "industrial-and-provident-society": "CO-OPERATIVE SOCIETY LIMITED",
    }.get(ctype, "LIMITED")
    return core + " " + suffix


def long_name(rng):
    words = []
    while len(" ".join(words)) < 480:
        words.append(rng.choice(WORDS + TRADES + SURNAMES))
    return "THE " + " ".join(words) + " (INTERNATIONAL) LIMITED"


def make_numbers(rng, count):
    """count distinct company numbers with their prefix metadata."""
    out, seen = [], set()
    while len(out) < count:
        prefix, ctype, juris = weighted(rng, PREFIXES)
        if prefix:
            number = "%s%06d" % (prefix, rng.randint(1, 999999))
        else:
            r = rng.random()
            if r < 0.5:
                n = rng.randint(10000000, 15999999)
            elif r < 0.85:
                n = rng.randint(1000000, 9999999)      # one leading zero
            else:
                n = rng.randint(1, 999999)             # two or more leading zeros
            number = "%08d" % n
        if number in seen:
            continue
        seen.add(number)
        out.append((number, ctype, juris))
    return out


# ------------------------------------------------------------------- emitting

def fmt_published(rng, t):
    """published_at as the companies stream writes it; now and then with a
    fraction and Z, or as UK summer local time with an offset (same instant)."""
    r = rng.random()
    if r < 0.012:
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % rng.randint(0, 999999)
    if r < 0.024:
        return (t + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + "+01:00"
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def envelope(number_for_uri, data, tp, published, etype, fields_changed=None,
             drop=None):
    ev = {}
    if fields_changed:
        ev["fields_changed"] = fields_changed
    ev["timepoint"] = tp
    ev["published_at"] = published
    ev["type"] = etype
    obj = {"resource_kind": "company-profile"}
    if drop == "resource_id":
        obj["resource_uri"] = "company/" + number_for_uri   # no leading slash
    else:
        obj["resource_uri"] = "/company/" + number_for_uri
        obj["resource_id"] = number_for_uri
    obj["data"] = data
    obj["event"] = ev
    return obj


def dumps(rng, obj):
    # Mostly raw UTF-8 like the service; sometimes \\u escapes (surrogate
    # pairs for emoji) so parsers see both spellings.
    return json.dumps(obj, ensure_ascii=rng.random() < 0.1, separators=(",", ":"))


class Model:
    """The DESIGN.md contract applied to what is written, for the stats."""

    def __init__(self):
        self.checkpoint = None
        self.pairs = {}          # company -> (status, detail) as stored
        self.rows = set()
        self.status_changes = 0
        self.applied = 0
        self.dropped = 0

    def feed(self, meta):
        tp, number, etype, pair = meta
        if self.checkpoint is not None and tp <= self.checkpoint:
            self.dropped += 1
            return
        self.checkpoint = tp
        self.applied += 1
        self.rows.add(number)
        if etype == "changed" and pair is not None:
            if self.pairs.get(number, (None, None)) != pair:
                self.status_changes += 1
            self.pairs[number] = pair


def generate(args, out):
    rng = random.Random(args.seed)
    total = args.events
    ncomp = args.companies if args.companies is not None else max(1, total // 4)
    start = parse_start(args.start_date)

    numbers = make_numbers(rng, ncomp)
    companies = []
    for i, (number, ctype, juris) in enumerate(numbers):
        if i < len(AWKWARD_NAMES) and ncomp >= 40:
            name = AWKWARD_NAMES[i]
        elif i - len(AWKWARD_NAMES) < 3 and ncomp >= 40:
            name = long_name(rng)
        else:
            name = None
        c = Company(rng, number, ctype, juris, name or "", start)
        if not name:
            c.name = make_name(rng, c.type)
            if rng.random() < 0.01:
                c.name = rng.choice(['"THE" ', "O'", "CAFÉ ", "A\\B ", "ŁÓDŹ ",
                                     "🚀 ", "SMITH, "]) + c.name
        companies.append(c)
    unseen = list(range(ncomp))
    rng.shuffle(unseen)
    hot = set(rng.sample(range(ncomp), max(1, ncomp // 10)))
    seen_all, seen_hot = [], []
    dead = set()            # deleted and not expected to come back

    stats = collections.Counter()
    model = Model()
    written = 0
    tp = args.start_timepoint
    t = start
    recent = collections.deque(maxlen=100)    # (line, meta) of good lines
    delayed = []                              # [due_after_n_good, line, meta]
    good_ratio = 0.985 if args.clean else 0.94

    def write(line, meta=None):
        nonlocal written
        out.write(line.encode("utf-8") + b"\n")
        written += 1
        if meta is not None:
            model.feed(meta)

    def pick_company():
        remaining_good = max(1.0, (total - written) * good_ratio)
        if unseen and (not seen_all or rng.random() < len(unseen) / remaining_good):
            return unseen.pop(), True
        for _ in range(8):
            pool = seen_hot if seen_hot and rng.random() < 0.45 else seen_all
            i = rng.choice(pool)
            if i not in dead:
                return i, False
        return rng.choice(seen_all), False

    first_tp = [True]

    def next_tp():
        nonlocal tp
        if first_tp[0]:          # the first event has --start-timepoint
            first_tp[0] = False
            return tp
        r = rng.random()
        if r < 0.03:
            tp += rng.randint(2, 40)
        elif r < 0.035:
            tp += rng.randint(100, 5000)
        else:
            tp += 1
        return tp

    def next_time():
        nonlocal t
        t += dt.timedelta(seconds=int(rng.expovariate(1 / 1.3)))
        if rng.random() < 0.03:         # an earlier published_at than before
            return t - dt.timedelta(seconds=rng.randint(1, 300))
        return t

    def good_event():
        i, first = pick_company()
        c = companies[i]
        if first:
            seen_all.append(i)
            if i in hot:
                seen_hot.append(i)
        when = next_time()
        today = when.date()
        published = fmt_published(rng, when)
        number = c.number
        etype = "changed"
        fields_changed = None
        variant = None
        drop = None
        r = rng.random()
        if (first and rng.random() < 0.02) or (not first and r < 0.015):
            etype = "deleted"
            stats["deleted"] += 1
            if first:
                stats["deleted_unknown"] += 1
            if rng.random() < 0.65:
                dead.add(i)
            if rng.random() < 0.5:
                data = {"company_number": number}
                stats["deleted_minimal"] += 1
            else:
                data = c.profile(rng, today)
            pair = None
        else:
            if c.deleted:
                stats["changed_after_deleted"] += 1
            if not first:
                p, table = TRANSITIONS.get((c.status, c.detail), (0.0, []))
                if args.flip_rate is not None and table:
                    p = args.flip_rate
                r2 = rng.random()
                if table and r2 < p:
                    status, detail = weighted(rng, table)
                    c.set_status(rng, status, detail, today)
                    fields_changed = ["company_status", "company_status_detail", "etag"]
                    if status == "dissolved":
                        fields_changed.append("date_of_cessation")
                elif r2 < p + 0.1:
                    stats["identical_republication"] += 1
                else:
                    fields_changed = c.mutate_other(rng, today)
            v = rng.random()
            if c.detail == STRIKE_OFF and v < 0.06:
                variant = rng.choice(["status-key", "status-label", "detail-label"])
            elif (c.detail is None and v < 0.004
                  and model.pairs.get(number, (None, None))[1] is None):
                # Only where the stored detail is none too: whether an absent
                # status also keeps the stored detail is not this file's call.
                variant = "no-status"
            elif v < 0.008:
                variant = "status-upper"
            # Only with --no-status-rate (no extra draws otherwise, so that
            # the default output stays as it was): events without a status,
            # half of them keeping the detail (the stored pair stays as it is).
            if args.no_status_rate is not None and rng.random() < args.no_status_rate:
                variant = "detail-only" if rng.random() < 0.5 and c.detail else "no-status"
            if variant:
                stats["variant_" + variant] += 1
            data = c.profile(rng, today, variant)
            if variant in ("no-status", "detail-only"):
                pair = None
            else:
                pair = (c.status, c.detail)
            if rng.random() < 0.004 and any(ch.isalpha() for ch in number):
                data["company_number"] = number.lower()
                stats["lowercase_number"] += 1
            w = rng.random()
            if w < 0.003:
                del data["company_number"]
                stats["number_from_resource_id"] += 1
            elif w < 0.005:
                del data["company_number"]
                drop = "resource_id"
                stats["number_from_resource_uri"] += 1
            if fields_changed and rng.random() < 0.75:
                fields_changed = None    # most events carry no fields_changed
        c.deleted = etype == "deleted"
        if not c.deleted:
            dead.discard(i)
        ev_tp = next_tp()
        obj = envelope(number, data, ev_tp, published, etype, fields_changed, drop)
        if rng.random() < 0.003:
            obj["event"]["timepoint"] = str(ev_tp)     # numeric string
            stats["string_timepoint"] += 1
        return dumps(rng, obj), (ev_tp, number, etype, pair)

    def bad_line():
        kind = weighted(rng, [(18, "truncated"), (14, "filing-history"), (10, "tp-abc"),
                              (10, "tp-negative"), (5, "tp-fraction"),
                              (14, "bad-number"), (12, "type-updated"),
                              (5, "not-object"), (12, "garbage")])[0]
        stats["bad_" + kind] += 1
        near = tp + rng.randint(1, 4)     # plausible; may exceed the next good one
        c = companies[rng.choice(seen_all)] if seen_all else companies[0]
        when = t.strftime("%Y-%m-%dT%H:%M:%S")
        if kind == "filing-history":
            tx = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                         for _ in range(24))
            # A filing is a resource record, not a reject, unless (as here)
            # its URI lacks the company number.
            obj = {"resource_kind": "filing-history",
                   "resource_uri": "/filing-history/%s" % tx,
                   "resource_id": tx,
                   "data": {"barcode": "X%07X" % rng.getrandbits(28), "category": "accounts",
                            "date": t.date().isoformat(),
                            "description": "accounts-with-accounts-type-dormant",
                            "links": {"self": "/company/%s/filing-history/%s" % (c.number, tx)},
                            "pages": rng.randint(1, 9), "transaction_id": tx, "type": "AA"},
                   "event": {"fields_changed": ["links.document_metadata"],
                             "timepoint": near, "published_at": when, "type": "changed"}}
            return dumps(rng, obj)
        if kind == "garbage":
            return rng.choice([
                "<html><body><h1>502 Bad Gateway</h1></body></html> <!-- %s -->",
                "HTTP/1.1 200 OK req=%s",
                "}{ not json %s",
                "\x1b[0m%s\tgarbage",
                "{\"resource_kind\":\"company-profile\" %s",
            ]) % ("%016x" % rng.getrandbits(64))
        if kind == "not-object":
            return json.dumps(["company-profile", near, "%08x" % rng.getrandbits(32)])
        data = c.profile(rng, t.date())
        number = c.number
        ev_tp = near
        etype = "changed"
        if kind == "tp-abc":
            ev_tp = "abc"
        elif kind == "tp-negative":
            ev_tp = -near
        elif kind == "tp-fraction":
            ev_tp = near + 0.5
        elif kind == "type-updated":
            etype = "updated"
        elif kind == "bad-number":
            number = rng.choice(["12-34/56", "12 34 56", "ABCDEFGHIJKL", "ÅB123456",
                                 "SC/12345"])
            data["company_number"] = number
        obj = envelope(number, data, ev_tp, when, etype)
        obj["data"]["etag"] = "%040x" % rng.getrandbits(160)   # byte-unique line
        line = dumps(rng, obj)
        if kind == "truncated":
            while True:
                cut = rng.randint(len(line) // 5, len(line) - 2)
                try:
                    json.loads(line[:cut])
                except ValueError:
                    return line[:cut]
        return line

    n_good = 0
    while written < total:
        remaining = total - written
        # Release out-of-order events that are due (or must be, near the end).
        due = [d for d in delayed if d[0] <= n_good]
        if remaining <= len(delayed):
            due = list(delayed)
        if due:
            for d in due:
                delayed.remove(d)
                if written < total:
                    write(d[1], d[2])
                    recent.append((d[1], d[2]))
            continue
        r = rng.random()
        if not args.clean and r < 0.01 and remaining > len(delayed) + 1:
            write(bad_line())
            stats["bad"] += 1
            continue
        if recent and r < 0.03 and remaining > len(delayed) + 1:
            line, meta = rng.choice(list(recent)[-50:])
            write(line, meta)
            stats["duplicate_lines"] += 1
            continue
        if len(recent) >= 20 and r < 0.033 and remaining > len(delayed) + 20:
            k = rng.randint(2, 20)            # reconnect overlap: a block again
            block = list(recent)[-k:]
            for line, meta in block:
                write(line, meta)
            stats["duplicate_lines"] += k
            stats["overlap_blocks"] += 1
            continue
        line, meta = good_event()
        n_good += 1
        stats["unique_events"] += 1
        if rng.random() < 0.01 and remaining > len(delayed) + 8:
            delayed.append([n_good + rng.randint(1, 5), line, meta])
            stats["out_of_order"] += 1
            continue
        write(line, meta)
        recent.append((line, meta))

    stats["lines"] = written
    stats["companies_in_pool"] = ncomp
    stats["companies_seen"] = len(seen_all)
    return stats, model


def parse_start(s):
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise SystemExit("gen_capture.py: --start-date: want YYYY-MM-DD[THH:MM:SS], got %r" % s)


def main(argv=None):
    p = argparse.ArgumentParser(description="Generate a deterministic companies-stream capture.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--events", type=int, default=3000, help="exact number of lines")
    p.add_argument("--companies", type=int, default=None, help="company pool (default events/4)")
    p.add_argument("--start-timepoint", type=int, default=68805561)
    p.add_argument("--start-date", default="2023-11-04T06:00:00",
                   help="published_at of the first event (UTC)")
    p.add_argument("--clean", action="store_true", help="no bad lines (benchmarks)")
    p.add_argument("--flip-rate", type=float, default=None,
                   help="probability that an event of a known company changes its status "
                        "(default: per status, about 0.05-0.45)")
    p.add_argument("--no-status-rate", type=float, default=None,
                   help="probability of an event without company_status, half of them "
                        "keeping company_status_detail (default: a few in a thousand, "
                        "without the detail)")
    p.add_argument("--out", default="-", help="output file (default stdout)")
    args = p.parse_args(argv)
    if args.events < 0 or (args.companies is not None and args.companies < 1):
        p.error("--events must be >= 0 and --companies >= 1")
    if args.out == "-":
        out = sys.stdout.buffer
        stats, model = generate(args, out)
        out.flush()
    else:
        with open(args.out, "wb") as out:
            stats, model = generate(args, out)
    report = ["lines=%d" % stats["lines"],
              "unique_events=%d" % stats["unique_events"],
              "companies_seen=%d" % stats["companies_seen"],
              "duplicate_lines=%d (overlap_blocks=%d)" % (stats["duplicate_lines"],
                                                         stats["overlap_blocks"]),
              "out_of_order=%d" % stats["out_of_order"],
              "bad_lines=%d" % stats["bad"],
              "deleted=%d (unknown=%d minimal=%d)" % (stats["deleted"], stats["deleted_unknown"],
                                                      stats["deleted_minimal"]),
              "applied=%d dropped_by_dedupe=%d" % (model.applied, model.dropped),
              "companies_rows=%d status_changes=%d checkpoint=%s" % (
                  len(model.rows), model.status_changes, model.checkpoint)]
    sys.stderr.write("gen_capture: " + " ".join(report) + "\n")
    detail = sorted((k, v) for k, v in stats.items()
                    if k.startswith(("bad_", "variant_")) or k in (
                        "identical_republication", "string_timepoint", "lowercase_number",
                        "number_from_resource_id", "number_from_resource_uri",
                        "changed_after_deleted"))
    if detail:
        sys.stderr.write("gen_capture: " + " ".join("%s=%d" % kv for kv in detail) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
