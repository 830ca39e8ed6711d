#!/usr/bin/env python3
"""Resource records as ch-parse writes them (README.md "Record formats"), made
by hand, for measuring ch-store alone on the streams of phase 2.

Usage: gen_resource_records.py --kind filings|officers --records N [--seed S]
           [--stream NAME] [--first-timepoint T] [--out FILE]

filings: about 1.4 KB per record like the real stream (data shaped as the
real filing-history events: barcode, category, date, description,
description_values, links, pages, transaction_id, type); one filing in 40 is
a strike-off type that carries its signal, and one record in 8 re-publishes
an earlier transaction (a new timepoint, the same resource), as the real
stream does. officers: appointments of companies with a few officers each,
one in 10 a resignation of an earlier appointment.
Deterministic for a seed. Standard library only.
"""
import argparse
import json
import random
import sys

FILING_TYPES = [("AA", "accounts", "accounts-with-accounts-type-micro-entity"),
                ("CS01", "confirmation-statement", "confirmation-statement"),
                ("AP01", "officers", "appoint-person-director-company-with-name-date"),
                ("TM01", "officers", "termination-director-company-with-name-termination-date"),
                ("PSC01", "persons-with-significant-control", "notification-of-a-person-with-significant-control"),
                ("SH01", "capital", "capital-allotment-shares"),
                ("AD01", "address", "change-registered-office-address-company-with-date-old-address-new-address"),
                ("MR01", "mortgage", "mortgage-create-with-deed-with-charge-number-charge-creation-date")]
SIGNAL_TYPES = [("DS01", "dissolution", "dissolution-application-strike-off-company", "strike-off-applied"),
                ("GAZ1", "gazette", "gazette-notice-compulsory", "strike-off-gazetted"),
                ("GAZ1(A)", "gazette", "gazette-notice-voluntary", "strike-off-gazetted"),
                ("GAZ2", "gazette", "gazette-dissolved-compulsory", "dissolved"),
                ("DS02", "dissolution", "dissolution-withdrawal-application-strike-off-company", "strike-off-halted")]
ROLES = ["director", "secretary", "llp-designated-member", "corporate-director"]


def dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def published(rng, day):
    return "2026-12-%02dT%02d:%02d:%02dZ" % (day, rng.randrange(24), rng.randrange(60), rng.randrange(60))


def record(stream, tp, pub, kind, uri, rid, number, table, rows, signals, data, event_type="changed"):
    # Members in the order of phase2-spec section 1, data last.
    return ("{\"kind\":\"resource\",\"stream\":%s,\"source\":\"stream\",\"timepoint\":%d,"
            "\"published_at\":%s,\"as_of\":%s,\"event_type\":%s,\"resource_kind\":%s,"
            "\"resource_uri\":%s,\"resource_id\":%s,\"company_number\":%s,\"table\":%s,"
            "\"rows\":%s,\"signals\":%s,\"data\":%s}"
            % (dumps(stream), tp, dumps(pub), dumps(pub), dumps(event_type), dumps(kind), dumps(uri),
               dumps(rid), dumps(number), dumps(table), dumps(rows), dumps(signals), data))


def filings(args, rng, out):
    seen = []
    for i in range(args.records):
        tp = args.first_timepoint + i
        day = 1 + i * 28 // args.records
        pub = published(rng, day)
        if seen and rng.random() < 0.125:
            number, tid, ftype, category, description, date, signal = rng.choice(seen)
        else:
            number = "%08d" % rng.randrange(1, 16000000)
            tid = "Mz%018dYWRpcXprY3g" % rng.randrange(10 ** 17)
            if rng.random() < 1 / 40:
                ftype, category, description, signal = rng.choice(SIGNAL_TYPES)
            else:
                (ftype, category, description), signal = rng.choice(FILING_TYPES), None
            date = "2026-%02d-%02d" % (rng.randrange(9, 13), rng.randrange(1, 29))
            seen.append((number, tid, ftype, category, description, date, signal))
        uri = "/company/%s/filing-history/%s" % (number, tid)
        pages = rng.randrange(1, 40)
        data = {"barcode": "X%07X" % rng.randrange(16 ** 7), "category": category, "date": date,
                "description": description,
                "description_values": {"made_up_date": "2026-03-31",
                                       "original_description": "Statement of capital following an allotment of shares on %s" % date},
                "links": {"document_metadata": "https://frontend-doc-api.company-information.service.gov.uk/document/%032x" % rng.randrange(16 ** 32),
                          "self": uri},
                "pages": pages, "paper_filed": False, "transaction_id": tid, "type": ftype,
                "annotations": [{"annotation": "Clarification: a second filed document was delivered", "date": date,
                                 "description": "annotation"}] if rng.random() < 0.3 else []}
        rows = [{"transaction_id": tid, "type": ftype, "category": category, "subcategory": None,
                 "description": description, "date": date, "action_date": None,
                 "barcode": data["barcode"], "pages": pages}]
        signals = [{"signal": signal, "key": "filing:" + uri, "occurred_on": date, "detail": ftype}] if signal else []
        out.write(record(args.stream, tp, pub, "filing-history", uri, tid, number, "filings", rows, signals,
                         dumps(data)) + "\n")


def officers(args, rng, out):
    appointments = []
    for i in range(args.records):
        tp = args.first_timepoint + i
        pub = published(rng, 1 + i * 28 // args.records)
        resigned = None
        if appointments and rng.random() < 0.1:
            number, aid, name, role = rng.choice(appointments)
            resigned = "2026-12-%02d" % rng.randrange(1, 29)
        else:
            number = "%08d" % rng.randrange(1, 16000000)
            aid = "%027x" % rng.randrange(16 ** 27)
            name = "%s, %s" % (rng.choice(["SMITH", "JONES", "PATEL", "TAYLOR", "BROWN", "WILLIAMS"]),
                               rng.choice(["John", "Mary", "Anil", "Susan", "David", "Olufemi"]))
            role = rng.choice(ROLES)
            appointments.append((number, aid, name, role))
        uri = "/company/%s/appointments/%s" % (number, aid)
        address = {"address_line_1": "%d High Street" % rng.randrange(1, 300), "country": "England",
                   "locality": "London", "postal_code": "EC1A %dBB" % rng.randrange(10), "premises": "Unit 4"}
        data = {"address": address, "appointed_on": "2019-05-01", "country_of_residence": "England",
                "date_of_birth": {"month": 3, "year": 1970}, "links": {"self": uri,
                "officer": {"appointments": "/officers/%s/appointments" % aid[:20]}},
                "name": name, "nationality": "British", "occupation": "Director", "officer_role": role}
        if resigned:
            data["resigned_on"] = resigned
        rows = [{"appointment_id": aid, "name": name, "officer_role": role, "appointed_on": "2019-05-01",
                 "resigned_on": resigned, "nationality": "British", "occupation": "Director",
                 "country_of_residence": "England", "date_of_birth_month": 3, "date_of_birth_year": 1970,
                 "premises": "Unit 4", "address_line_1": address["address_line_1"], "address_line_2": None,
                 "locality": "London", "region": None, "postal_code": address["postal_code"], "country": "England",
                 "officer_id": aid[:20]}]
        out.write(record(args.stream, tp, pub, "company-officers", uri, aid, number, "officers", rows, [],
                         dumps(data)) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=["filings", "officers"], default="filings")
    p.add_argument("--records", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stream", default=None)
    p.add_argument("--first-timepoint", type=int, default=1000)
    p.add_argument("--out", default="-")
    args = p.parse_args()
    if args.stream is None:
        args.stream = args.kind
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    (filings if args.kind == "filings" else officers)(args, rng, out)
    out.close()


if __name__ == "__main__":
    main()
