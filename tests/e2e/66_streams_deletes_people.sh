#!/bin/bash
# Deletes and the people to contact, through the real
# `ch-parse --stream S | ch-store`, from small captures built around real
# events (samples/real/events/, byte for byte, and lines derived from them
# with one member changed):
#   - `deleted` with data and without, of resources seen and never seen: the
#     row keeps its last values (or is an identity-only stub) with
#     deleted = 1, `resources.data` keeps the last data (NULL when never
#     known); a deleted DS01 adds no signal, its later `changed` event does;
#     an insolvency resource deleted without data keeps its case rows marked,
#     and one never seen has none;
#   - a later `changed` event clears the mark, with data (rows replaced) and
#     without (DESIGN.md's rejects are exhaustive: a changed event without
#     data is a record; the stored data and rows stay, unmarked);
#   - an officer's resignation (a real resigned_on event) and a PSC's
#     cessation (a real ceased_on event): both leave `leads.officers` /
#     `leads.pscs`, as do deleted officers and PSCs.
# Each expectation is written out, and the whole database is compared with
# tests/oracle.py --stream file by file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REAL="$ROOT/samples/real/events"
DB="$TMP/d.db"

# derive FILE LINE SED: line LINE of a real capture with SED applied (which
# must change it).
derive() {
  local line out
  line=$(sed -n "$2p" "$REAL/$1")
  out=$(printf '%s\n' "$line" | sed "$3")
  [ -n "$line" ] && [ "$out" != "$line" ] || fail "derive $1:$2: '$3' changes nothing"
  printf '%s\n' "$out"
}
real() { sed -n "$2p" "$REAL/$1"; }

# ---------------------------------------------------------------- part 1
{
  real filings.ndjson 1 # 10676322 AA, tp 48990574
  derive filings.ndjson 1 's/"timepoint":48990574,"published_at":"2021-01-22T18:28:02","type":"changed"/"timepoint":48990580,"published_at":"2021-01-23T09:00:00","type":"deleted"/'
  cat <<'EOF'
{"resource_kind":"filing-history","resource_uri":"/company/10676322/filing-history/GHOST1","resource_id":"GHOST1","event":{"timepoint":48990590,"published_at":"2021-01-23T09:01:00","type":"deleted"}}
{"resource_kind":"filing-history","resource_uri":"/company/10676322/filing-history/TXDEL","resource_id":"TXDEL","data":{"category":"dissolution","date":"2021-01-28","description":"dissolution-application-strike-off-company","links":{"self":"/company/10676322/filing-history/TXDEL"},"transaction_id":"TXDEL","type":"DS01"},"event":{"timepoint":48990600,"published_at":"2021-01-29T09:00:00","type":"deleted"}}
{"resource_kind":"filing-history","resource_uri":"/company/06613927/filing-history/TXO1","resource_id":"TXO1","data":{"category":"dissolution","date":"2021-08-18","description":"dissolution-application-strike-off-company","links":{"self":"/company/06613927/filing-history/TXO1"},"transaction_id":"TXO1","type":"DS01"},"event":{"timepoint":48990610,"published_at":"2021-08-21T10:00:00","type":"changed"}}
{"resource_kind":"filing-history","resource_uri":"/company/SC329345/filing-history/TXP1","resource_id":"TXP1","data":{"category":"dissolution","date":"2021-08-19","description":"dissolution-application-strike-off-company","links":{"self":"/company/SC329345/filing-history/TXP1"},"transaction_id":"TXP1","type":"DS01"},"event":{"timepoint":48990620,"published_at":"2021-08-21T11:00:00","type":"changed"}}
EOF
} >"$TMP/filings-1.ndjson"
{
  # The secretary before the resignation: the real line without resigned_on.
  derive officers.ndjson 13 's/,"resigned_on":"2021-08-20"//; s/"timepoint":2240329,"published_at":"2021-08-20T13:35:02"/"timepoint":2240300,"published_at":"2021-08-19T09:00:00"/'
  cat <<'EOF'
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPPRICE","resource_id":"APPPRICE","data":{"appointed_on":"2017-09-06","links":{"self":"/company/06613927/appointments/APPPRICE"},"name":"PRICE, Alan Robert","officer_role":"director"},"event":{"timepoint":2240301,"published_at":"2021-08-19T09:01:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPGREEN","resource_id":"APPGREEN","data":{"appointed_on":"2018-01-01","links":{"self":"/company/06613927/appointments/APPGREEN"},"name":"GREEN, Carol","officer_role":"director"},"event":{"timepoint":2240302,"published_at":"2021-08-19T09:02:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPHILL","resource_id":"APPHILL","data":{"appointed_on":"2019-01-01","links":{"self":"/company/06613927/appointments/APPHILL"},"name":"HILL, David","officer_role":"director"},"event":{"timepoint":2240303,"published_at":"2021-08-19T09:03:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPKING","resource_id":"APPKING","data":{"appointed_on":"2020-01-01","links":{"self":"/company/06613927/appointments/APPKING"},"name":"KING, Emma","occupation":"Accountant","officer_role":"director"},"event":{"timepoint":2240304,"published_at":"2021-08-19T09:04:00","type":"changed"}}
EOF
} >"$TMP/officers-1.ndjson"
{
  # Mr Kilcullen before his cessation: the real line without ceased_on.
  derive persons-with-significant-control.ndjson 8 's/"ceased_on":"2021-08-19",//; s/"timepoint":1350854,"published_at":"2021-08-20T14:30:02"/"timepoint":1350800,"published_at":"2021-08-01T10:00:00"/'
  cat <<'EOF'
{"resource_kind":"company-psc-corporate","resource_uri":"/company/SC329345/persons-with-significant-control/corporate-entity/CORP1","resource_id":"CORP1","data":{"kind":"corporate-entity-person-with-significant-control","name":"PRIME FOUR HOLDINGS LIMITED","natures_of_control":["ownership-of-shares-25-to-50-percent"],"notified_on":"2016-04-06"},"event":{"timepoint":1350801,"published_at":"2021-08-01T10:01:00","type":"changed"}}
{"resource_kind":"company-psc-individual","resource_uri":"/company/SC329345/persons-with-significant-control/individual/REID1","resource_id":"REID1","data":{"kind":"individual-person-with-significant-control","name":"Mrs Fiona Reid","natures_of_control":["significant-influence-or-control"],"notified_on":"2016-04-06"},"event":{"timepoint":1350802,"published_at":"2021-08-01T10:02:00","type":"changed"}}
EOF
} >"$TMP/pscs-1.ndjson"
real insolvency-cases.ndjson 1 >"$TMP/insolvency-1.ndjson" # 12325716, one case, tp 568173

parse_into "$DB" filings "$TMP/filings-1.ndjson"
parse_into "$DB" officers "$TMP/officers-1.ndjson"
parse_into "$DB" persons-with-significant-control "$TMP/pscs-1.ndjson"
parse_into "$DB" insolvency-cases "$TMP/insolvency-1.ndjson"

# lead_people NUMBER: the officers and pscs of the company's leads.
lead_people() {
  sql "$DB" "SELECT DISTINCT coalesce(officers, '-') || ' / ' || coalesce(pscs, '-') FROM leads WHERE company_number = '$1'"
}
assert_eq "GREEN, Carol (director); HILL, David (director); KING, Emma (director); MUDDIMAN, David James (secretary); PRICE, Alan Robert (director) / -" \
  "$(lead_people 06613927)" "officers before the resignation"
assert_eq "- / Mr Richard George Kilcullen (individual); Mrs Fiona Reid (individual); PRIME FOUR HOLDINGS LIMITED (corporate)" \
  "$(lead_people SC329345)" "PSCs before the cessation"
# Deletes with data and without, seen and never seen (the deleted DS01: no signal).
assert_eq "/company/10676322/filing-history/GHOST1|1|1|GHOST1|-|1
/company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4|1|0|MzI4OTQzODc5MGFkaXF6a2N4|AA|1
/company/10676322/filing-history/TXDEL|1|0|TXDEL|DS01|1" \
  "$(sql "$DB" "SELECT r.resource_uri, r.deleted, r.data IS NULL, f.transaction_id, coalesce(f.type, '-'), f.deleted FROM resources r JOIN filings f USING (resource_uri) WHERE r.company_number = '10676322' ORDER BY 1")" \
  "filings deleted with data, without data and never seen"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM signals WHERE company_number = '10676322'")" "a deleted DS01 is no signal"

# ---------------------------------------------------------------- part 2
{
  real officers.ndjson 13 # the resignation, tp 2240329
  cat <<'EOF'
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPGREEN","resource_id":"APPGREEN","data":{"appointed_on":"2018-01-01","links":{"self":"/company/06613927/appointments/APPGREEN"},"name":"GREEN, Carol","officer_role":"director"},"event":{"timepoint":2240330,"published_at":"2021-08-22T09:00:00","type":"deleted"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPHILL","resource_id":"APPHILL","event":{"timepoint":2240331,"published_at":"2021-08-22T09:01:00","type":"deleted"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPKING","resource_id":"APPKING","event":{"timepoint":2240332,"published_at":"2021-08-22T09:02:00","type":"deleted"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPZED","resource_id":"APPZED","event":{"timepoint":2240333,"published_at":"2021-08-22T09:03:00","type":"deleted"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPHILL","resource_id":"APPHILL","data":{"appointed_on":"2019-01-01","links":{"self":"/company/06613927/appointments/APPHILL"},"name":"HILL, David","occupation":"Engineer","officer_role":"director"},"event":{"timepoint":2240340,"published_at":"2021-08-23T09:00:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPKING","resource_id":"APPKING","event":{"timepoint":2240341,"published_at":"2021-08-23T09:01:00","type":"changed"}}
{"resource_kind":"company-officers","resource_uri":"/company/06613927/appointments/APPNEW","resource_id":"APPNEW","data":null,"event":{"timepoint":2240342,"published_at":"2021-08-23T09:02:00","type":"changed"}}
EOF
} >"$TMP/officers-2.ndjson"
{
  real persons-with-significant-control.ndjson 8  # Mr Kilcullen ceased, tp 1350854
  real persons-with-significant-control.ndjson 18 # Mr Mcdonald, ceased when first seen, tp 1350868
  cat <<'EOF'
{"resource_kind":"company-psc-individual","resource_uri":"/company/SC329345/persons-with-significant-control/individual/REID1","resource_id":"REID1","event":{"timepoint":1350900,"published_at":"2021-08-22T10:00:00","type":"deleted"}}
EOF
} >"$TMP/pscs-2.ndjson"
{
  real filings.ndjson 6 # 10620794 AA, tp 140062688
  cat <<'EOF'
{"resource_kind":"filing-history","resource_uri":"/company/10620794/filing-history/MzM5ODkyOTYzNmFkaXF6a2N4","resource_id":"MzM5ODkyOTYzNmFkaXF6a2N4","event":{"timepoint":140062700,"published_at":"2023-11-05T09:00:00","type":"deleted"}}
{"resource_kind":"filing-history","resource_uri":"/company/10620794/filing-history/MzM5ODkyOTYzNmFkaXF6a2N4","resource_id":"MzM5ODkyOTYzNmFkaXF6a2N4","event":{"timepoint":140062710,"published_at":"2023-11-06T09:00:00","type":"changed"}}
EOF
  # The deleted micro-entity accounts published again: the mark cleared.
  derive filings.ndjson 1 's/"timepoint":48990574,"published_at":"2021-01-22T18:28:02"/"timepoint":140062720,"published_at":"2023-11-07T09:00:00"/'
  cat <<'EOF'
{"resource_kind":"filing-history","resource_uri":"/company/10676322/filing-history/TXDEL","resource_id":"TXDEL","data":{"category":"dissolution","date":"2021-01-28","description":"dissolution-application-strike-off-company","links":{"self":"/company/10676322/filing-history/TXDEL"},"transaction_id":"TXDEL","type":"DS01"},"event":{"timepoint":140062730,"published_at":"2021-01-30T09:00:00","type":"changed"}}
EOF
} >"$TMP/filings-2.ndjson"
cat >"$TMP/insolvency-2.ndjson" <<'EOF'
{"resource_kind":"company-insolvency","resource_uri":"/company/12325716/insolvency","resource_id":"12325716","event":{"timepoint":568180,"published_at":"2021-01-26T09:00:00","type":"deleted"}}
{"resource_kind":"company-insolvency","resource_uri":"/company/00000099/insolvency","resource_id":"00000099","event":{"timepoint":568185,"published_at":"2021-01-26T09:01:00","type":"deleted"}}
EOF
cat >"$TMP/insolvency-3.ndjson" <<'EOF'
{"resource_kind":"company-insolvency","resource_uri":"/company/12325716/insolvency","resource_id":"12325716","event":{"timepoint":568190,"published_at":"2021-01-27T09:00:00","type":"changed"}}
EOF

parse_into "$DB" officers "$TMP/officers-2.ndjson"
parse_into "$DB" persons-with-significant-control "$TMP/pscs-2.ndjson"
parse_into "$DB" filings "$TMP/filings-2.ndjson"
parse_into "$DB" insolvency-cases "$TMP/insolvency-2.ndjson"
assert_eq "0|1|1|12325716 creditors-voluntary-liquidation" \
  "$(sql "$DB" "SELECT (SELECT count(*) FROM insolvency_cases WHERE company_number = '00000099'),
                       (SELECT deleted FROM resources WHERE resource_uri = '/company/00000099/insolvency'),
                       c.deleted, c.company_number || ' ' || c.case_type
                FROM insolvency_cases c WHERE c.company_number = '12325716'")" \
  "insolvency deleted without data: the seen resource's case marked, none for the unseen"
parse_into "$DB" insolvency-cases "$TMP/insolvency-3.ndjson"

# The people to contact now: the resigned secretary and the deleted GREEN
# and ZED are gone; HILL and KING are back; the appointment known only by
# its identity (a changed event without data) is current, name unknown.
assert_eq "(unknown); HILL, David (director); KING, Emma (director); PRICE, Alan Robert (director) / -" \
  "$(lead_people 06613927)" "officers after the resignation and the deletes"
assert_eq "- / PRIME FOUR HOLDINGS LIMITED (corporate)" "$(lead_people SC329345)" \
  "PSCs after the cessation and the delete"
assert_eq "APPGREEN|GREEN, Carol||1|0
APPHILL|HILL, David||0|0
APPKING|KING, Emma||0|0
APPNEW|||0|1
APPPRICE|PRICE, Alan Robert||0|0
APPZED|||1|1
qCbeYHdoXXLz9EOLk78Ptdj95h0|MUDDIMAN, David James|2021-08-20|0|0" \
  "$(sql "$DB" "SELECT o.appointment_id, o.name, o.resigned_on, o.deleted, r.data IS NULL FROM officers o JOIN resources r USING (resource_uri) ORDER BY 1")" \
  "officers: resigned, deleted with data, cleared with data and without, stubs"
assert_eq "Engineer|Accountant" \
  "$(sql "$DB" "SELECT (SELECT occupation FROM officers WHERE appointment_id = 'APPHILL'), (SELECT occupation FROM officers WHERE appointment_id = 'APPKING')")" \
  "a changed event with data replaces the row; one without keeps it"
assert_eq '{"appointed_on":"2020-01-01","links":{"self":"/company/06613927/appointments/APPKING"},"name":"KING, Emma","occupation":"Accountant","officer_role":"director"}' \
  "$(sql "$DB" "SELECT data FROM resources WHERE resource_uri = '/company/06613927/appointments/APPKING'")" \
  "a changed event without data keeps the last data"
assert_eq "CORP1|PRIME FOUR HOLDINGS LIMITED||0
Dq6qFsRrEjWBoaTMkoMi8tT_rt8|Mr Richard George Kilcullen|2021-08-19|0
REID1|Mrs Fiona Reid||1
z8uxmYdzJiNuKvf8C6rjDJermrU|Mr Athole Mcdonald|2021-08-19|0" \
  "$(sql "$DB" "SELECT psc_id, name, ceased_on, deleted FROM pscs ORDER BY 1")" "pscs"
assert_eq "/company/10620794/filing-history/MzM5ODkyOTYzNmFkaXF6a2N4|0|AA|2|0|140062710
/company/10676322/filing-history/GHOST1|1|-||1|48990590
/company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4|0|AA||0|140062720
/company/10676322/filing-history/TXDEL|0|DS01||0|140062730" \
  "$(sql "$DB" "SELECT r.resource_uri, r.deleted, coalesce(f.type, '-'), f.pages, r.data IS NULL, r.timepoint FROM resources r JOIN filings f USING (resource_uri) WHERE r.company_number IN ('10620794', '10676322') ORDER BY 1")" \
  "filings: cleared by changed events with and without data"
sql "$DB" "SELECT data FROM resources WHERE resource_uri = '/company/10620794/filing-history/MzM5ODkyOTYzNmFkaXF6a2N4'" >"$TMP/kept.json"
real filings.ndjson 6 | python3 -c 'import sys; l = sys.stdin.read(); s = l.index("\"data\":") + 7; print(l[s:l.index(",\"event\":")])' >"$TMP/real.json"
cmp -s "$TMP/real.json" "$TMP/kept.json" || fail "the data a delete and a change without data kept is not the real data byte for byte"
assert_eq "strike-off-applied|2021-01-28|lead" \
  "$(sql "$DB" "SELECT s.signal, s.occurred_on, CASE WHEN l.id IS NULL THEN 'signal' ELSE 'lead' END FROM signals s LEFT JOIN leads l ON l.id = s.id WHERE s.company_number = '10676322'")" \
  "the DS01 deleted first gets its signal when it is changed"
assert_eq "0|0" "$(sql "$DB" "SELECT deleted, (SELECT deleted FROM insolvency_cases WHERE company_number = '12325716') FROM resources WHERE resource_uri = '/company/12325716/insolvency'")" \
  "a changed insolvency record without data clears the mark and keeps the case"
assert_eq 0 "$(sql "$DB" "SELECT count(*) FROM rejects")" "no rejects (a changed event without data is none)"

# The oracle agrees, file by file.
oracle_streams "$TMP/want" filings "$TMP/filings-1.ndjson" officers "$TMP/officers-1.ndjson" \
  persons-with-significant-control "$TMP/pscs-1.ndjson" insolvency-cases "$TMP/insolvency-1.ndjson" \
  officers "$TMP/officers-2.ndjson" persons-with-significant-control "$TMP/pscs-2.ndjson" \
  filings "$TMP/filings-2.ndjson" insolvency-cases "$TMP/insolvency-2.ndjson" \
  insolvency-cases "$TMP/insolvency-3.ndjson"
compare_with_oracle "$DB" "$TMP/want"
cmp -s "$TMP/want/signals_by_id.csv" "$DB.files/signals_by_id.csv" || fail "signal ids differ from the oracle's order"
echo "PASS 66_streams_deletes_people"
