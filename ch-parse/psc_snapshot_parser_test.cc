// PscSnapshotParser: the real snapshot lines, the real PSC-stream and
// exemptions events turned into snapshot lines (each must give the record
// the stream gives, dated by the snapshot), the totals line anywhere, what
// is tolerated, what is a reject, unknown kinds, and the snapshot_end line.
#include "ch-parse/psc_snapshot_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"
#include "ch-parse/resource_uri.h"
#include "common/json.h"

namespace ch {
namespace {

using Outcome = PscSnapshotParser::Outcome;

const char kDate[] = "2026-12-05";

IsoDate Date(const char* text = kDate) { return *ParseIsoDate(text); }

// Parses a line both ways (the shaped parse and the full one), expects the
// same outcome and bytes, and reads the output like EventRun.
class SnapshotRun {
 public:
  explicit SnapshotRun(const char* as_of = kDate)
      : parser_(Date(as_of)), full_(Date(as_of), /*shaped_parse=*/false) {}

  Outcome Run(std::string_view line) {
    out_.clear();
    const Outcome outcome = parser_.Parse(line, &out_);
    JsonLine full_out;
    EXPECT_EQ(full_.Parse(line, &full_out), outcome) << line;
    EXPECT_EQ(full_out.view(), out_.view()) << line;
    doc_.SetObject();
    if (outcome == Outcome::kResource || outcome == Outcome::kReject) {
      EXPECT_TRUE(ParseJson(out_.view(), &doc_).ok()) << out_.view();
    } else {
      EXPECT_EQ(out_.size(), 0u);
    }
    return outcome;
  }

  std::string Str(const char* name) const { return test_support::MemberText(doc_, name); }
  std::string Raw() const {
    std::optional<std::string> raw = Base64Decode(Str("raw_base64"));
    return raw.value_or("(bad base64)");
  }
  std::string_view out() const { return out_.view(); }
  // The snapshot_end line of what was read so far.
  std::string End() const {
    JsonLine line;
    parser_.AppendSnapshotEnd(&line);
    JsonLine full_line;
    full_.AppendSnapshotEnd(&full_line);
    EXPECT_EQ(line.view(), full_line.view());
    return std::string(line.view());
  }
  const PscSnapshotParser& parser() const { return parser_; }

 private:
  PscSnapshotParser parser_;
  PscSnapshotParser full_;
  JsonLine out_;
  rapidjson::Document doc_;
};

// A stream event's `data` as a snapshot line: {"company_number":N,"data":D}.
std::string SnapshotLineOf(const std::string& event) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(event, &doc).ok());
  std::string uri_scratch;
  const auto uri = NormalizeResourceUri(doc["resource_uri"].GetString(), &uri_scratch);
  const auto number = CompanyNumberFromUri(*uri);
  return "{\"company_number\":\"" + std::string(number->view()) +
         "\",\"data\":" + test_support::RawDataOf(event) + "}";
}

// The members a snapshot record shares with the stream's record of the same
// resource.
const char* const kSharedMembers[] = {"kind",           "stream",       "event_type",
                                      "resource_kind",  "resource_uri", "resource_id",
                                      "company_number", "table",        "rows"};

TEST(PscSnapshotParserTest, RealLinesBecomeResourceRecordsAndTheTotalsLineIsRemembered) {
  const std::vector<std::string> lines =
      test_support::ReadLines("samples/real/psc-snapshot.ndjson");
  ASSERT_EQ(lines.size(), 3u);
  // Imported as of the day its totals line was generated (an earlier
  // --as-of would be refused: ATotalsLineGeneratedBeforeAsOfIsAReject).
  SnapshotRun run("2022-06-28");
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  const std::string data = test_support::RawDataOf(lines[0]);
  EXPECT_EQ(
      run.out(),
      R"({"kind":"resource","stream":"persons-with-significant-control","source":"bulk",)"
      R"("timepoint":null,"published_at":null,"as_of":"2022-06-28T00:00:00Z","event_type":"changed",)"
      R"("resource_kind":"company-psc-individual","resource_uri":"/company/09145694/persons-with-significant-control/individual/bIhuKnMFctSnjrDjUG8n3NgOrlU",)"
      R"("resource_id":"bIhuKnMFctSnjrDjUG8n3NgOrlU","company_number":"09145694","table":"pscs",)"
      R"("rows":[{"psc_id":"bIhuKnMFctSnjrDjUG8n3NgOrlU","resource_kind":"company-psc-individual",)"
      R"("name":"Mrs Nga Thanh Wildman","natures_of_control":"ownership-of-shares-50-to-75-percent",)"
      R"("notified_on":"2016-04-06","ceased_on":"2018-05-14","ceased":null,"nationality":"Vietnamese",)"
      R"("country_of_residence":"England","premises":"2","address_line_1":"St. Andrews Road",)"
      R"("locality":"Henley-On-Thames","postal_code":"RG9 1HP","country":"England"}],)"
      R"("signals":[],"data":)" +
          data + "}");

  // The super-secure line: `ceased` is the integer 1 (2022), no name.
  ASSERT_EQ(run.Run(lines[1]), Outcome::kResource);
  EXPECT_EQ(run.Str("resource_kind"), "company-psc-supersecure");
  EXPECT_EQ(run.Str("company_number"), "09672611");
  EXPECT_EQ(run.Str("resource_id"), "YbK2vqv5S4NMgHhJbcCYyla8i4E");
  EXPECT_EQ(
      run.Str("rows"),
      R"([{"psc_id":"YbK2vqv5S4NMgHhJbcCYyla8i4E","resource_kind":"company-psc-supersecure",)"
      R"("name":null,"natures_of_control":null,"notified_on":null,"ceased_on":null,"ceased":1,)"
      R"("nationality":null,"country_of_residence":null,"premises":null,"address_line_1":null,)"
      R"("locality":null,"postal_code":null,"country":null}])");

  // The totals line (no company_number): nothing written, counts kept.
  ASSERT_EQ(run.Run(lines[2]), Outcome::kTotals);
  ASSERT_TRUE(run.parser().totals().has_value());
  EXPECT_EQ(run.parser().totals()->pscs, 9792999u);
  EXPECT_EQ(run.parser().totals()->statements, 627924u);
  EXPECT_EQ(run.parser().totals()->exemptions, 60u);
  EXPECT_EQ(
      run.End(),
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2022-06-28","rows":2,"expected":{"pscs":9792999,"statements":627924,)"
      R"("exemptions":60},"received":{"pscs":2,"statements":0,"exemptions":0,"other":0,)"
      R"("rejects":0}}})");
}

TEST(PscSnapshotParserTest, EveryRealPscStreamEventAsASnapshotLineGivesTheStreamsRecord) {
  const std::vector<std::string> events =
      test_support::RealEvents("persons-with-significant-control");
  ASSERT_EQ(events.size(), 57u);
  test_support::EventRun stream("persons-with-significant-control");
  SnapshotRun snapshot;
  for (const std::string& event : events) {
    ASSERT_EQ(stream.Run(event), EventParser::Outcome::kResource) << event;
    const std::string line = SnapshotLineOf(event);
    ASSERT_EQ(snapshot.Run(line), Outcome::kResource) << line;
    for (const char* member : kSharedMembers) {
      EXPECT_EQ(snapshot.Str(member), stream.Str(member)) << member << " of " << line;
    }
    EXPECT_EQ(snapshot.Str("source"), "bulk");
    EXPECT_EQ(snapshot.Str("timepoint"), "(null)");
    EXPECT_EQ(snapshot.Str("published_at"), "(null)");
    EXPECT_EQ(snapshot.Str("as_of"), "2026-12-05T00:00:00Z");
    EXPECT_EQ(snapshot.Str("signals"), "[]");
    // data byte for byte, and last.
    const std::string data = test_support::RawDataOf(event);
    EXPECT_EQ(snapshot.out().substr(snapshot.out().size() - data.size() - 1), data + "}");
  }
  EXPECT_EQ(snapshot.parser().counts().pscs, 57u);
  EXPECT_EQ(snapshot.parser().rows(), 57u);
}

TEST(PscSnapshotParserTest, ExemptionsAndStatementsAreFiledUnderTheirOwnStreams) {
  const std::vector<std::string> events = test_support::RealEvents("company-exemptions");
  ASSERT_EQ(events.size(), 1u);
  test_support::EventRun stream("company-exemptions");
  ASSERT_EQ(stream.Run(events[0]), EventParser::Outcome::kResource);
  SnapshotRun snapshot;
  ASSERT_EQ(snapshot.Run(SnapshotLineOf(events[0])), Outcome::kResource);
  for (const char* member : kSharedMembers) {
    EXPECT_EQ(snapshot.Str(member), stream.Str(member)) << member;
  }
  EXPECT_EQ(snapshot.Str("stream"), "company-exemptions");
  EXPECT_EQ(snapshot.Str("resource_kind"), "company-exemptions");
  EXPECT_EQ(snapshot.Str("resource_id"), "14438833");  // as on the stream: the company
  EXPECT_EQ(snapshot.Str("resource_uri"), "/company/14438833/exemptions");

  // A statement (no real one is known: its shape from PSC-SNAPSHOT.md 4.6).
  ASSERT_EQ(
      snapshot.Run(
          R"({"company_number":"SC123456","data":{"etag":"e","kind":"persons-with-significant-control-statement",)"
          R"("links":{"self":"/company/SC123456/persons-with-significant-control-statements/St4t3m3nt"},)"
          R"("notified_on":"2016-06-30","statement":"no-individual-or-entity-with-signficant-control"}})"),
      Outcome::kResource);
  EXPECT_EQ(snapshot.Str("stream"), "persons-with-significant-control-statements");
  EXPECT_EQ(snapshot.Str("resource_kind"), "persons-with-significant-control-statement");
  EXPECT_EQ(snapshot.Str("table"), "psc_statements");
  EXPECT_EQ(snapshot.Str("resource_id"), "St4t3m3nt");
  EXPECT_EQ(
      snapshot.Str("rows"),
      R"([{"statement_id":"St4t3m3nt","statement":"no-individual-or-entity-with-signficant-control",)"
      R"("notified_on":"2016-06-30","ceased_on":null,"linked_psc_name":null}])");
  EXPECT_EQ(snapshot.parser().counts().exemptions, 1u);
  EXPECT_EQ(snapshot.parser().counts().statements, 1u);
  EXPECT_EQ(snapshot.parser().counts().pscs, 0u);
}

TEST(PscSnapshotParserTest, ToleratesCrlfABomKeysInAnyOrderCeasedAsABooleanAndNullNatures) {
  SnapshotRun run;
  const std::string uri =
      "/company/OE020203/persons-with-significant-control/"
      "individual-beneficial-owner/Bo1";
  // data before company_number, data's keys in reverse, a BOM and a CR.
  ASSERT_EQ(run.Run("\xEF\xBB\xBF{\"data\":{\"notified_on\":\"2022-06-01\",\"natures_of_control\":"
                    "[\"voting-rights-more-than-25-percent-registered-overseas-entity\",null],"
                    "\"name\":\"Mr O\",\"links\":{\"self\":\"" +
                    uri +
                    "\"},\"kind\":\"individual-beneficial-owner\"},"
                    "\"company_number\":\"OE020203\"}\r"),
            Outcome::kResource);
  EXPECT_EQ(run.Str("resource_kind"), "individual-beneficial-owner");
  EXPECT_EQ(run.Str("resource_uri"), uri);
  EXPECT_EQ(run.Str("company_number"), "OE020203");
  const std::string rows = run.Str("rows");
  EXPECT_NE(
      rows.find(
          R"("natures_of_control":"voting-rights-more-than-25-percent-registered-overseas-entity")"),
      std::string::npos)
      << rows;
  // ceased as a boolean (2026) and as an integer (2022).
  for (const auto& [value, stored] : std::vector<std::pair<std::string, std::string>>{
           {"true", "1"}, {"false", "0"}, {"1", "1"}, {"0", "0"}}) {
    ASSERT_EQ(
        run.Run(
            R"({"company_number":"09672611","data":{"ceased":)" + value +
            R"(,"kind":"super-secure-person-with-significant-control","links":{"self":"/company/09672611/persons-with-significant-control/super-secure/S"}}})"),
        Outcome::kResource);
    EXPECT_NE(run.Str("rows").find("\"ceased\":" + stored + ","), std::string::npos) << value;
  }
  // A URI without its leading slash, and a company number in lower case.
  ASSERT_EQ(
      run.Run(
          R"({"company_number":"sc000004","data":{"kind":"exemptions","links":{"self":"company/SC000004/exemptions"}}})"),
      Outcome::kResource);
  EXPECT_EQ(run.Str("resource_uri"), "/company/SC000004/exemptions");
  EXPECT_EQ(run.Str("resource_id"), "SC000004");
  // Blank lines are nothing, not rows.
  EXPECT_EQ(run.Run(""), Outcome::kBlank);
  EXPECT_EQ(run.Run(" \r"), Outcome::kBlank);
  EXPECT_EQ(run.parser().counts().rejects, 0u);
  EXPECT_EQ(run.parser().rows(), 6u);
}

TEST(PscSnapshotParserTest, AnUnknownKindIsStoredGenericallyAndCounted) {
  SnapshotRun run;
  ASSERT_EQ(
      run.Run(
          R"({"company_number":"01234567","data":{"kind":"nominee-person-with-significant-control",)"
          R"("links":{"self":"/company/01234567/persons-with-significant-control/nominee/N1"},"name":"X"}})"),
      Outcome::kResource);
  EXPECT_EQ(run.Str("stream"), "persons-with-significant-control");
  EXPECT_EQ(run.Str("resource_kind"), "nominee-person-with-significant-control");
  EXPECT_EQ(run.Str("table"), "(null)");
  EXPECT_EQ(run.Str("rows"), "[]");
  EXPECT_EQ(run.Str("resource_id"), "N1");
  EXPECT_EQ(run.Str("company_number"), "01234567");
  EXPECT_EQ(run.parser().resource_kind(), nullptr);
  // Without a company number in its URI: stored, with none.
  ASSERT_EQ(
      run.Run(
          R"({"company_number":"01234567","data":{"kind":"register-entry","links":{"self":"/registers/R1"}}})"),
      Outcome::kResource);
  EXPECT_EQ(run.Str("company_number"), "(null)");
  EXPECT_EQ(run.Str("resource_uri"), "/registers/R1");
  EXPECT_EQ(run.parser().counts().other, 2u);
  // Without links.self it has no identity: a reject.
  EXPECT_EQ(
      run.Run(
          R"({"company_number":"01234567","data":{"kind":"nominee-person-with-significant-control"}})"),
      Outcome::kReject);
  EXPECT_EQ(run.parser().counts().other, 2u);
  EXPECT_EQ(run.parser().counts().rejects, 1u);
}

TEST(PscSnapshotParserTest, BadLinesAreRejectsCarryingTheirBytes) {
  const std::string self =
      R"("links":{"self":"/company/01234567/persons-with-significant-control/individual/P1"})";
  const struct {
    std::string line;
    RejectClass reject_class;
    const char* reason;
  } cases[] = {
      {"not json", RejectClass::kInvalidJson, "invalid JSON"},
      {"[1,2]", RejectClass::kEnvelope, "not a JSON object"},
      {R"({"company_number":"01234567"})", RejectClass::kData, "data is missing"},
      {R"({"company_number":"01234567","data":[]})", RejectClass::kData, "data is missing"},
      {R"({"company_number":"01234567","data":{)" + self + "}}", RejectClass::kResourceKind,
       "data.kind is missing"},
      // An empty kind is none (ch-store refuses a resource without one).
      {R"({"company_number":"01234567","data":{"kind":"",)" + self + "}}",
       RejectClass::kResourceKind, "data.kind is missing, empty"},
      {R"({"data":{"kind":"individual-person-with-significant-control",)" + self + "}}",
       RejectClass::kCompanyNumber, "company_number is missing"},
      {R"({"company_number":1234567,"data":{"kind":"individual-person-with-significant-control",)" +
           self + "}}",
       RejectClass::kCompanyNumber, "company_number is missing or not a string"},
      {R"({"company_number":"0123-567","data":{"kind":"individual-person-with-significant-control",)" +
           self + "}}",
       RejectClass::kCompanyNumber, "invalid company_number"},
      {R"({"company_number":"01234567","data":{"kind":"individual-person-with-significant-control"}})",
       RejectClass::kResourceUri, "no identity"},
      {R"({"company_number":"01234567","data":{"kind":"individual-person-with-significant-control","links":{"self":""}}})",
       RejectClass::kResourceUri, "no identity"},
      {R"({"company_number":"01234567","data":{"kind":"individual-person-with-significant-control","links":{"self":"/psc/P1"}}})",
       RejectClass::kCompanyNumber, "no valid company number in data.links.self"},
      {R"({"company_number":"07654321","data":{"kind":"individual-person-with-significant-control",)" +
           self + "}}",
       RejectClass::kCompanyNumber,
       R"(company_number "07654321" disagrees with data.links.self's "01234567")"},
      {R"({"data":{"kind":"totals#persons-of-significant-control-snapshot","statements_count":1,"exemptions_count":0}})",
       RejectClass::kData, "persons_of_significant_control_count"},
  };
  SnapshotRun run;
  uint64_t rejects = 0;
  for (const auto& c : cases) {
    ASSERT_EQ(run.Run(c.line), Outcome::kReject) << c.line;
    ++rejects;
    EXPECT_EQ(run.parser().reject_class(), c.reject_class) << c.line;
    EXPECT_NE(run.Str("reason").find(c.reason), std::string::npos)
        << c.line << " -> " << run.Str("reason");
    EXPECT_EQ(run.Str("kind"), "reject");
    EXPECT_EQ(run.Str("stream"), "persons-with-significant-control");
    EXPECT_EQ(run.Str("source"), "bulk");
    EXPECT_EQ(run.Raw(), c.line);
  }
  EXPECT_EQ(run.parser().counts().rejects, rejects);
  EXPECT_FALSE(run.parser().totals().has_value());
  // An oversized line.
  JsonLine out;
  PscSnapshotParser parser(Date());
  EXPECT_EQ(parser.ParseOversized("{\"company", 99999999, &out), Outcome::kReject);
  EXPECT_EQ(parser.reject_class(), RejectClass::kLineTooLong);
  EXPECT_EQ(parser.counts().rejects, 1u);
}

TEST(PscSnapshotParserTest, TheTotalsLineMayComeFirstAndASecondOneIsAReject) {
  SnapshotRun run;
  const std::string totals =
      R"({"data":{"exemptions_count":1,"generated_at":"2026-12-05T03:40:50+00:00","kind":"totals#persons-of-significant-control-snapshot",)"
      R"("persons_of_significant_control_count":2,"statements_count":"0"}})";
  ASSERT_EQ(run.Run(totals), Outcome::kTotals);
  const std::string second =
      R"({"company_number":"X","data":{"kind":"totals#persons-of-significant-control-snapshot",)"
      R"("persons_of_significant_control_count":7,"statements_count":7,"exemptions_count":7}})";
  ASSERT_EQ(run.Run(second), Outcome::kReject);
  EXPECT_NE(run.Str("reason").find("a second totals line"), std::string::npos);
  EXPECT_EQ(run.parser().totals()->pscs, 2u);  // the first stays
  EXPECT_EQ(
      run.End(),
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2026-12-05","rows":1,"expected":{"pscs":2,"statements":0,"exemptions":1},)"
      R"("received":{"pscs":0,"statements":0,"exemptions":0,"other":0,"rejects":1}}})");
}

TEST(PscSnapshotParserTest, TheSameTotalsLineTwiceIsAPartGivenTwiceNotAReject) {
  // The last part concatenated twice repeats its totals line: the same
  // counts and generated_at describe the same snapshot, so the copy is
  // skipped like the part's other lines (README: parts given twice but all
  // present still make a complete snapshot).
  SnapshotRun run;
  const std::string totals =
      R"({"data":{"exemptions_count":1,"generated_at":"2026-12-05T03:40:50+00:00","kind":"totals#persons-of-significant-control-snapshot",)"
      R"("persons_of_significant_control_count":2,"statements_count":0}})";
  ASSERT_EQ(run.Run(totals), Outcome::kTotals);
  ASSERT_EQ(run.Run(totals), Outcome::kBlank);
  // The same counts written another way (a string) are the same too.
  const std::string same =
      R"({"data":{"exemptions_count":1,"generated_at":"2026-12-05T03:40:50+00:00","kind":"totals#persons-of-significant-control-snapshot",)"
      R"("persons_of_significant_control_count":"2","statements_count":0}})";
  ASSERT_EQ(run.Run(same), Outcome::kBlank);
  // Another generated_at is another snapshot: a reject.
  const std::string other =
      R"({"data":{"exemptions_count":1,"generated_at":"2026-12-06T03:40:50+00:00","kind":"totals#persons-of-significant-control-snapshot",)"
      R"("persons_of_significant_control_count":2,"statements_count":0}})";
  ASSERT_EQ(run.Run(other), Outcome::kReject);
  EXPECT_NE(run.Str("reason").find("a second totals line"), std::string::npos);
  EXPECT_EQ(
      run.End(),
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2026-12-05","rows":1,"expected":{"pscs":2,"statements":0,"exemptions":1},)"
      R"("received":{"pscs":0,"statements":0,"exemptions":0,"other":0,"rejects":1}}})");
}

// A totals line generated before --as-of (2026-12-05): the snapshot is older
// than the user said, so its totals are refused and the import can never be
// complete (nothing healed). The same day (UK local time, as written), a
// later day, or no generated_at at all is accepted.
TEST(PscSnapshotParserTest, ATotalsLineGeneratedBeforeAsOfIsAReject) {
  const auto totals = [](const std::string& generated) {
    return R"({"data":{"kind":"totals#persons-of-significant-control-snapshot",)"
           R"("persons_of_significant_control_count":2,"statements_count":0,"exemptions_count":0)" +
           generated + "}}";
  };
  {
    SnapshotRun run;
    ASSERT_EQ(run.Run(totals(R"(,"generated_at":"2026-12-04T03:40:50+00:00")")), Outcome::kReject);
    EXPECT_EQ(run.Str("reason"),
              "totals line generated_at \"2026-12-04T03:40:50+00:00\" is before --as-of "
              "2026-12-05: the snapshot is older than --as-of says");
    EXPECT_FALSE(run.parser().totals().has_value());
    EXPECT_NE(run.End().find(R"("expected":null)"), std::string::npos);
  }
  for (const std::string& generated : std::vector<std::string>{
           R"(,"generated_at":"2026-12-05T03:40:50+00:00")",
           R"(,"generated_at":"2026-12-05T00:10:00+01:00")",
           R"(,"generated_at":"2026-12-06T03:40:50+00:00")", R"(,"generated_at":"not a date")",
           R"(,"generated_at":20261204)", std::string()}) {
    SnapshotRun run;
    EXPECT_EQ(run.Run(totals(generated)), Outcome::kTotals) << generated;
    EXPECT_TRUE(run.parser().totals().has_value()) << generated;
  }
}

TEST(PscSnapshotParserTest, WithoutATotalsLineExpectedIsNull) {
  SnapshotRun run;
  EXPECT_EQ(
      run.End(),
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2026-12-05","rows":0,"expected":null,)"
      R"("received":{"pscs":0,"statements":0,"exemptions":0,"other":0,"rejects":0}}})");
}

}  // namespace
}  // namespace ch
