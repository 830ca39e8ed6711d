#!/usr/bin/env python3
"""Synthetic daily PSC snapshots (the free "persons with significant control"
bulk product), deterministic and fast, for the tests and `make bench`.

The lines have the real format (shared/PSC-SNAPSHOT.md): one compact JSON
object per line, {"company_number":...,"data":{...}}, `data` with its keys
sorted, the same resource the PSC stream sends, and a totals line last.
The kinds come in their 2026 proportions (individual 87.1 %, corporate
6.7 %, statements 5.8 %, the beneficial-owner kinds of overseas entities,
legal persons, super-secure, 108 exemptions in 15.95 million), statements
after all the PSC lines, exemptions and the totals line in the last part;
about 815 bytes a line (half the individuals carry
identity_verification_details); 16.6 % of PSCs ceased; super-secure lines
with `ceased` as a boolean; now and then a `null` inside
natures_of_control (overseas entities) and a name with non-ASCII letters
or an `&` written `\\u0026`.

  gen_psc_snapshot.py --lines N [--seed S] [--date YYYY-MM-DD] [--variant V]
                      [--no-totals] [--unknown-kinds K [--count-unknown]]
                      (--out FILE | --parts P --out-dir DIR)
                      [--stream-out FILE --stream-first-timepoint T
                       --stream-published-at YYYY-MM-DDTHH:MM:SS
                       [--stream-every E] [--stream-step-seconds S]]

--lines counts every line, the totals line included. The same arguments
give the same bytes. --variant V > 0 gives the same population as variant 0
(the same --seed and --lines) some days later: about 4 % of the PSCs that
were active have ceased (ceased_on the day before --date), 2 % of the lines
are gone, and new PSCs were notified; the totals line counts what is there.
--parts P writes psc-snapshot-DATE_{k}ofP.txt in DIR (positional slices of
the same lines, the totals line ending the last). --unknown-kinds K puts K
lines of kinds ch-parse does not know among the PSC lines (not counted in
the totals line unless --count-unknown: what Companies House would do with
a new kind of PSC is not known).

--stream-out writes PSC stream events (the persons-with-significant-control
stream's envelope) about every E-th PSC line of the snapshot (default 50),
in turn: a cessation (ceased_on = the event's day), new natures of
control, a `deleted` event with data, a `deleted` event without data, and
a new PSC of the same company; timepoints from T up, published_at from the
given instant up, S seconds apart (default 60).
"""

import argparse
import base64
import datetime as dt
import os
import random
import sys

# (data.kind, URI segment, stream resource_kind, lines in 2026-09-18)
PSC_KINDS = [
    ("individual-person-with-significant-control", "individual", "company-psc-individual",
     13887210),
    ("corporate-entity-person-with-significant-control", "corporate-entity",
     "company-psc-corporate", 1073473),
    ("individual-beneficial-owner", "individual-beneficial-owner",
     "individual-beneficial-owner", 34680),
    ("legal-person-person-with-significant-control", "legal-person", "company-psc-legal", 17574),
    ("corporate-entity-beneficial-owner", "corporate-entity-beneficial-owner",
     "corporate-entity-beneficial-owner", 15746),
    ("legal-person-beneficial-owner", "legal-person-beneficial-owner",
     "legal-person-beneficial-owner", 585),
    ("super-secure-person-with-significant-control", "super-secure", "company-psc-supersecure",
     384),
    ("super-secure-beneficial-owner", "super-secure-beneficial-owner",
     "super-secure-beneficial-owner", 161),
]
STATEMENTS_2026 = 922564
EXEMPTIONS_2026 = 108
TOTAL_2026 = 15952486
PSCS_2026 = sum(k[3] for k in PSC_KINDS)
TOTALS_KIND = "totals#persons-of-significant-control-snapshot"
UNKNOWN_KINDS = ["nominee-person-with-significant-control",
                 "registered-overseas-entity-trustee"]

FORENAMES = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
             "David", "Elizabeth", "William", "Susan", "Richard", "Jessica", "Joseph", "Sarah",
             "Thomas", "Karen", "Mohammed", "Nga", "Priya", "Wei", "Olumide", "Siobhan",
             "Zoë", "José", "Anna", "Peter", "Fatima", "Ian"]
MIDDLES = ["Thanh", "Anne", "Marie", "Lee", "James", "Louise", "Edward", "Ali", "Rose", "Kumar"]
SURNAMES = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
            "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White",
            "Edwards", "Hughes", "Green", "Hall", "Wildman", "Nguyen", "Patel", "Khan", "O'Neill",
            "Müller", "Kowalski", "MacDonald", "Singh", "Ahmed"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
NATIONALITIES = ["British", "British", "British", "British", "Irish", "Polish", "Indian",
                 "Vietnamese", "Romanian", "Chinese", "Pakistani", "American", "Italian"]
COUNTRIES = ["England", "England", "England", "Scotland", "Wales", "Northern Ireland",
             "United Kingdom"]
STREETS = ["High Street", "Station Road", "Church Lane", "St. Andrews Road", "Victoria Road",
           "Green Lane", "Manor Road", "Park Avenue", "Mill Lane", "King Street",
           "The Crescent", "Queens Road"]
TOWNS = ["London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Henley-On-Thames",
         "Bristol", "Cardiff", "Belfast", "Edinburgh", "Northampton", "Reading", "York"]
COMPANY_WORDS = ["Holdings", "Group", "Investments", "Capital", "Ventures", "Properties",
                 "Trading", "Services", "Partners", "Estates"]
NATURES = [
    ["ownership-of-shares-75-to-100-percent", "voting-rights-75-to-100-percent",
     "right-to-appoint-and-remove-directors"],
    ["ownership-of-shares-50-to-75-percent"],
    ["ownership-of-shares-25-to-50-percent", "voting-rights-25-to-50-percent"],
    ["significant-influence-or-control"],
    ["ownership-of-shares-75-to-100-percent", "voting-rights-75-to-100-percent"],
    ["ownership-of-shares-25-to-50-percent"],
]
OE_NATURES = ["ownership-of-shares-more-than-25-percent-registered-overseas-entity",
              "voting-rights-more-than-25-percent-registered-overseas-entity",
              "right-to-appoint-and-remove-directors-registered-overseas-entity"]
STATEMENTS = ["no-individual-or-entity-with-signficant-control",
              "psc-exists-but-not-identified", "psc-details-not-confirmed",
              "steps-to-find-psc-not-yet-completed",
              "all-beneficial-owners-identified"]
LEGAL_FORMS = [("Limited Company", "Companies Act 2006", "Register Of Companies", "England"),
               ("Private Limited Company", "England And Wales", "Companies House",
                "United Kingdom"),
               ("Public Limited Company", "Companies Act 2006", "Companies House", "England")]


def jstr(s):
    """s as a compact JSON string (json.dumps with ensure_ascii=False, the
    way the service writes UTF-8; & as \\u0026 as the Go writer does)."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("&", "\\u0026")
    return '"' + out + '"'


class Gen:
    def __init__(self, seed, lines, date, variant, unknown):
        self.date = date
        self.variant = variant
        body = max(lines - 1, 0)
        self.n_exempt = min(body, max(1, round(body * EXEMPTIONS_2026 / TOTAL_2026)))
        self.n_statements = round(body * STATEMENTS_2026 / TOTAL_2026)
        self.n_unknown = unknown
        self.n_psc = max(body - self.n_exempt - self.n_statements - unknown, 0)
        self.rng = random.Random(seed)
        companies = max(int((self.n_psc + self.n_statements) / 1.46), 1)
        self.uk = [self.uk_number(i) for i in range(companies)]
        self.oe = ["OE%06d" % (1000 + i) for i in range(max(companies // 200, 1))]
        # The kind of each PSC line, in the 2026 proportions, with at least
        # one of each when the snapshot is big enough for it.
        weights = [k[3] for k in PSC_KINDS]
        self.kind_cut = []
        acc = 0
        for w in weights:
            acc += w
            self.kind_cut.append(acc)

    def uk_number(self, i):
        r = i % 100
        if r < 5:
            return "SC%06d" % (100000 + i % 900000)
        if r < 7:
            return "NI%06d" % (600000 + i % 400000)
        if r < 8:
            return "OC%06d" % (300000 + i % 700000)
        return "%08d" % (1000000 + (i * 7919) % 15000000)

    def token(self, rng):
        # 27 characters of base64url, as the service's ids.
        return base64.urlsafe_b64encode(rng.getrandbits(168).to_bytes(21, "big"))[:27].decode()

    def etag(self, rng):
        return "%040x" % rng.getrandbits(160)

    def day(self, rng, start_year, end):
        start = dt.date(start_year, 1, 1).toordinal()
        return dt.date.fromordinal(rng.randint(start, end.toordinal())).isoformat()

    def address(self, rng):
        parts = ['"address_line_1":%s' % jstr(rng.choice(STREETS)),
                 '"country":%s' % jstr(rng.choice(COUNTRIES)),
                 '"locality":%s' % jstr(rng.choice(TOWNS)),
                 '"postal_code":"%s%d %d%s"' % (rng.choice(["RG", "LS", "M", "B", "EH", "BT"]),
                                                rng.randint(1, 30), rng.randint(1, 9),
                                                rng.choice(["HP", "AA", "XT", "QZ"])),
                 '"premises":"%d"' % rng.randint(1, 250)]
        if rng.random() < 0.75:
            parts.insert(1, '"address_line_2":%s' % jstr(rng.choice(STREETS)))
        return "{" + ",".join(parts) + "}"

    def natures(self, rng, oe):
        if oe:
            items = [jstr(x) for x in rng.sample(OE_NATURES, rng.randint(1, 3))]
            if rng.random() < 0.02:
                items.insert(1, "null")  # a null element (2 in the 2026 file)
            return "[" + ",".join(items) + "]"
        return "[" + ",".join(jstr(x) for x in rng.choice(NATURES)) + "]"

    # ---- one line per kind; each returns (company_number, self link, data text)

    def psc_line(self, i, rng, kind_index, ceased_on, extra_seed=0):
        kind, segment, _stream_kind, _n = PSC_KINDS[kind_index]
        oe = "beneficial-owner" in kind
        number = (self.oe if oe else self.uk)[rng.randrange(len(self.oe if oe else self.uk))]
        psc_id = self.token(rng)
        link = "/company/%s/persons-with-significant-control/%s/%s" % (number, segment, psc_id)
        etag = self.etag(rng)
        if kind.startswith("super-secure"):
            desc = ("super-secure-persons-with-significant-control"
                    if kind.endswith("control") else "super-secure-beneficial-owner")
            fields = ['"ceased":%s' % ("true" if ceased_on else "false"),
                      '"description":"%s"' % desc]
            fields += ['"etag":"%s"' % etag, '"kind":"%s"' % kind,
                       '"links":{"self":"%s"}' % link]
            return number, link, "{" + ",".join(fields) + "}"
        notified = self.day(rng, 2016, self.date - dt.timedelta(days=1))
        fields = ['"address":' + self.address(rng)]
        if ceased_on:
            fields.append('"ceased_on":"%s"' % ceased_on)
        if kind.startswith("individual"):
            title, fore = rng.choice(TITLES), rng.choice(FORENAMES)
            middle = rng.choice(MIDDLES) if rng.random() < 0.4 else None
            sur = rng.choice(SURNAMES)
            name = " ".join(x for x in (title, fore, middle, sur) if x)
            fields.append('"country_of_residence":%s' % jstr(rng.choice(COUNTRIES)))
            fields.append('"date_of_birth":{"month":%d,"year":%d}'
                          % (rng.randint(1, 12), rng.randint(1935, 2004)))
            fields.append('"etag":"%s"' % etag)
            if rng.random() < 0.5:
                verified = self.day(rng, 2025, self.date - dt.timedelta(days=1))
                fields.append('"identity_verification_details":{"appointment_verification_end_on":'
                              '"%s","appointment_verification_statement_date":"%s",'
                              '"appointment_verification_statement_due_on":"%s",'
                              '"identity_verified_on":"%s","preferred_name":%s}'
                              % (verified, verified, verified, verified, jstr(fore)))
            if oe and rng.random() < 0.5:
                fields.append('"is_sanctioned":false')
            fields.append('"kind":"%s"' % kind)
            fields.append('"links":{"self":"%s"}' % link)
            fields.append('"name":%s' % jstr(name))
            elements = ['"forename":%s' % jstr(fore)]
            if middle:
                elements.append('"middle_name":%s' % jstr(middle))
            elements += ['"surname":%s' % jstr(sur), '"title":"%s"' % title]
            fields.append('"name_elements":{%s}' % ",".join(elements))
            fields.append('"nationality":%s' % jstr(rng.choice(NATIONALITIES)))
        else:
            form, authority, place, country = rng.choice(LEGAL_FORMS)
            name = "%s %s %s" % (rng.choice(SURNAMES), rng.choice(COMPANY_WORDS),
                                 rng.choice(["Limited", "Ltd", "PLC", "LLP", "& Co Limited"]))
            fields.append('"etag":"%s"' % etag)
            ident = ['"country_registered":%s' % jstr(country),
                     '"legal_authority":%s' % jstr(authority),
                     '"legal_form":%s' % jstr(form)]
            if not kind.startswith("legal-person"):
                ident += ['"place_registered":%s' % jstr(place),
                          '"registration_number":"%08d"' % rng.randint(1, 15999999)]
            fields.append('"identification":{%s}' % ",".join(ident))
            if oe:
                fields.append('"is_sanctioned":false')
            fields.append('"kind":"%s"' % kind)
            fields.append('"links":{"self":"%s"}' % link)
            fields.append('"name":%s' % jstr(name))
        fields.append('"natures_of_control":' + self.natures(rng, oe))
        fields.append('"notified_on":"%s"' % notified)
        if oe:
            fields.append('"principal_office_address":' + self.address(rng))
        return number, link, "{" + ",".join(fields) + "}"

    def statement_line(self, rng, ceased_on):
        number = self.uk[rng.randrange(len(self.uk))]
        sid = self.token(rng)
        link = "/company/%s/persons-with-significant-control-statements/%s" % (number, sid)
        fields = []
        if ceased_on:
            fields.append('"ceased_on":"%s"' % ceased_on)
        fields += ['"etag":"%s"' % self.etag(rng),
                   '"kind":"persons-with-significant-control-statement"',
                   '"links":{"self":"%s"}' % link,
                   '"notified_on":"%s"' % self.day(rng, 2016, self.date - dt.timedelta(days=1)),
                   '"statement":"%s"' % rng.choice(STATEMENTS)]
        return number, link, "{" + ",".join(fields) + "}"

    def exemption_line(self, rng):
        number = self.uk[rng.randrange(len(self.uk))]
        link = "/company/%s/exemptions" % number
        start = self.day(rng, 2016, self.date - dt.timedelta(days=1))
        data = ('{"etag":"%s","exemptions":{"psc_exempt_as_trading_on_regulated_market":'
                '{"exemption_type":"psc-exempt-as-trading-on-regulated-market","items":'
                '[{"exempt_from":"%s"}]}},"kind":"exemptions","links":{"self":"%s"}}'
                % (self.etag(rng), start, link))
        return number, link, data

    def unknown_line(self, rng, k):
        number = self.uk[rng.randrange(len(self.uk))]
        kind = UNKNOWN_KINDS[k % len(UNKNOWN_KINDS)]
        link = "/company/%s/persons-with-significant-control/%s/%s" % (
            number, kind.split("-")[0], self.token(rng))
        data = ('{"etag":"%s","kind":"%s","links":{"self":"%s"},"name":"%s",'
                '"notified_on":"%s"}' % (self.etag(rng), kind, link,
                                         rng.choice(SURNAMES).replace("'", ""),
                                         self.day(rng, 2020, self.date)))
        return number, link, data

    # ---- the snapshot

    def lines(self):
        """Yields (family, company_number, link, data text, state) for each
        line but the totals line; state is what the stream generator
        needs (the kind index and the line's own seed)."""
        day_before = (self.date - dt.timedelta(days=1)).isoformat()
        unknown_every = (self.n_psc // self.n_unknown + 1) if self.n_unknown else 0
        unknown_done = 0
        total = self.kind_cut[-1]
        for i in range(self.n_psc):
            # Each line from its own seed: a variant changes some lines
            # and keeps every other byte for byte.
            line_seed = self.rng.getrandbits(64)
            rng = random.Random(line_seed)
            # The rare kinds at fixed places, so that a small snapshot has them.
            if i < len(PSC_KINDS) and self.n_psc >= 1000:
                kind_index = len(PSC_KINDS) - 1 - i
            else:
                pick = rng.randrange(total)
                kind_index = next(j for j, cut in enumerate(self.kind_cut) if pick < cut)
            ceased = None
            if rng.random() < 0.166:
                ceased = self.day(rng, 2016, self.date - dt.timedelta(days=2))
            fate = random.Random(line_seed ^ self.variant).random() if self.variant else 1.0
            if fate < 0.02:
                continue  # gone from the register
            if ceased is None and fate < 0.06:
                ceased = day_before
            number, link, data = self.psc_line(i, rng, kind_index, ceased)
            yield "pscs", number, link, data, (kind_index, line_seed)
            if self.variant and fate < 0.08:
                # A PSC notified since.
                nrng = random.Random(line_seed + self.variant)
                number, link, data = self.psc_line(i, nrng, 0, None)
                yield "pscs", number, link, data, (0, line_seed + self.variant)
            if unknown_every and unknown_done < self.n_unknown and i % unknown_every == 0:
                yield "other", *self.unknown_line(rng, unknown_done), None
                unknown_done += 1
        while unknown_done < self.n_unknown:
            yield "other", *self.unknown_line(self.rng, unknown_done), None
            unknown_done += 1
        for _ in range(self.n_statements):
            rng = random.Random(self.rng.getrandbits(64))
            ceased = self.day(rng, 2017, self.date) if rng.random() < 0.3 else None
            yield "statements", *self.statement_line(rng, ceased), None
        for _ in range(self.n_exempt):
            yield "exemptions", *self.exemption_line(random.Random(self.rng.getrandbits(64))), None


def totals_line(counts, date):
    generated = "%sT03:40:50+00:00" % date.isoformat()
    return ('{"data":{"kind":"%s","persons_of_significant_control_count":%d,'
            '"statements_count":%d,"exemptions_count":%d,"generated_at":"%s"}}'
            % (TOTALS_KIND, counts["pscs"], counts["statements"], counts["exemptions"],
               generated))


def stream_events(gen, snapshot, args, out):
    """PSC stream events about every E-th PSC line (see the module text)."""
    every = args.stream_every
    tp = args.stream_first_timepoint
    published = dt.datetime.fromisoformat(args.stream_published_at)
    step = dt.timedelta(seconds=args.stream_step_seconds)
    n = 0
    for family, number, link, data, state in snapshot:
        if family != "pscs" or state is None:
            continue
        kind_index, line_seed = state
        n += 1
        if n % every:
            continue
        kind, segment, stream_kind, _ = PSC_KINDS[kind_index]
        if kind.startswith("super-secure"):
            continue
        action = (n // every) % 5
        when = published.strftime("%Y-%m-%dT%H:%M:%S")
        psc_id = link.rsplit("/", 1)[1]
        event_data = data
        etype = "changed"
        if action == 0:
            # Ceased: ceased_on follows the address object in the sorted data.
            day = published.date().isoformat()
            if '"ceased_on":"' in data:
                start = data.index('"ceased_on":"') + len('"ceased_on":"')
                event_data = data[:start] + day + data[start + 10:]
            else:
                end = data.index("}", data.index('"address":{')) + 1
                event_data = data[:end] + ',"ceased_on":"%s"' % day + data[end:]
        elif action == 1:
            start = data.index('"natures_of_control":[')
            end = data.index("]", start)
            event_data = (data[:start] + '"natures_of_control":["significant-influence-or-control"'
                          + data[end:])
        elif action == 2:
            etype = "deleted"
        elif action == 3:
            etype = "deleted"
            event_data = None
        else:
            nrng = random.Random(line_seed * 31 + 7)
            kind, segment, stream_kind, _ = PSC_KINDS[0]
            new_id = gen.token(nrng)
            new_link = "/company/%s/persons-with-significant-control/%s/%s" % (
                number, segment, new_id)
            event_data = ('{"address":{"address_line_1":"New Street","locality":"Leeds",'
                          '"postal_code":"LS1 1AA","premises":"1"},"etag":"%s","kind":"%s",'
                          '"links":{"self":"%s"},"name":"Mr New Owner %d",'
                          '"natures_of_control":["ownership-of-shares-75-to-100-percent"],'
                          '"notified_on":"%s"}' % (gen.etag(nrng), kind, new_link, n,
                                                   published.date().isoformat()))
            link, psc_id = new_link, new_id
        line = '{"resource_kind":"%s","resource_uri":"%s","resource_id":"%s",' % (
            stream_kind, link, psc_id)
        if event_data is not None:
            line += '"data":%s,' % event_data
        line += '"event":{"timepoint":%d,"published_at":"%s","type":"%s"}}\n' % (
            tp, when, etype)
        out.write(line)
        tp += 1
        published += step


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, required=True, help="lines, the totals line included")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--date", default="2026-12-05", help="the snapshot's date (YYYY-MM-DD)")
    p.add_argument("--variant", type=int, default=0)
    p.add_argument("--no-totals", action="store_true")
    p.add_argument("--unknown-kinds", type=int, default=0)
    p.add_argument("--count-unknown", action="store_true")
    p.add_argument("--out")
    p.add_argument("--parts", type=int)
    p.add_argument("--out-dir")
    p.add_argument("--stream-out")
    p.add_argument("--stream-first-timepoint", type=int, default=1000)
    p.add_argument("--stream-published-at", default="2026-12-05T09:00:00")
    p.add_argument("--stream-every", type=int, default=50)
    p.add_argument("--stream-step-seconds", type=int, default=60)
    args = p.parse_args(argv)
    if (args.out is None) == (args.parts is None):
        p.error("give --out FILE or --parts P --out-dir DIR")
    if args.parts is not None and (args.parts < 1 or not args.out_dir):
        p.error("--parts needs a positive count and --out-dir")
    date = dt.date.fromisoformat(args.date)
    gen = Gen(args.seed, args.lines, date, args.variant, args.unknown_kinds)

    counts = {"pscs": 0, "statements": 0, "exemptions": 0, "other": 0}
    lines = []
    if args.stream_out:
        snapshot = list(gen.lines())
        with open(args.stream_out, "w", encoding="utf-8") as f:
            stream_events(gen, snapshot, args, f)
        source = iter(snapshot)
    else:
        source = gen.lines()

    def render():
        for family, number, _link, data, _state in source:
            counts[family] += 1
            yield '{"company_number":"%s","data":%s}\n' % (number, data)
        if not args.no_totals:
            if args.count_unknown:
                counts["pscs"] += counts["other"]
            yield totals_line(counts, date) + "\n"

    if args.out is not None:
        out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
        buf = []
        for line in render():
            buf.append(line)
            if len(buf) >= 4096:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
        if out is not sys.stdout:
            out.close()
    else:
        lines = list(render())
        os.makedirs(args.out_dir, exist_ok=True)
        per = -(-len(lines) // args.parts)
        for k in range(args.parts):
            name = "psc-snapshot-%s_%dof%d.txt" % (date.isoformat(), k + 1, args.parts)
            with open(os.path.join(args.out_dir, name), "w", encoding="utf-8") as f:
                f.write("".join(lines[k * per:(k + 1) * per]))
    sys.stderr.write("gen_psc_snapshot: pscs=%d statements=%d exemptions=%d other=%d%s\n"
                     % (counts["pscs"], counts["statements"], counts["exemptions"],
                        counts["other"], "" if args.no_totals else " +totals"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
