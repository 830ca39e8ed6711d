#!/usr/bin/env python3
"""Generate a realistic, deterministic capture of ONE non-companies stream.

For measuring ch-parse (and ch-parse | ch-store) on the resource streams:
what ch-fetch would have written for `--stream filings` (or officers,
insolvency-cases, persons-with-significant-control, charges), one event per
line in the real envelope, modelled on the real lines in
samples/real/events/ (field sets, key order, sizes, quirks). The same
arguments always give the same bytes (one random.Random seeded from --seed
drives everything).

Content per stream:
  filings    the common form types in rough real proportions (accounts,
             confirmation statements, officer and PSC changes, charges,
             incorporations...), a few strike-off and Gazette filings (DS01,
             GAZ1, GAZ1(A), GAZ2, GAZ2(A), DS02, DISS40), liquidation forms,
             annotations, description_values, document links, subcategory as
             a string or an array, re-publications with fields_changed.
  officers   appointments and resignations (resigned_on) of directors,
             secretaries, LLP members and corporate officers (identification),
             dates of birth, service addresses, some links.officer.
  insolvency-cases   one record per company, growing over events (dates,
             practitioners, a second case).
  persons-with-significant-control   individual, corporate and legal PSCs,
             natures_of_control, cessations (ceased_on).
  charges    creations and satisfactions, lenders, transactions.
Every stream: about 1 % `deleted` events (a third of them without data),
published_at mostly zone-less with some fraction+Z, about 3 % of lines with
"&" written as \\u0026 (as the Go server writes it), timepoints increasing
with small holes. No bad lines: see tests/gen_capture.py for those.

Usage: gen_stream_capture.py --stream filings [--events 100000] [--seed 7]
         [--start-timepoint 140000000] [--out FILE]
"""

import argparse
import datetime as dt
import json
import random
import sys

STREAMS = ("filings", "officers", "insolvency-cases", "persons-with-significant-control", "charges")

SURNAMES = ("SMITH JONES TAYLOR BROWN WILLIAMS WILSON JOHNSON DAVIES PATEL WRIGHT ROBINSON THOMPSON "
            "EVANS WALKER WHITE ROBERTS GREEN HALL WOOD JACKSON CLARKE KHAN LEWIS HARRIS MARTIN "
            "COOPER KING LEE BAKER HARRISON MORGAN ALLEN JAMES SCOTT PHILLIPS WATSON DAVIS").split()
FORENAMES = ("James John David Michael Paul Andrew Mark Richard Robert Peter Sarah Emma Claire Laura "
             "Helen Rachel Anna Sophie Mohammed Ahmed Priya Raj Olivia Amelia Jack Harry George Oliver "
             "Thomas William Charlotte Emily Lucy Hannah").split()
TOWNS = (("London", "EC1A 1BB", None), ("Manchester", "M1 1AE", "Greater Manchester"),
         ("Birmingham", "B1 1AA", "West Midlands"), ("Leeds", "LS1 4AP", "West Yorkshire"),
         ("Glasgow", "G1 1XQ", None), ("Bristol", "BS1 4DJ", None), ("Cardiff", "CF10 1EP", None),
         ("Croydon", "CR0 0XT", "Surrey"), ("Norwich", "NR16 2HS", "Norfolk"),
         ("Edinburgh", "EH1 1YZ", None), ("Sale", "M33 2EZ", "Cheshire"), ("Reading", "RG1 4PS", None))
STREETS = ("High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
           "London Road", "Market Street", "Kings Road", "Queen Street", "Bridge Street")
COUNTRIES = ("United Kingdom", "England", "Wales", "Scotland")
NATIONALITIES = ("British", "British", "British", "Irish", "Polish", "Indian", "Romanian", "Italian",
                 "Hungarian", "American", "Chinese")
OCCUPATIONS = ("Director", "Company Director", "Managing Director", "Consultant", "Accountant",
               "Engineer", "Retired", "Solicitor", "Builder", "Administrator", "Salesman", "None")
LENDERS = ("Lloyds Bank PLC", "National Westminster Bank PLC", "Barclays Bank UK PLC",
           "HSBC UK Bank PLC", "Paragon Bank PLC", "Onesavings Bank PLC", "Santander UK PLC",
           "Together Commercial Finance Limited", "Shawbrook Bank Limited")
COMPANY_WORDS = ("APEX NORTHERN GREEN OAK CEDAR RIVER STONE SILVER CROWN PREMIER ALPHA NOVA SUMMIT "
                 "HORIZON ANCHOR PHOENIX FALCON THISTLE CASTLE MANOR VALLEY MEADOW").split()
PREFIXES = [("", 86), ("SC", 5), ("OC", 4), ("NI", 2), ("SL", 1), ("FC", 1), ("LP", 1)]

# (type, category, description, description_values kind, subcategory, weight)
FILING_TYPES = [
    ("AA", "accounts", "accounts-with-accounts-type-micro-entity", "made_up_date", None, 120),
    ("AA", "accounts", "accounts-with-accounts-type-dormant", "made_up_date", None, 40),
    ("AA", "accounts", "accounts-with-accounts-type-total-exemption-full", "made_up_date", None, 60),
    ("AA", "accounts", "accounts-with-accounts-type-full", "made_up_date", None, 15),
    ("CS01", "confirmation-statement", "confirmation-statement-with-no-updates", "made_up_date", None, 140),
    ("CS01", "confirmation-statement", "confirmation-statement-with-updates", "made_up_date", None, 50),
    ("AP01", "officers", "appoint-person-director-company-with-name-date", "officer", "appointments", 45),
    ("TM01", "officers", "termination-director-company-with-name-termination-date", "officer", "termination", 40),
    ("CH01", "officers", "change-person-director-company-with-change-date", "officer", None, 35),
    ("PSC01", "persons-with-significant-control", "notification-of-a-person-with-significant-control", "psc", None, 25),
    ("PSC07", "persons-with-significant-control", "cessation-of-a-person-with-significant-control", "psc", None, 15),
    ("PSC04", "persons-with-significant-control", "change-details-of-a-person-with-significant-control", "psc", None, 12),
    ("AD01", "address", "change-registered-office-address-company-with-date-old-address-new-address", "address", None, 35),
    ("NEWINC", "incorporation", "incorporation-company", None, None, 40),
    ("SH01", "capital", "capital-allotment-shares", "capital", None, 20),
    ("MR01", "mortgage", "mortgage-create-with-deed-with-charge-number-charge-creation-date", "charge", None, 18),
    ("MR04", "mortgage", "mortgage-satisfy-charge-full", "charge", None, 12),
    ("AA01", "accounts", "change-account-reference-date-company-previous-shortened", "made_up_date", None, 8),
    ("RESOLUTIONS", "resolution", "resolution", None, "resolution", 8),
    ("DS01", "dissolution", "dissolution-application-strike-off-company", None, None, 5),
    ("GAZ1(A)", "gazette", "gazette-notice-voluntary", None, None, 5),
    ("GAZ2(A)", "gazette", "gazette-dissolved-voluntary", None, None, 5),
    ("GAZ1", "gazette", "gazette-notice-compulsory", None, None, 6),
    ("GAZ2", "gazette", "gazette-dissolved-compulsory", None, None, 5),
    ("DISS40", "gazette", "gazette-filings-brought-up-to-date", None, None, 3),
    ("DS02", "dissolution", "dissolution-withdrawal-application-strike-off-company", None, None, 1),
    ("LIQ02", "insolvency", "liquidation-voluntary-statement-of-affairs", None, "voluntary", 2),
    ("600", "insolvency", "liquidation-voluntary-appointment-of-liquidator", None, "voluntary", 2),
    ("AM01", "insolvency", "liquidation-in-administration-appointment-of-administrator", None, "administration", 1),
    ("LIQ14", "insolvency", "liquidation-voluntary-creditors-return-of-final-meeting", None, ["voluntary", "creditors"], 1),
]
CASE_TYPES = [("creditors-voluntary-liquidation", 50), ("members-voluntary-liquidation", 25),
              ("compulsory-liquidation", 12), ("in-administration", 8), ("administrative-receiver", 2),
              ("corporate-voluntary-arrangement", 3)]
NATURES = ["ownership-of-shares-25-to-50-percent", "ownership-of-shares-50-to-75-percent",
           "ownership-of-shares-75-to-100-percent", "voting-rights-25-to-50-percent",
           "voting-rights-75-to-100-percent", "right-to-appoint-and-remove-directors",
           "significant-influence-or-control"]


def weighted(rng, table):
    total = sum(w for *_, w in table)
    x = rng.uniform(0, total)
    for row in table:
        x -= row[-1]
        if x <= 0:
            return row
    return table[-1]


def token(rng, n=27):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                   for _ in range(n))


def day(rng, start_year=2000, end=dt.date(2026, 11, 30)):
    start = dt.date(start_year, 1, 1)
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def address(rng, premises=True):
    town, postcode, region = rng.choice(TOWNS)
    a = {"address_line_1": "%d %s" % (rng.randint(1, 250), rng.choice(STREETS)),
         "locality": town, "postal_code": postcode}
    if rng.random() < 0.4:
        a["address_line_2"] = rng.choice(("Unit %d" % rng.randint(1, 40), "Suite %d" % rng.randint(1, 9),
                                          "Business Park", "Industrial Estate"))
    if premises and rng.random() < 0.6:
        a["premises"] = rng.choice(("%d" % rng.randint(1, 99), "Ground Floor", "Winnington House",
                                    "The Old Barn", "Flat %d" % rng.randint(1, 30)))
    if region and rng.random() < 0.5:
        a["region"] = region
    if rng.random() < 0.6:
        a["country"] = rng.choice(COUNTRIES)
    return a


def person_name(rng):
    forenames = rng.choice(FORENAMES)
    if rng.random() < 0.4:
        forenames += " " + rng.choice(FORENAMES)
    return rng.choice(SURNAMES), forenames


def company_name(rng):
    words = " ".join(rng.choice(COMPANY_WORDS) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.1:
        words += " & " + rng.choice(COMPANY_WORDS)    # written \u0026 on the wire
    return words + rng.choice((" LIMITED", " LTD", " LLP", " HOLDINGS LIMITED", " GROUP LTD"))


class Generator:
    def __init__(self, stream, seed, start_timepoint):
        self.stream = stream
        self.rng = random.Random(seed)
        self.tp = start_timepoint
        self.now = dt.datetime(2026, 12, 1, 6, 0, 0)
        self.companies = [self.company_number() for _ in range(20000)]
        self.resources = []          # (uri, id, number, state) seen, for re-publications
        self.insolvency = {}         # company number -> cases

    def company_number(self):
        prefix = weighted(self.rng, PREFIXES)[0]
        return prefix + "%0*d" % (8 - len(prefix), self.rng.randrange(10 ** (8 - len(prefix))))

    # --------------------------------------------------------------- streams

    def filing(self, number, tx):
        rng = self.rng
        ftype, category, description, values, subcategory, _ = weighted(rng, FILING_TYPES)
        filed = (self.now - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 5, 30, 400, 4000)))).date()
        d = {"category": category, "date": filed.isoformat(), "description": description,
             "links": {"self": "/company/%s/filing-history/%s" % (number, tx)},
             "transaction_id": tx, "type": ftype}
        if rng.random() < 0.93:
            d["barcode"] = "X" + token(rng, 7).upper().replace("_", "A").replace("-", "B")
        if rng.random() < 0.7:
            d["pages"] = rng.randint(1, 40)
        if rng.random() < 0.5:
            d["links"]["document_metadata"] = ("https://frontend-doc-api.company-information.service.gov.uk"
                                               "/document/" + token(rng, 43))
        if values == "made_up_date":
            d["description_values"] = {"made_up_date": day(rng, 2019).isoformat()}
        elif values == "officer":
            surname, forenames = person_name(rng)
            d["description_values"] = {"appointment_date": filed.isoformat(),
                                       "officer_name": "%s %s" % (forenames, surname.title())}
        elif values == "psc":
            surname, forenames = person_name(rng)
            d["description_values"] = {"change_date": filed.isoformat(),
                                       "psc_name": "%s %s" % (forenames, surname.title())}
        elif values == "address":
            d["description_values"] = {"change_date": filed.isoformat(),
                                       "old_address": "%d %s, %s" % (rng.randint(1, 99), rng.choice(STREETS), rng.choice(TOWNS)[0]),
                                       "new_address": "%d %s, %s" % (rng.randint(1, 99), rng.choice(STREETS), rng.choice(TOWNS)[0])}
        elif values == "capital":
            d["description_values"] = {"capital": [{"currency": "GBP", "figure": "%d" % rng.randint(1, 100000)}],
                                       "date": filed.isoformat()}
        elif values == "charge":
            d["description_values"] = {"charge_number": "%s%04d" % (number, rng.randint(1, 20)),
                                       "charge_creation_date": filed.isoformat()}
        if subcategory is not None:
            d["subcategory"] = subcategory
        if ftype == "RESOLUTIONS":
            d["resolutions"] = [{"category": "resolution", "description": "resolution-adopt-articles",
                                 "subcategory": "resolution", "type": "RES01"}]
        if rng.random() < 0.05:
            d["paper_filed"] = True
        if rng.random() < 0.03:
            d["annotations"] = [{"annotation": "Clarification A SECOND FILED %s WAS REGISTERED ON %s"
                                               % (ftype, filed.strftime("%d/%m/%y")),
                                 "category": "annotation", "date": filed.isoformat(),
                                 "description": "annotation", "type": "ANNOTATION"}]
        if rng.random() < 0.03:
            d["description_values"] = dict(d.get("description_values", {}),
                                           original_description="Statement of capital & shareholders")
        return d

    def officer(self, number, appointment):
        rng = self.rng
        role = weighted(rng, [("director", 70), ("secretary", 12), ("llp-designated-member", 6),
                              ("llp-member", 3), ("corporate-director", 3), ("corporate-secretary", 2),
                              ("nominee-director", 1)])[0]
        d = {"address": address(rng), "appointed_on": day(rng, 1995).isoformat(),
             "links": {"self": "/company/%s/appointments/%s" % (number, appointment)},
             "officer_role": role}
        if role.startswith("corporate"):
            d["name"] = company_name(rng)
            d["identification"] = {"identification_type": "uk-limited-company",
                                   "registration_number": self.company_number()}
        else:
            surname, forenames = person_name(rng)
            d["name"] = "%s, %s" % (surname, forenames)
            d["date_of_birth"] = {"month": rng.randint(1, 12), "year": rng.randint(1940, 2004)}
            d["nationality"] = rng.choice(NATIONALITIES)
            if role != "secretary":
                d["occupation"] = rng.choice(OCCUPATIONS)
                d["country_of_residence"] = rng.choice(COUNTRIES)
        if rng.random() < 0.3:
            d["links"]["officer"] = {"appointments": "/officers/%s/appointments" % token(rng)}
        if rng.random() < 0.16:
            d["resigned_on"] = day(rng, 2020).isoformat()
        if rng.random() < 0.02:
            d.pop("appointed_on")      # old appointments have no date
        return d

    def psc(self, number, psc_id, kind):
        rng = self.rng
        d = {"address": address(rng), "etag": "%040x" % rng.getrandbits(160),
             "links": {"self": "/company/%s/persons-with-significant-control/%s/%s"
                               % (number, {"company-psc-individual": "individual",
                                           "company-psc-corporate": "corporate-entity",
                                           "company-psc-legal": "legal-person"}[kind], psc_id)},
             "natures_of_control": rng.sample(NATURES, rng.randint(1, 3)),
             "notified_on": day(rng, 2016).isoformat()}
        if kind == "company-psc-individual":
            surname, forenames = person_name(rng)
            title = rng.choice(("Mr", "Mrs", "Ms", "Dr"))
            d.update(kind="individual-person-with-significant-control",
                     name="%s %s %s" % (title, forenames, surname.title()),
                     name_elements={"forename": forenames.split()[0], "surname": surname.title(), "title": title},
                     date_of_birth={"month": rng.randint(1, 12), "year": rng.randint(1940, 2004)},
                     nationality=rng.choice(NATIONALITIES), country_of_residence=rng.choice(COUNTRIES))
        else:
            d.update(kind=("corporate-entity-person-with-significant-control" if kind == "company-psc-corporate"
                           else "legal-person-person-with-significant-control"),
                     name=company_name(rng).title(),
                     identification={"legal_authority": "England", "legal_form": "Limited Company",
                                     "registration_number": self.company_number()})
        if rng.random() < 0.15:
            d["ceased_on"] = day(rng, 2020).isoformat()
        return d

    def charge(self, number, charge_id):
        rng = self.rng
        created = day(rng, 2005)
        n = rng.randint(1, 30)
        d = {"charge_code": "%s%04d" % (number, n), "charge_number": n,
             "classification": {"description": "A registered charge", "type": "charge-description"},
             "created_on": created.isoformat(), "delivered_on": (created + dt.timedelta(days=rng.randint(1, 20))).isoformat(),
             "etag": "%040x" % rng.getrandbits(160),
             "links": {"self": "/company/%s/charges/%s" % (number, charge_id)},
             "particulars": {"contains_fixed_charge": True, "contains_negative_pledge": rng.random() < 0.7,
                             "description": "Freehold property known as %d %s, %s." % (rng.randint(1, 200), rng.choice(STREETS), rng.choice(TOWNS)[0]),
                             "type": "brief-description"},
             "persons_entitled": [{"name": rng.choice(LENDERS)} for _ in range(rng.choice((1, 1, 1, 2)))],
             "status": "outstanding",
             "transactions": [{"delivered_on": created.isoformat(), "filing_type": "create-charge-with-deed",
                               "links": {"filing": "/company/%s/filing-history/%s" % (number, token(rng, 24))}}]}
        if rng.random() < 0.35:
            d["status"] = "fully-satisfied"
            d["satisfied_on"] = day(rng, 2021).isoformat()
            d["transactions"].append({"delivered_on": d["satisfied_on"], "filing_type": "charge-satisfaction"})
        return d

    def insolvency_record(self, number):
        rng = self.rng
        cases = self.insolvency.setdefault(number, [])
        if not cases or (len(cases) < 2 and rng.random() < 0.05):
            cases.append({"number": str(len(cases) + 1), "type": weighted(rng, CASE_TYPES)[0]})
        case = rng.choice(cases)
        if rng.random() < 0.6:
            case.setdefault("dates", []).append({"date": day(rng, 2018).isoformat(),
                                                 "type": rng.choice(("wound-up-on", "declaration-solvent-on",
                                                                     "administration-started-on"))})
        if rng.random() < 0.5:
            surname, forenames = person_name(rng)
            case.setdefault("practitioners", []).append(
                {"address": address(rng, premises=False), "appointed_on": day(rng, 2018).isoformat(),
                 "name": "%s %s" % (forenames, surname.title()), "role": "practitioner"})
        return {"cases": json.loads(json.dumps(cases)), "etag": "%040x" % rng.getrandbits(160)}

    # --------------------------------------------------------------- events

    def new_resource(self):
        rng = self.rng
        number = rng.choice(self.companies)
        if self.stream == "filings":
            rid = token(rng, 24)
            return ("filing-history", "/company/%s/filing-history/%s" % (number, rid), rid,
                    lambda: self.filing(number, rid))
        if self.stream == "officers":
            rid = token(rng)
            return ("company-officers", "/company/%s/appointments/%s" % (number, rid), rid,
                    lambda: self.officer(number, rid))
        if self.stream == "persons-with-significant-control":
            kind = weighted(rng, [("company-psc-individual", 90), ("company-psc-corporate", 9),
                                  ("company-psc-legal", 1)])[0]
            rid = token(rng)
            seg = {"company-psc-individual": "individual", "company-psc-corporate": "corporate-entity",
                   "company-psc-legal": "legal-person"}[kind]
            return (kind, "/company/%s/persons-with-significant-control/%s/%s" % (number, seg, rid), rid,
                    lambda: self.psc(number, rid, kind))
        if self.stream == "charges":
            rid = token(rng)
            return ("company-charges", "/company/%s/charges/%s" % (number, rid), rid,
                    lambda: self.charge(number, rid))
        return ("company-insolvency", "/company/%s/insolvency" % number, number,
                lambda: self.insolvency_record(number))

    def line(self):
        rng = self.rng
        self.tp += 1 if rng.random() < 0.97 else rng.randint(2, 5)
        self.now += dt.timedelta(seconds=rng.choice((0, 0, 0, 1, 1, 2)))
        if self.resources and rng.random() < 0.15:
            kind, uri, rid, make = rng.choice(self.resources)     # re-published
        else:
            kind, uri, rid, make = self.new_resource()
            if len(self.resources) < 50000:
                self.resources.append((kind, uri, rid, make))
        event = {"timepoint": self.tp, "published_at": self.now.strftime("%Y-%m-%dT%H:%M:%S"),
                 "type": "changed"}
        if rng.random() < 0.05:
            event["published_at"] = self.now.strftime("%Y-%m-%dT%H:%M:%S.") + "%06dZ" % rng.randrange(10 ** 6)
        deleted = rng.random() < 0.01
        data = make() if not deleted or rng.random() < 0.67 else None
        if deleted:
            event["type"] = "deleted"
        elif self.stream == "filings" and rng.random() < 0.1:
            event = {"fields_changed": ["links.document_metadata"], **event}
        # The wire's member order; keys inside data sorted and & < > written
        # \u0026 \u003c \u003e, as the service's Go encoder writes them.
        dumps = lambda v, **kw: json.dumps(v, separators=(",", ":"), ensure_ascii=False, **kw)
        text = "{%s:%s,%s:%s,%s:%s," % (dumps("resource_kind"), dumps(kind), dumps("resource_uri"), dumps(uri),
                                       dumps("resource_id"), dumps(rid))
        if data is not None:
            text += '"data":%s,' % dumps(data, sort_keys=True)
        text += '"event":%s}' % dumps(event)
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stream", required=True, choices=STREAMS)
    p.add_argument("--events", type=int, default=100000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start-timepoint", type=int, default=140000000)
    p.add_argument("--out", default="-")
    args = p.parse_args(argv)
    g = Generator(args.stream, args.seed, args.start_timepoint)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    with out:
        for _ in range(args.events):
            out.write(g.line() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
