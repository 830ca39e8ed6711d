#!/usr/bin/env python3
"""Generate a synthetic Companies House bulk snapshot ("BasicCompanyData").

The layout is the real one (see /work/shared/samples/basic-company-data-
sample.csv and PROTOCOL.md): the original unquoted 55-column header with its
leading spaces, every data field double-quoted (inner quotes doubled), dates
dd/mm/yyyy, upper-case text, rows sorted by company name.  Values are
synthetic but shaped like the register: about 7 % "Active - Proposal to
Strike off", some liquidations, administrations, voluntary arrangements,
receiverships, dissolved rows, the odd rarer status text from PROTOCOL.md's
mapping table, every CompanyCategory text PROTOCOL.md maps plus two real
ones it does not ("Community Interest Company", "PRIV LTD SECT. 30 ..."),
SIC texts and "None Supplied", previous names, names with quotes, commas
and apostrophes.  Deterministic: the same arguments give the same bytes.

Usage: gen_bulk_csv.py [--rows 300000] [--seed 1] [--out FILE]
         [--crlf] [--snapshot-date 2025-08-01]
         [--company-numbers-from FILE]

--company-numbers-from FILE puts those companies first into the snapshot
(so a test can overlap it with a stream capture): FILE is either a capture
(NDJSON company-profile events: data.company_number, else resource_id; the
last company_name seen is used, upper-cased) or plain text, one company
number per line.  Numbers are trimmed and upper-cased; invalid ones (not
1-10 of A-Z0-9) are skipped; at most --rows are used, the rest of the rows
get random numbers.  All-digit numbers are written as given (captures hold
8-digit ones).
"""

import argparse
import datetime as dt
import json
import math
import random
import re
import sys

HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,"
    "RegAddress.AddressLine1, RegAddress.AddressLine2,RegAddress.PostTown,"
    "RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,"
    "CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,"
    "Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE,"
    " PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE,"
    " PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE,"
    " PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate,"
    " ConfStmtLastMadeUpDate"
)
NCOLS = 55

STATUSES = [  # (weight per 10000, CompanyStatus text)
    (8250, "Active"), (700, "Active - Proposal to Strike off"),
    (500, "Liquidation"), (120, "In Administration"),
    (70, "Voluntary Arrangement"), (25, "RECEIVERSHIP"), (250, "Dissolved"),
    (8, "ADMINISTRATION ORDER"), (6, "In Administration/Administrative Receiver"),
    (4, "In Administration/Receiver Manager"),
    (5, "RECEIVER MANAGER / ADMINISTRATIVE RECEIVER"), (4, "ADMINISTRATIVE RECEIVER"),
    (8, "Live but Receiver Manager on at least one charge"),
    (3, "VOLUNTARY ARRANGEMENT / ADMINISTRATIVE RECEIVER"),
    (3, "VOLUNTARY ARRANGEMENT / RECEIVER MANAGER"),
    (20, "Converted/Closed"), (10, "Open"), (10, "Closed"), (2, "Registered"),
    (2, "Removed"),
]
DIGIT_CATEGORIES = [
    (8700, "Private Limited Company"),
    (700, "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)"),
    (200, "Public Limited Company"), (60, "Private Unlimited Company"),
    (300, "Community Interest Company"),
    (40, "PRIV LTD SECT. 30 (Private limited company, section 30 of the Companies Act)"),
]
# (weight, prefix, category or None for DIGIT_CATEGORIES, country of origin)
PREFIXES = [
    (8200, "", None, "United Kingdom"),
    (700, "SC", "Private Limited Company", "United Kingdom"),
    (250, "NI", "Private Limited Company", "United Kingdom"),
    (400, "OC", "Limited Liability Partnership", "United Kingdom"),
    (80, "SO", "Limited Liability Partnership", "United Kingdom"),
    (120, "FC", "Other company type", None),
    (80, "LP", "Limited Partnership", "United Kingdom"),
    (40, "SL", "Limited Partnership", "United Kingdom"),
    (100, "CE", "Charitable Incorporated Organisation", "United Kingdom"),
    (30, "SE", "Charitable Incorporated Organisation", "United Kingdom"),
]
FOREIGN = ["UNITED STATES", "GERMANY", "JERSEY", "GUERNSEY", "IRELAND", "MONGOLIA",
           "NETHERLANDS", "CAYMAN ISLANDS", "CHANNEL ISLANDS", "FRANCE"]
ACCOUNT_CATEGORIES = [
    (30, "TOTAL EXEMPTION FULL"), (18, "MICRO ENTITY"), (14, "DORMANT"),
    (12, "NO ACCOUNTS FILED"), (6, "UNAUDITED ABRIDGED"), (5, "FULL"), (3, "SMALL"),
    (2, "GROUP"), (2, "TOTAL EXEMPTION SMALL"), (1, "ACCOUNTS TYPE NOT AVAILABLE"),
    (1, "AUDIT EXEMPTION SUBSIDIARY"), (6, ""),
]
SIC_TEXTS = [
    "78300 - Human resources provision and management of human resources functions",
    "99999 - Dormant Company", "47710 - Retail sale of clothing in specialised stores",
    "18129 - Printing n.e.c.", "59112 - Video production activities",
    "63120 - Web portals", "74201 - Portrait photographic activities",
    "90030 - Artistic creation", "62090 - Other information technology service activities",
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "58190 - Other publishing activities", "90010 - Performing arts",
    "98000 - Residents property management", "82110 - Combined office administrative service activities",
    "47910 - Retail sale via mail order houses or via Internet", "56101 - Licensed restaurants",
    "86230 - Dental practice activities", "64209 - Activities of other holding companies n.e.c.",
    "73110 - Advertising agencies", "82990 - Other business support service activities n.e.c.",
    "41201 - Construction of commercial buildings", "85600 - Educational support services",
    "86900 - Other human health activities", "49410 - Freight transport by road",
    "62020 - Information technology consultancy activities", "58290 - Other software publishing",
    "33140 - Repair of electrical equipment", "47421 - Retail sale of mobile telephones",
    "79110 - Travel agency activities", "43210 - Electrical installation",
    "43220 - Plumbing, heat and air-conditioning installation",
    "41100 - Development of building projects", "96020 - Hairdressing and other beauty treatment",
    "56102 - Unlicensed restaurants and cafes", "45112 - Sale of used cars and light motor vehicles",
    "01110 - Growing of cereals (except rice), leguminous crops and oil seeds",
    "01500 - Mixed farming", "02100 - Silviculture and other forestry activities",
    "08110 - Quarrying of ornamental and building stone, limestone, gypsum, chalk and slate",
    "69201 - Accounting and auditing activities", "66190 - Activities auxiliary to financial intermediation n.e.c.",
]
WORDS = (
    "APEX NORTHERN SOUTHERN EASTERN WESTERN GREEN BLUE RED OAK ASH ELM CEDAR "
    "MAPLE WILLOW RIVER BRIDGE STONE IRON SILVER GOLDEN CROWN ROYAL PREMIER "
    "ALPHA OMEGA NOVA STELLAR SUMMIT HORIZON PINNACLE ANCHOR HARBOUR MERIDIAN "
    "PHOENIX FALCON EAGLE LION THISTLE ROSE CASTLE ABBEY MANOR PARK VALLEY HILL "
    "MEADOW ORCHARD COASTAL URBAN METRO CITY COUNTY UNITED ALLIED BRIGHT SWIFT "
    "CLEAR TRUE PRIME CORE FIRST NEXT NEW GRAND ZENITH VERTEX QUANTUM ATLAS"
).split()
TRADES = (
    "CONSULTING SOLUTIONS PROPERTY PROPERTIES HOLDINGS TRADING SERVICES "
    "ENGINEERING DIGITAL LOGISTICS CONSTRUCTION DEVELOPMENTS INVESTMENTS MEDIA "
    "DESIGN TECHNOLOGIES SYSTEMS CARE HEALTHCARE RECRUITMENT CLEANING ELECTRICAL "
    "PLUMBING ROOFING TRANSPORT HAULAGE CATERING FOODS BAKERY BUILDERS MOTORS "
    "VENTURES CAPITAL MANAGEMENT LEISURE TRAVEL ESTATES LETTINGS INTERIORS "
    "LANDSCAPES ACCOUNTANCY ADVISORY TUTORS FITNESS BEAUTY RETAIL IMPORTS"
).split()
SURNAMES = (
    "SMITH JONES WILLIAMS TAYLOR BROWN DAVIES EVANS WILSON THOMAS JOHNSON ROBERTS "
    "ROBINSON THOMPSON WRIGHT WALKER WHITE EDWARDS HUGHES HALL PATEL KHAN SINGH "
    "AHMED ALI CAMPBELL STEWART MACDONALD MURPHY KELLY O'NEILL O'BRIEN MCCARTHY"
).split()
TOWNS = [  # (post town, county, postcode outward, country text)
    ("LONDON", "", "EC1V", "ENGLAND"), ("LEEDS", "WEST YORKSHIRE", "LS10", "ENGLAND"),
    ("MANCHESTER", "", "M40", "ENGLAND"), ("BIRMINGHAM", "WEST MIDLANDS", "B3", "ENGLAND"),
    ("BRISTOL", "", "BS30", "ENGLAND"), ("SHEFFIELD", "SOUTH YORKSHIRE", "S35", "ENGLAND"),
    ("TONBRIDGE", "KENT", "TN11", "ENGLAND"), ("WOKING", "SURREY", "GU21", "ENGLAND"),
    ("CROYDON", "", "CR0", "ENGLAND"), ("OLDHAM", "LANCASHIRE", "OL2", "ENGLAND"),
    ("CARDIFF", "", "CF10", "WALES"), ("SWANSEA", "", "SA1", "WALES"),
    ("GLASGOW", "", "G2", "SCOTLAND"), ("EDINBURGH", "", "EH1", "SCOTLAND"),
    ("ABERDEEN", "", "AB11", "SCOTLAND"), ("BELFAST", "COUNTY ANTRIM", "BT1", "NORTHERN IRELAND"),
]
STREETS = ["HIGH STREET", "STATION ROAD", "CHURCH LANE", "VICTORIA ROAD", "GREEN LANE",
           "MANOR ROAD", "PARK AVENUE", "MILL LANE", "KINGS ROAD", "OLD STREET",
           "PEPPER ROAD", "SHELTON STREET", "BRIDGE STREET", "MARMION AVENUE",
           "NEWTON CHAMBERS ROAD", "GREAT CHARLES STREET QUEENSWAY"]
LINE2 = ["HUNSLET", "HATHERLOW", "BANHAM", "SHAW", "ELSTREE WAY", "LITTLE LONDON",
         "SECOND FLOOR", "335 ROSDEN HOUSE", "WICKHAM ROAD"]
AWKWARD = ['"{0}" {1} LTD', "{0}, {1} AND PARTNERS LLP", "O'{0} {1} LIMITED",
           '"{0} {1} LIMITED"', "{0} & {1} (UK) LTD", "{0}-{1} LTD.", "! {0} {1} LTD",
           '"{0}" {1}, {0} LIMITED', "{0} {1} (2019) LIMITED", "THE {0} {1} CO. LIMITED"]
SUFFIX = ["LIMITED", "LTD", "LIMITED", "LTD", "LTD.", "PLC", "HOLDINGS LIMITED", "GROUP LTD"]

NUMBER_RE = re.compile(r"[A-Z0-9]{1,10}\Z")


def cumulative(table):
    cum, total = [], 0
    for w, *rest in table:
        total += w
        cum.append(total)
    return cum, [rest[0] if len(rest) == 1 else tuple(rest) for _w, *rest in table]


def numbers_from(path, limit):
    """Company numbers (and names, when known) from a capture or a list."""
    found = {}
    order = []
    with open(path, "rb") as f:
        for raw in f:
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            name = None
            if text.startswith("{"):
                try:
                    obj = json.loads(text)
                except ValueError:
                    continue
                if not isinstance(obj, dict) or obj.get("resource_kind") != "company-profile":
                    continue
                data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
                number = data.get("company_number") or obj.get("resource_id")
                if isinstance(data.get("company_name"), str):
                    name = data["company_name"].upper()
            else:
                number = text
            if not isinstance(number, str):
                continue
            number = number.strip().upper()
            if not NUMBER_RE.match(number):
                continue
            if number not in found:
                order.append(number)
                found[number] = None
            if name:
                found[number] = name
    order = order[:limit]
    return [(n, found[n]) for n in order]


def generate(args, out):
    rng = random.Random(args.seed)
    rnd = rng.random
    snap = dt.datetime.strptime(args.snapshot_date, "%Y-%m-%d").date()
    snap_ord = snap.toordinal()
    eol = "\r\n" if args.crlf else "\n"

    status_cum, status_vals = cumulative(STATUSES)
    cat_cum, cat_vals = cumulative(DIGIT_CATEGORIES)
    pre_cum, pre_vals = cumulative(PREFIXES)
    acc_cum, acc_vals = cumulative(ACCOUNT_CATEGORIES)
    from bisect import bisect_right

    def choice(seq):          # random.Random.choice is slow; same determinism
        return seq[int(rnd() * len(seq))]

    def pick(cum, vals):
        return vals[bisect_right(cum, rnd() * cum[-1])]

    date_cache = {}

    def ddmmyyyy(ordinal):
        s = date_cache.get(ordinal)
        if s is None:
            d = dt.date.fromordinal(ordinal)
            s = "%02d/%02d/%04d" % (d.day, d.month, d.year)
            date_cache[ordinal] = s
        return s

    def make_name():
        r = rnd()
        w1, w2 = choice(WORDS), choice(TRADES)
        if r < 0.03:
            return choice(AWKWARD).format(choice(SURNAMES), w1)
        if r < 0.35:
            return "%s %s %s" % (w1, w2, choice(SUFFIX))
        if r < 0.6:
            return "%s %s %s %s" % (choice(SURNAMES), w1, w2, choice(SUFFIX))
        if r < 0.8:
            return "%s & %s %s %s" % (choice(SURNAMES), choice(SURNAMES), w2,
                                      choice(SUFFIX))
        return "%s%d %s %s" % (w1, int(rnd() * 999) + 1, w2, choice(SUFFIX))

    # 1. The companies: (name, number), given ones first, then random ones.
    given = numbers_from(args.company_numbers_from, args.rows) \
        if args.company_numbers_from else []
    used = set(n for n, _ in given)
    companies = [(name or make_name(), number) for number, name in given]
    while len(companies) < args.rows:
        prefix = pick(pre_cum, pre_vals)[0]
        if prefix:
            number = "%s%06d" % (prefix, int(rnd() * 999999) + 1)
        else:
            r = rnd()
            hi = 16000000 if r < 0.5 else (10000000 if r < 0.88 else 1000000)
            number = "%08d" % (int(rnd() * (hi - 1)) + 1)
        if number in used:
            continue
        used.add(number)
        companies.append((make_name(), number))
    companies.sort()

    prefix_info = {p: (cat, origin) for _w, p, cat, origin in PREFIXES}

    out.write((HEADER + eol).encode("ascii"))
    buf = []
    for name, number in companies:
        p2 = number[:2]
        cat, origin = prefix_info.get(p2, (None, "United Kingdom")) if p2.isalpha() \
            else (None, "United Kingdom")
        if cat is None:
            cat = pick(cat_cum, cat_vals)
        if origin is None:
            origin = choice(FOREIGN)
        status = pick(status_cum, status_vals)
        if status in ("Open", "Closed") and p2 != "FC":
            status = "Active"
        age = int(-2600 * math.log(1.0 - rnd())) + 20
        inc = snap_ord - min(age, 40000)
        town, county, outward, country = TOWNS[int(rnd() * len(TOWNS))]
        if p2 in ("SC", "SO", "SL"):
            town, county, outward, country = TOWNS[12 + int(rnd() * 3)]
        elif p2 == "NI":
            town, county, outward, country = TOWNS[15]
        ref_month = int(rnd() * 12) + 1
        ref_day = 31 if ref_month in (1, 3, 5, 7, 8, 10, 12) else (
            28 if ref_month == 2 else 30)
        if rnd() < 0.15:
            ref_day = int(rnd() * 28) + 1
        accounts_cat = pick(acc_cum, acc_vals)
        if age < 400:
            accounts_cat = "NO ACCOUNTS FILED"
            last_made = ""
        else:
            last_made = ddmmyyyy(snap_ord - 60 - int(rnd() * 400))
        next_due = ddmmyyyy(snap_ord + int(rnd() * 330) - 30)
        diss = ""
        if status in ("Dissolved", "Converted/Closed", "Closed", "Removed"):
            diss = ddmmyyyy(snap_ord - 1 - int(rnd() * 60))
        mort = int(rnd() * 4) if rnd() < 0.2 else 0
        outstanding = min(mort, int(rnd() * (mort + 1)))
        if rnd() < 0.03 or cat == "Other company type":
            sics = ["None Supplied", "", "", ""]
        else:
            k = 1 if rnd() < 0.7 else (2 if rnd() < 0.6 else (3 if rnd() < 0.6 else 4))
            sics = sorted(set([choice(SIC_TEXTS) for _ in range(k)]))
            sics += [""] * (4 - len(sics))
        prev = []
        if rnd() < 0.12:
            n_prev = 1 if rnd() < 0.7 else int(rnd() * 9) + 2
            d = snap_ord - int(rnd() * 300)
            for _ in range(n_prev):
                prev += [ddmmyyyy(d), make_name().replace('"', '""')]
                d -= int(rnd() * 900) + 30
        prev += [""] * (20 - len(prev))
        returns_next = returns_last = ""
        if inc < 735800 and rnd() < 0.7:           # filed annual returns (before 2016)
            returns_next = ddmmyyyy(736000 + int(rnd() * 200))
            returns_last = ddmmyyyy(735600 + int(rnd() * 200))
        conf_last = "" if age < 380 else ddmmyyyy(snap_ord - 14 - int(rnd() * 350))
        conf_next = ddmmyyyy(snap_ord + int(rnd() * 380) - 20)
        gen_partners = lim_partners = "0"
        if cat == "Limited Partnership":
            gen_partners, lim_partners = str(int(rnd() * 3) + 1), str(int(rnd() * 20))
        row = [
            name.replace('"', '""'), number,
            ("C/O " + choice(SURNAMES) + " ACCOUNTANTS") if rnd() < 0.03 else "",
            ("PO BOX %d" % (int(rnd() * 9000) + 10)) if rnd() < 0.01 else "",
            ("%d %s" % (int(rnd() * 250) + 1, choice(STREETS))) if rnd() < 0.98 else "",
            choice(LINE2) if rnd() < 0.45 else "",
            town, county if rnd() < 0.6 else "",
            choice((country, "UNITED KINGDOM", "")) if origin == "United Kingdom" else origin,
            "%s %d%s" % (outward, int(rnd() * 9) + 1,
                         "ABDEFGHJLNPQRSTUWXYZ"[int(rnd() * 20)] * 2),
            cat, status, origin, diss, ddmmyyyy(inc),
            str(ref_day), str(ref_month), next_due, last_made, accounts_cat,
            returns_next, returns_last,
            str(mort), str(outstanding), "0", str(mort - outstanding),
        ] + sics + [gen_partners, lim_partners,
                    "http://business.data.gov.uk/id/company/" + number] + prev + [
            conf_next, conf_last]
        # Only the name fields can hold '"'; they are escaped above.
        buf.append('"' + '","'.join(row) + '"' + eol)
        if len(buf) >= 5000:
            out.write("".join(buf).encode("utf-8"))
            buf.clear()
    out.write("".join(buf).encode("utf-8"))
    return len(companies), len(given)


def main(argv=None):
    p = argparse.ArgumentParser(description="Generate a synthetic BasicCompanyData CSV.")
    p.add_argument("--rows", type=int, default=300000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="-", help="output file (default stdout)")
    p.add_argument("--crlf", action="store_true", help="CRLF line endings")
    p.add_argument("--snapshot-date", default="2025-08-01",
                   help="the date in the file name; dates are drawn before it")
    p.add_argument("--company-numbers-from", metavar="FILE",
                   help="capture (NDJSON) or list of company numbers to include first")
    args = p.parse_args(argv)
    if args.rows < 0:
        p.error("--rows must be >= 0")
    assert HEADER.count(",") == NCOLS - 1
    if args.out == "-":
        rows, given = generate(args, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with open(args.out, "wb") as f:
            rows, given = generate(args, f)
    sys.stderr.write("gen_bulk_csv: rows=%d from_file=%d\n" % (rows, given))
    return 0


if __name__ == "__main__":
    sys.exit(main())
