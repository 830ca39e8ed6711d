#!/bin/bash
# Signals and leads through the real `ch-parse --stream S | ch-store`, from
# small hand-made captures (and real insolvency events, byte for byte):
#   - a DS01 -> GAZ1(A) -> GAZ2(A) strike-off: three signals, three leads;
#     a re-published DS01 (links.document_metadata) and a reconnect overlap
#     add nothing;
#   - a DS01 then a DS02 withdrawal: the DS02 is a strike-off-halted
#     signal, not a lead;
#   - an old GAZ1(A) re-published today: a signal, not a lead; a filing
#     dated exactly 30 days before it was published is a lead, 31 days not;
#   - the same company's status changes (proposal to strike off, dissolved);
#   - every lead of that company carries its current details (dissolved,
#     also on the leads from before), its director (not the resigned
#     secretary) and its PSC (not the ceased one);
#   - an insolvency record growing from one case to two: the second case
#     gets its own signal, the rows are replaced (two, not three), and the
#     same record re-sent (also with its case numbers as integers) adds
#     nothing; a case without dates is a lead with occurred_on NULL, an
#     administration that started a year before it was published is not;
#   - one filing under a lower-case company number and again under the
#     canonical URI: one signal (keyed by its transaction), one lead.
# Each expectation is written out below, and the whole database is also
# compared with tests/oracle.py --stream, file by file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REAL="$ROOT/samples/real/events"
DB="$TMP/s.db"

cat >"$TMP/filings.ndjson" <<'EOF'
{"resource_kind":"filing-history","resource_uri":"/company/09876501/filing-history/TXA1","resource_id":"TXA1","data":{"category":"dissolution","date":"2026-11-20","description":"dissolution-application-strike-off-company","links":{"self":"/company/09876501/filing-history/TXA1"},"transaction_id":"TXA1","type":"DS01"},"event":{"timepoint":9001,"published_at":"2026-11-23T10:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876501/filing-history/TXA2","resource_id":"TXA2","data":{"category":"gazette","date":"2026-12-01","description":"gazette-notice-voluntary","links":{"self":"/company/09876501/filing-history/TXA2"},"transaction_id":"TXA2","type":"GAZ1(A)"},"event":{"timepoint":9002,"published_at":"2026-12-01T07:00:00.123456Z","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876501/filing-history/TXA1","resource_id":"TXA1","data":{"category":"dissolution","date":"2026-11-20","description":"dissolution-application-strike-off-company","links":{"document_metadata":"https://frontend-doc-api.company-information.service.gov.uk/document/X1","self":"/company/09876501/filing-history/TXA1"},"pages":3,"transaction_id":"TXA1","type":"DS01"},"event":{"fields_changed":["links.document_metadata"],"timepoint":9003,"published_at":"2026-12-02T08:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876501/filing-history/TXA3","resource_id":"TXA3","data":{"category":"gazette","date":"2027-02-09","description":"gazette-dissolved-voluntary","links":{"self":"/company/09876501/filing-history/TXA3"},"transaction_id":"TXA3","type":"GAZ2(A)"},"event":{"timepoint":9004,"published_at":"2027-02-09T09:30:00+01:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876501/filing-history/TXA2","resource_id":"TXA2","data":{"category":"gazette","date":"2026-12-01","description":"gazette-notice-voluntary","links":{"self":"/company/09876501/filing-history/TXA2"},"transaction_id":"TXA2","type":"GAZ1(A)"},"event":{"timepoint":9002,"published_at":"2026-12-01T07:00:00.123456Z","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876502/filing-history/TXB1","resource_id":"TXB1","data":{"category":"dissolution","date":"2026-11-22","description":"dissolution-application-strike-off-company","links":{"self":"/company/09876502/filing-history/TXB1"},"transaction_id":"TXB1","type":"DS01"},"event":{"timepoint":9005,"published_at":"2026-11-23T11:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876502/filing-history/TXB2","resource_id":"TXB2","data":{"category":"dissolution","date":"2026-11-30","description":"dissolution-withdrawal-application-strike-off-company","links":{"self":"/company/09876502/filing-history/TXB2"},"transaction_id":"TXB2","type":"DS02"},"event":{"timepoint":9006,"published_at":"2026-11-30T12:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876503/filing-history/TXC1","resource_id":"TXC1","data":{"category":"gazette","date":"2009-03-10","description":"gazette-notice-voluntary","links":{"self":"/company/09876503/filing-history/TXC1"},"transaction_id":"TXC1","type":"GAZ1(A)"},"event":{"timepoint":9007,"published_at":"2026-11-24T09:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876503/filing-history/TXC2","resource_id":"TXC2","data":{"category":"dissolution","date":"2026-10-25","description":"dissolution-application-strike-off-company","links":{"self":"/company/09876503/filing-history/TXC2"},"transaction_id":"TXC2","type":"DS01"},"event":{"timepoint":9008,"published_at":"2026-11-24T23:59:59","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/09876503/filing-history/TXC3","resource_id":"TXC3","data":{"category":"gazette","date":"2026-10-24","description":"gazette-notice-compulsory","links":{"self":"/company/09876503/filing-history/TXC3"},"transaction_id":"TXC3","type":"GAZ1"},"event":{"timepoint":9009,"published_at":"2026-11-24T00:00:00","type":"changed"}}
EOF
cat >"$TMP/companies.ndjson" <<'EOF'
{"resource_kind":"company-profile","resource_uri":"/company/09876501","resource_id":"09876501","data":{"company_name":"ALPHA STRIKE LIMITED","company_number":"09876501","date_of_creation":"2015-06-01","jurisdiction":"england-wales","registered_office_address":{"address_line_1":"1 High Street","locality":"Leeds","postal_code":"LS1 1AA"},"sic_codes":["62020","70229"],"company_status":"active","type":"ltd"},"event":{"timepoint":501,"published_at":"2026-11-20T09:00:00","type":"changed"}}
{"resource_kind":"company-profile","resource_uri":"/company/09876501","resource_id":"09876501","data":{"company_name":"ALPHA STRIKE LIMITED","company_number":"09876501","date_of_creation":"2015-06-01","jurisdiction":"england-wales","registered_office_address":{"address_line_1":"1 High Street","locality":"Leeds","postal_code":"LS1 1AA"},"sic_codes":["62020","70229"],"company_status":"active","company_status_detail":"active-proposal-to-strike-off","type":"ltd"},"event":{"timepoint":502,"published_at":"2026-12-01T09:00:00","type":"changed"}}
{"resource_kind":"company-profile","resource_uri":"/company/09876501","resource_id":"09876501","data":{"company_name":"ALPHA STRIKE LIMITED","company_number":"09876501","date_of_creation":"2015-06-01","jurisdiction":"england-wales","registered_office_address":{"address_line_1":"1 High Street","locality":"Leeds","postal_code":"LS1 1AA"},"sic_codes":["62020","70229"],"company_status":"dissolved","date_of_cessation":"2027-02-09","type":"ltd"},"event":{"timepoint":503,"published_at":"2027-02-10T06:00:00","type":"changed"}}
EOF
# The people to contact at ALPHA: a director, a resigned secretary, a PSC
# and a ceased one; and a director and a PSC who left on a date that does
# not exist (29 February 2019): they left all the same.
cat >"$TMP/officers.ndjson" <<'EOF'
{"resource_kind":"company-officers","resource_uri":"/company/09876501/appointments/APPA1","resource_id":"APPA1","data":{"appointed_on":"2015-06-01","name":"BROWN, Anna","officer_role":"director"},"event":{"timepoint":7001,"published_at":"2026-11-20T09:00:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/09876501/appointments/APPA2","resource_id":"APPA2","data":{"appointed_on":"2015-06-01","name":"GREY, Bob","officer_role":"secretary","resigned_on":"2020-01-31"},"event":{"timepoint":7002,"published_at":"2026-11-20T09:01:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/09876501/appointments/APPA3","resource_id":"APPA3","data":{"appointed_on":"2015-06-01","name":"WHITE, Carol","officer_role":"director","resigned_on":"2019-02-29"},"event":{"timepoint":7003,"published_at":"2026-11-20T09:01:30","type":"changed"}}
EOF
cat >"$TMP/pscs.ndjson" <<'EOF'
{"resource_kind":"company-psc-individual","resource_uri":"/company/09876501/persons-with-significant-control/individual/PSCA1","resource_id":"PSCA1","data":{"kind":"individual-person-with-significant-control","name":"Ms Anna Brown","natures_of_control":["ownership-of-shares-75-to-100-percent"],"notified_on":"2016-04-06"},"event":{"timepoint":8001,"published_at":"2026-11-20T09:02:00","type":"changed"}}
{"resource_kind":"company-psc-individual","resource_uri":"/company/09876501/persons-with-significant-control/individual/PSCA2","resource_id":"PSCA2","data":{"ceased_on":"2019-05-01","kind":"individual-person-with-significant-control","name":"Mr Bob Grey","natures_of_control":["significant-influence-or-control"],"notified_on":"2016-04-06"},"event":{"timepoint":8002,"published_at":"2026-11-20T09:03:00","type":"changed"}}
{"resource_kind":"company-psc-individual","resource_uri":"/company/09876501/persons-with-significant-control/individual/PSCA3","resource_id":"PSCA3","data":{"ceased_on":"2019-02-29","kind":"individual-person-with-significant-control","name":"Mr Carl White","natures_of_control":["significant-influence-or-control"],"notified_on":"2016-04-06"},"event":{"timepoint":8003,"published_at":"2026-11-20T09:04:00","type":"changed"}}
EOF
# Insolvency: two real records (a liquidation without dates; an
# administration of 2020 published in 2021), then the administration grows
# a second case (a creditors' voluntary liquidation), re-sent as it is and
# with its case numbers as integers.
{
  sed -n 1p "$REAL/insolvency-cases.ndjson"
  sed -n 13p "$REAL/insolvency-cases.ndjson"
} >"$TMP/insolvency-1.ndjson"
grep -q '"timepoint":568173,' "$TMP/insolvency-1.ndjson" && grep -q '"timepoint":568191,' "$TMP/insolvency-1.ndjson" ||
  fail "samples/real/events/insolvency-cases.ndjson lines 1 and 13 moved"
cat >"$TMP/insolvency-2.ndjson" <<'EOF'
{"resource_kind":"company-insolvency","resource_uri":"/company/07681347/insolvency","resource_id":"07681347","data":{"cases":[{"dates":[{"date":"2020-01-17","type":"administration-started-on"},{"date":"2021-02-01","type":"administration-ended-on"}],"number":"1","practitioners":[{"name":"Stephen Goderski","role":"practitioner"},{"name":"Peter Hart","role":"practitioner"}],"type":"in-administration"},{"dates":[{"date":"2021-02-01","type":"wound-up-on"}],"number":"2","practitioners":[{"name":"Peter Hart","role":"practitioner"}],"type":"creditors-voluntary-liquidation"}],"etag":"e2"},"event":{"timepoint":568300,"published_at":"2021-02-02T10:00:00","type":"changed"}}
EOF
cat >"$TMP/insolvency-3.ndjson" <<'EOF'
{"resource_kind":"company-insolvency","resource_uri":"/company/07681347/insolvency","resource_id":"07681347","data":{"cases":[{"dates":[{"date":"2020-01-17","type":"administration-started-on"},{"date":"2021-02-01","type":"administration-ended-on"}],"number":"1","practitioners":[{"name":"Stephen Goderski","role":"practitioner"},{"name":"Peter Hart","role":"practitioner"}],"type":"in-administration"},{"dates":[{"date":"2021-02-01","type":"wound-up-on"}],"number":"2","practitioners":[{"name":"Peter Hart","role":"practitioner"}],"type":"creditors-voluntary-liquidation"}],"etag":"e2"},"event":{"timepoint":568301,"published_at":"2021-02-03T10:00:00","type":"changed"}}
{"resource_kind":"company-insolvency","resource_uri":"/company/07681347/insolvency","resource_id":"07681347","data":{"cases":[{"dates":[{"date":"2020-01-17","type":"administration-started-on"},{"date":"2021-02-01","type":"administration-ended-on"}],"number":1,"practitioners":[{"name":"Stephen Goderski","role":"practitioner"},{"name":"Peter Hart","role":"practitioner"}],"type":"in-administration"},{"dates":[{"date":"2021-02-01","type":"wound-up-on"}],"number":2,"practitioners":[{"name":"Peter Hart","role":"practitioner"}],"type":"creditors-voluntary-liquidation"}],"etag":"e2"},"event":{"timepoint":568302,"published_at":"2021-02-04T10:00:00","type":"changed"}}
EOF

# signals_and_leads: every signal in id order (numbered: an ignored insert
# of a signal already stored uses up an id, so ids may skip) with whether
# it is a lead.
signals_and_leads() {
  sql "$DB" "SELECT row_number() OVER (ORDER BY s.id), s.signal, s.detail, coalesce(s.occurred_on, '-'), s.resource_uri,
                    CASE WHEN l.id IS NULL THEN 'signal' ELSE 'lead' END
             FROM signals s LEFT JOIN leads l ON l.id = s.id ORDER BY s.id"
}

parse_into "$DB" filings "$TMP/filings.ndjson"
parse_into "$DB" companies "$TMP/companies.ndjson"
parse_into "$DB" officers "$TMP/officers.ndjson"
parse_into "$DB" persons-with-significant-control "$TMP/pscs.ndjson"
parse_into "$DB" insolvency-cases "$TMP/insolvency-1.ndjson"
assert_eq "1|strike-off-applied|DS01|2026-11-20|/company/09876501/filing-history/TXA1|lead
2|strike-off-gazetted|GAZ1(A)|2026-12-01|/company/09876501/filing-history/TXA2|lead
3|dissolved|GAZ2(A)|2027-02-09|/company/09876501/filing-history/TXA3|lead
4|strike-off-applied|DS01|2026-11-22|/company/09876502/filing-history/TXB1|lead
5|strike-off-halted|DS02|2026-11-30|/company/09876502/filing-history/TXB2|signal
6|strike-off-gazetted|GAZ1(A)|2009-03-10|/company/09876503/filing-history/TXC1|signal
7|strike-off-applied|DS01|2026-10-25|/company/09876503/filing-history/TXC2|lead
8|strike-off-gazetted|GAZ1|2026-10-24|/company/09876503/filing-history/TXC3|signal
9|proposal-to-strike-off|active-proposal-to-strike-off|2026-12-01|/company/09876501|lead
10|dissolved|dissolved|2027-02-10|/company/09876501|lead
11|liquidation|creditors-voluntary-liquidation|-|/company/12325716/insolvency|lead
12|administration|in-administration|2020-01-17|/company/07681347/insolvency|signal" \
  "$(signals_and_leads)" "signals after the filings, the companies and one case each"
# The re-published DS01 moved the resource (and its pages), not the signal.
assert_eq "9003|2026-12-02T08:00:00Z|3|0" \
  "$(sql "$DB" "SELECT r.timepoint, r.published_at, f.pages, f.deleted FROM resources r JOIN filings f USING (resource_uri) WHERE resource_uri = '/company/09876501/filing-history/TXA1'")" \
  "the re-published DS01"
assert_eq "2026-11-23T10:00:00Z|9001" \
  "$(sql "$DB" "SELECT published_at, timepoint FROM signals WHERE resource_uri = '/company/09876501/filing-history/TXA1'")" "the DS01 signal keeps its first publication"
assert_eq "2027-02-09T08:30:00Z" "$(sql "$DB" "SELECT published_at FROM signals WHERE resource_uri = '/company/09876501/filing-history/TXA3'")" \
  "an offset converted to UTC"

# The second case: its own signal; the rows replaced.
parse_into "$DB" insolvency-cases "$TMP/insolvency-2.ndjson"
assert_eq "13|liquidation|creditors-voluntary-liquidation|2021-02-01|/company/07681347/insolvency|lead" \
  "$(signals_and_leads | tail -n +13)" "the second case's signal"
assert_eq "insolvency:07681347:2:creditors-voluntary-liquidation" \
  "$(sql "$DB" "SELECT signal_key FROM signals ORDER BY id DESC LIMIT 1")" "the second case's key"
want_rows="0|1|in-administration|2020-01-17|Stephen Goderski; Peter Hart|0
1|2|creditors-voluntary-liquidation|2021-02-01|Peter Hart|0"
assert_eq "$want_rows" \
  "$(sql "$DB" "SELECT case_index, case_number, case_type, started_on, practitioners, deleted FROM insolvency_cases WHERE company_number = '07681347' ORDER BY case_index")" \
  "two case rows, replacing the one"
db_as_oracle_files "$DB" "$TMP/before-resend"
parse_into "$DB" insolvency-cases "$TMP/insolvency-3.ndjson"
assert_eq 13 "$(sql "$DB" "SELECT count(*) FROM signals")" "the re-sent record (and numbers as integers) adds no signal"
assert_eq "$want_rows" \
  "$(sql "$DB" "SELECT case_index, case_number, case_type, started_on, practitioners, deleted FROM insolvency_cases WHERE company_number = '07681347' ORDER BY case_index")" \
  "the re-sent record leaves the same two rows"
assert_eq "568302" "$(store --db "$DB" checkpoint --stream insolvency-cases)" "insolvency checkpoint"
db_as_oracle_files "$DB" "$TMP/after-resend"
for f in signals.csv signals_by_id.csv leads.csv insolvency_cases.csv filings.csv companies.csv; do
  cmp -s "$TMP/before-resend/$f" "$TMP/after-resend/$f" || fail "the re-sent record changed $f"
done

# ch-store leads: the leads in signal order, with the company's details.
store --db "$DB" leads --format ndjson >"$TMP/leads.ndjson"
python3 - "$TMP/leads.ndjson" <<'PY' || fail "ch-store leads: $(head -c 600 "$TMP/leads.ndjson")"
import json, sys
leads = [json.loads(l) for l in open(sys.argv[1])]
ids = [l["id"] for l in leads]
assert ids == sorted(set(ids)), ids
got = [(l["signal"], l["detail"], l["company_number"]) for l in leads]
want = [("strike-off-applied", "DS01", "09876501"), ("strike-off-gazetted", "GAZ1(A)", "09876501"),
        ("dissolved", "GAZ2(A)", "09876501"), ("strike-off-applied", "DS01", "09876502"),
        ("strike-off-applied", "DS01", "09876503"),
        ("proposal-to-strike-off", "active-proposal-to-strike-off", "09876501"),
        ("dissolved", "dissolved", "09876501"),
        ("liquidation", "creditors-voluntary-liquidation", "12325716"),
        ("liquidation", "creditors-voluntary-liquidation", "07681347")]
assert got == want, got
alpha = [l for l in leads if l["company_number"] == "09876501"]
assert len(alpha) == 5, alpha
# Each lead carries the company's current details (the dissolution, also
# on the leads from before it) and its current officers and PSCs.
want = {"company_name": "ALPHA STRIKE LIMITED", "company_status": "dissolved",
        "company_status_detail": None, "address_line_1": "1 High Street", "locality": "Leeds",
        "postal_code": "LS1 1AA", "sic_codes": "62020,70229", "type": "ltd",
        "jurisdiction": "england-wales", "date_of_creation": "2015-06-01",
        "date_of_cessation": "2027-02-09", "officers": "BROWN, Anna (director)",
        "pscs": "Ms Anna Brown (individual)"}
for l in alpha:
    assert {k: l[k] for k in want} == want, l
others = [l for l in leads if l["company_number"] != "09876501"]
assert all(l["company_name"] is None and l["officers"] is None and l["pscs"] is None
           for l in others), others
assert leads[0]["new_status"] is None and leads[5]["new_status"] == "active", leads[5]
assert leads[5]["new_status_detail"] == "active-proposal-to-strike-off" and leads[5]["old_status"] == "active"
assert leads[0]["published_at"] == "2026-11-23T10:00:00Z" and leads[0]["occurred_on"] == "2026-11-20"
assert leads[7]["occurred_on"] is None, leads[7]
PY

# The oracle agrees, file by file (ids in this order of application too).
oracle_streams "$TMP/want" filings "$TMP/filings.ndjson" companies "$TMP/companies.ndjson" \
  officers "$TMP/officers.ndjson" persons-with-significant-control "$TMP/pscs.ndjson" \
  insolvency-cases "$TMP/insolvency-1.ndjson" insolvency-cases "$TMP/insolvency-2.ndjson" \
  insolvency-cases "$TMP/insolvency-3.ndjson"
compare_with_oracle "$DB" "$TMP/want"
cmp -s "$TMP/want/signals_by_id.csv" "$DB.files/signals_by_id.csv" || fail "signal ids differ from the oracle's order"

# Replaying everything again changes nothing.
parse_into "$DB" filings "$TMP/filings.ndjson"
parse_into "$DB" companies "$TMP/companies.ndjson"
parse_into "$DB" officers "$TMP/officers.ndjson"
parse_into "$DB" persons-with-significant-control "$TMP/pscs.ndjson"
parse_into "$DB" insolvency-cases "$TMP/insolvency-1.ndjson" "$TMP/insolvency-2.ndjson" "$TMP/insolvency-3.ndjson"
compare_with_oracle "$DB" "$TMP/want" "the database after a replay"
cmp -s "$TMP/want/signals_by_id.csv" "$DB.files/signals_by_id.csv" || fail "a replay changed the signal ids"
# A filing is keyed by its transaction: the same DS01 under a lower-case
# company number (then canonical, and with a trailing slash) is one signal.
cat >"$TMP/filings-case.ndjson" <<'EOF'
{"resource_kind":"filing-history","resource_uri":"/company/sc987650/filing-history/TXD1","resource_id":"TXD1","data":{"category":"dissolution","date":"2026-11-20","description":"dissolution-application-strike-off-company","transaction_id":"TXD1","type":"DS01"},"event":{"timepoint":9101,"published_at":"2026-11-23T10:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/SC987650/filing-history/TXD1","resource_id":"TXD1","data":{"category":"dissolution","date":"2026-11-20","description":"dissolution-application-strike-off-company","transaction_id":"TXD1","type":"DS01"},"event":{"timepoint":9102,"published_at":"2026-11-23T10:00:01","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"company/SC987650/filing-history/TXD1/","resource_id":"TXD1","data":{"category":"dissolution","date":"2026-11-20","description":"dissolution-application-strike-off-company","transaction_id":"TXD1","type":"DS01"},"event":{"timepoint":9103,"published_at":"2026-11-23T10:00:02","type":"changed"}}
EOF
DB2="$TMP/case.db"
parse_into "$DB2" filings "$TMP/filings-case.ndjson"
assert_eq "1|filing:/company/SC987650/filing-history/TXD1|SC987650|/company/sc987650/filing-history/TXD1" \
  "$(sql "$DB2" "SELECT count(*), signal_key, company_number, resource_uri FROM signals")" \
  "one signal for one transaction, whatever the URI's case"
assert_eq 1 "$(sql "$DB2" "SELECT count(*) FROM leads")" "one lead"
oracle_streams "$TMP/want-case" filings "$TMP/filings-case.ndjson"
compare_with_oracle "$DB2" "$TMP/want-case"

echo "PASS 67_streams_signals"
