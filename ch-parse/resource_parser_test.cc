// Resource records as a whole: the envelope of every kind but
// company-profile (the extractors' rows have tests of their own, one file
// per table). Every line goes through both parses (event_test_support.h).
#include "ch-parse/resource_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "ch-parse/event_test_support.h"
#include "common/json_validator.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::kChangedEvent;
using test_support::kDeletedEvent;
using test_support::ResourceEvent;

constexpr char kOfficerUri[] = "/company/07217743/appointments/lZX48JQSZFCbhsdpDhYLSoG6Dbc";
constexpr char kDs01[] = R"({"category":"dissolution","date":"2024-01-02","type":"DS01"})";

class ResourceParserTest : public ::testing::Test {
 protected:
  // Expects a reject of this class carrying `timepoint`; returns its reason.
  std::string ExpectReject(const std::string& line, RejectClass reject_class,
                           const char* timepoint = "7") {
    EXPECT_EQ(run_.Run(line), Outcome::kReject) << line;
    EXPECT_EQ(run_.parser().reject_class(), reject_class)
        << RejectClassLabel(run_.parser().reject_class()) << " " << line;
    EXPECT_EQ(run_.Str("timepoint"), timepoint) << line;
    EXPECT_EQ(Base64Decode(run_.Str("raw_base64")).value_or("(bad)"), line);
    return run_.Str("reason");
  }

  EventRun run_;
};

TEST_F(ResourceParserTest, WritesTheMembersInTheDocumentedOrderWithDataLast) {
  const std::string line =
      R"({"resource_kind":"company-officers","resource_uri":"/company/07217743/appointments/A1",)"
      R"("resource_id":"A1","data":{"name":"CSOMOR, Anna","officer_role":"director"},)"
      R"("event":{"timepoint":6521935,"published_at":"2022-08-02T15:17:01","type":"changed"}})";
  ASSERT_EQ(run_.Run(line), Outcome::kResource);
  std::vector<std::string> names;
  for (const auto& m : run_.doc().GetObject()) names.emplace_back(m.name.GetString());
  EXPECT_EQ(names, (std::vector<std::string>{"kind", "stream", "source", "timepoint",
                                             "published_at", "as_of", "event_type", "resource_kind",
                                             "resource_uri", "resource_id", "company_number",
                                             "table", "rows", "signals", "data"}));
  EXPECT_EQ(run_.Str("kind"), "resource");
  EXPECT_EQ(run_.Str("stream"), "companies");
  EXPECT_EQ(run_.Str("source"), "stream");
  EXPECT_EQ(run_.Str("timepoint"), "6521935");
  EXPECT_EQ(run_.Str("published_at"), "2022-08-02T15:17:01Z");
  EXPECT_EQ(run_.Str("as_of"), "2022-08-02T15:17:01Z");
  EXPECT_EQ(run_.Str("event_type"), "changed");
  EXPECT_EQ(run_.Str("resource_kind"), "company-officers");
  EXPECT_EQ(run_.Str("resource_uri"), "/company/07217743/appointments/A1");
  EXPECT_EQ(run_.Str("resource_id"), "A1");
  EXPECT_EQ(run_.Str("company_number"), "07217743");
  EXPECT_EQ(run_.Str("table"), "officers");
  EXPECT_EQ(run_.Str("signals"), "[]");
  EXPECT_EQ(run_.DataText(), R"({"name":"CSOMOR, Anna","officer_role":"director"})");
  ASSERT_NE(run_.parser().resource_kind(), nullptr);
  EXPECT_EQ(run_.parser().resource_kind()->resource_kind, "company-officers");
}

TEST_F(ResourceParserTest, RecordsAreFiledUnderTheStreamFlagWhileTheKindPicksTheTable) {
  EventRun filings("filings");
  ASSERT_EQ(filings.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", "{}")),
            Outcome::kResource);
  EXPECT_EQ(filings.Str("stream"), "filings");
  EXPECT_EQ(filings.Str("table"), "filings");
  // A filing arriving with --stream officers is filed under officers, and
  // still goes to the filings table.
  EventRun officers("officers");
  ASSERT_EQ(officers.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", "{}")),
            Outcome::kResource);
  EXPECT_EQ(officers.Str("stream"), "officers");
  EXPECT_EQ(officers.Str("table"), "filings");
}

TEST_F(ResourceParserTest, DataIsPassedOnByteForByte) {
  const std::string data =
      R"({ "type" : "AA", "big":123456789012345678901234567890, "f":1.10, "e":"\u00e9\/ \u0026",)"
      R"( "links":{"self":"/x"},"unknown":[true,null,{"deep":[1e5]}] })";
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", data)),
            Outcome::kResource);
  EXPECT_EQ(run_.DataText(), data);
  EXPECT_EQ(run_.Cell(0, "type"), "AA");
  // The same for a kind without a table.
  ASSERT_EQ(run_.Run(ResourceEvent("some-new-kind", "/x/1", data)), Outcome::kResource);
  EXPECT_EQ(run_.DataText(), data);
}

TEST_F(ResourceParserTest, DeletedEventsWithoutDataGiveAStubRowAndNullData) {
  for (const std::string& line :
       {ResourceEvent("company-officers", kOfficerUri, "", kDeletedEvent),
        ResourceEvent("company-officers", kOfficerUri, "null", kDeletedEvent)}) {
    ASSERT_EQ(run_.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run_.Str("event_type"), "deleted");
    EXPECT_EQ(run_.Str("timepoint"), "8");
    EXPECT_EQ(run_.Str("data"), "(null)");
    EXPECT_EQ(run_.DataText(), "null");
    EXPECT_EQ(run_.Str("company_number"), "07217743");
    EXPECT_EQ(run_.Json("rows"),
              R"([{"appointment_id":"lZX48JQSZFCbhsdpDhYLSoG6Dbc","name":null,"officer_role":null,)"
              R"("appointed_on":null,"resigned_on":null,"nationality":null,"occupation":null,)"
              R"("country_of_residence":null,"date_of_birth_month":null,"date_of_birth_year":null,)"
              R"("premises":null,"address_line_1":null,"address_line_2":null,"locality":null,)"
              R"("region":null,"postal_code":null,"country":null,"officer_id":null}])");
    EXPECT_EQ(run_.Str("signals"), "[]");
  }
  // One resource holds all of a company's insolvency cases: no stub row.
  ASSERT_EQ(run_.Run(ResourceEvent("company-insolvency", "/company/12325716/insolvency", "",
                                   kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("table"), "insolvency_cases");
  EXPECT_EQ(run_.Str("rows"), "[]");
}

TEST_F(ResourceParserTest, DeletedEventsWithDataKeepTheirRowsButMakeNoSignals) {
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", kDs01)),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("signals"),
            R"([{"signal":"strike-off-applied","key":"filing:/company/1/filing-history/T",)"
            R"("occurred_on":"2024-01-02","detail":"DS01"}])");
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", kDs01,
                                   kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("event_type"), "deleted");
  EXPECT_EQ(run_.Cell(0, "type"), "DS01");
  EXPECT_EQ(run_.Str("signals"), "[]");
  EXPECT_EQ(run_.DataText(), kDs01);
  ASSERT_EQ(run_.Run(ResourceEvent("company-insolvency", "/company/1/insolvency",
                                   R"({"cases":[{"number":"1","type":"in-administration"}]})",
                                   kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run_.RowCount(), 1u);
  EXPECT_EQ(run_.Str("signals"), "[]");
}

// DESIGN.md's reject list is exhaustive (invalid JSON, no usable timepoint,
// no resource_uri, a URI without the company number its kind requires): a
// changed event without data is trusted as far as it goes, a record with
// data null, the kind's stub rows and no signals (ch-store keeps what it
// knows of the resource and clears its deleted mark).
TEST_F(ResourceParserTest, AChangedEventWithoutDataIsARecordWithStubRowsAndNullData) {
  for (const std::string& line : {ResourceEvent("company-officers", kOfficerUri, ""),
                                  ResourceEvent("company-officers", kOfficerUri, "null")}) {
    ASSERT_EQ(run_.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run_.Str("event_type"), "changed");
    EXPECT_EQ(run_.Str("timepoint"), "7");
    EXPECT_EQ(run_.Str("data"), "(null)");
    EXPECT_EQ(run_.DataText(), "null");
    EXPECT_EQ(run_.Str("company_number"), "07217743");
    EXPECT_EQ(run_.Str("table"), "officers");
    EXPECT_EQ(run_.RowCount(), 1u);
    EXPECT_EQ(run_.Cell(0, "appointment_id"), "lZX48JQSZFCbhsdpDhYLSoG6Dbc");
    EXPECT_EQ(run_.Cell(0, "name"), "(null)");
    EXPECT_EQ(run_.Str("signals"), "[]");
  }
  // No filing type, so no signal (the transaction is all a stub knows).
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", "")),
            Outcome::kResource);
  EXPECT_EQ(run_.Json("rows"),
            R"([{"transaction_id":"T","type":null,"category":null,"subcategory":null,)"
            R"("description":null,"date":null,"action_date":null,"barcode":null,"pages":null}])");
  EXPECT_EQ(run_.Str("signals"), "[]");
  ASSERT_EQ(run_.Run(ResourceEvent("company-insolvency", "/company/12325716/insolvency", "")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("rows"), "[]");
  EXPECT_EQ(run_.Str("signals"), "[]");
  ASSERT_EQ(run_.Run(ResourceEvent("some-new-kind", "/x/1", "")), Outcome::kResource);
  EXPECT_EQ(run_.Str("table"), "(null)");
  EXPECT_EQ(run_.Str("data"), "(null)");
}

TEST_F(ResourceParserTest, DataThatIsNotAnObjectIsRejected) {
  for (const char* data : {"[1]", "\"x\"", "5", "true"}) {
    EXPECT_EQ(
        ExpectReject(ResourceEvent("company-officers", kOfficerUri, data), RejectClass::kData),
        "data is not an object");
    ExpectReject(ResourceEvent("company-officers", kOfficerUri, data, kDeletedEvent),
                 RejectClass::kData, "8");
  }
}

TEST_F(ResourceParserTest, UrisAreNormalisedToOneLeadingSlash) {
  const std::pair<const char*, const char*> cases[] = {
      {"company/14438833/exemptions", "/company/14438833/exemptions"},
      {"//company/14438833/exemptions", "/company/14438833/exemptions"},
      {"/company/14438833/exemptions", "/company/14438833/exemptions"},
  };
  for (const auto& [uri, normalised] : cases) {
    ASSERT_EQ(run_.Run(ResourceEvent("company-exemptions", uri, R"({"exemptions":{}})")),
              Outcome::kResource)
        << uri;
    EXPECT_EQ(run_.Str("resource_uri"), normalised);
    EXPECT_EQ(run_.Str("company_number"), "14438833");
  }
  // The filing key is built from the normalised URI.
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "company/1/filing-history/T", kDs01)),
            Outcome::kResource);
  EXPECT_NE(run_.Str("signals").find(R"("key":"filing:/company/1/filing-history/T")"),
            std::string::npos)
      << run_.Str("signals");
}

TEST_F(ResourceParserTest, CompanyNumbersFromTheUriAreTrimmedAndUpperCased) {
  ASSERT_EQ(run_.Run(ResourceEvent("company-charges", "/company/oc431877/charges/X", "{}")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("company_number"), "OC431877");
  EXPECT_EQ(run_.Str("resource_uri"), "/company/oc431877/charges/X");  // the identity as sent
  ASSERT_EQ(run_.Run(ResourceEvent("company-insolvency", "/company/ 1234 /insolvency", "{}")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("company_number"), "1234");
}

TEST_F(ResourceParserTest, AUriThatIsMissingOrEmptyIsRejected) {
  const std::string event(kChangedEvent);
  EXPECT_EQ(ExpectReject(R"({"resource_kind":"company-officers","data":{},"event":)" + event + "}",
                         RejectClass::kResourceUri),
            "resource_uri is missing or not a string");
  ExpectReject(
      R"({"resource_kind":"company-officers","resource_uri":5,"data":{},"event":)" + event + "}",
      RejectClass::kResourceUri);
  ExpectReject(
      R"({"resource_kind":"company-officers","resource_uri":null,"data":{},"event":)" + event + "}",
      RejectClass::kResourceUri);
  EXPECT_EQ(ExpectReject(ResourceEvent("company-officers", "", "{}"), RejectClass::kResourceUri),
            "resource_uri is empty");
  ExpectReject(ResourceEvent("company-officers", "///", "{}"), RejectClass::kResourceUri);
  // Also for kinds that need no company number, and unknown kinds.
  ExpectReject(ResourceEvent("disqualified-officer-natural", "/", "{}"), RejectClass::kResourceUri);
  ExpectReject(R"({"resource_kind":"some-new-kind","data":{},"event":)" + event + "}",
               RejectClass::kResourceUri);
}

TEST_F(ResourceParserTest, AUriWithoutTheCompanyNumberItsKindRequiresIsRejected) {
  for (const char* uri :
       {"/filing-history/T", "/company//filing-history/T", "/company/12-34/filing-history/T",
        "/company/ABCDEFGHIJK/filing-history/T", "/companies/1/filing-history/T", "/company",
        "/Company/1/filing-history/T"}) {
    ExpectReject(ResourceEvent("filing-history", uri, "{}"), RejectClass::kCompanyNumber);
  }
  EXPECT_EQ(ExpectReject(ResourceEvent("company-psc-individual", "/psc/1", "{}", kDeletedEvent),
                         RejectClass::kCompanyNumber, "8"),
            "no valid company number in resource_uri: \"/psc/1\"");
}

TEST_F(ResourceParserTest, DisqualifiedOfficersHaveNoCompanyNumber) {
  ASSERT_EQ(run_.Run(ResourceEvent("disqualified-officer-corporate",
                                   "/disqualified-officers/corporate/X", R"({"name":"A LTD"})")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("company_number"), "(null)");
  // Even a URI under /company/ does not give them one.
  ASSERT_EQ(
      run_.Run(ResourceEvent("disqualified-officer-natural", "/company/1/disqualified/X", "{}")),
      Outcome::kResource);
  EXPECT_EQ(run_.Str("company_number"), "(null)");
}

TEST_F(ResourceParserTest, UnknownKindsAreStoredWithoutATable) {
  ASSERT_EQ(run_.Run(ResourceEvent("company-new-register", "/company/sc000001/new-register/9",
                                   R"({"type":"DS01","anything":[1,2]})")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("resource_kind"), "company-new-register");
  EXPECT_EQ(run_.Str("company_number"), "SC000001");
  EXPECT_EQ(run_.Str("table"), "(null)");
  EXPECT_EQ(run_.Str("rows"), "[]");
  EXPECT_EQ(run_.Str("signals"), "[]");
  EXPECT_EQ(run_.DataText(), R"({"type":"DS01","anything":[1,2]})");
  EXPECT_EQ(run_.parser().resource_kind(), nullptr);
  // The number is taken only from a /company/{n} prefix, and only a valid
  // one; otherwise it is null, never a reject.
  const std::pair<const char*, const char*> cases[] = {
      {"/company/00000001", "00000001"},  {"company/00000001/x", "00000001"},
      {"/register/00000001/x", "(null)"}, {"/company/not-a-number/x", "(null)"},
      {"/company//x", "(null)"},          {"/x", "(null)"},
  };
  for (const auto& [uri, number] : cases) {
    ASSERT_EQ(run_.Run(ResourceEvent("company-new-register", uri, "{}")), Outcome::kResource)
        << uri;
    EXPECT_EQ(run_.Str("company_number"), number) << uri;
  }
  // Kinds are matched exactly: another spelling is another (unknown) kind.
  ASSERT_EQ(run_.Run(ResourceEvent("Filing-History", "/company/1/filing-history/T", kDs01)),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("table"), "(null)");
  EXPECT_EQ(run_.Str("signals"), "[]");
  // A deleted event of an unknown kind without data.
  ASSERT_EQ(run_.Run(ResourceEvent("company-new-register", "/company/1/n/1", "", kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("data"), "(null)");
  EXPECT_EQ(run_.Str("rows"), "[]");
}

TEST_F(ResourceParserTest, ResourceIdIsAStringOrNull) {
  const std::string event(kChangedEvent);
  const std::string head = R"({"resource_kind":"company-charges","resource_uri":"/company/1/c/X",)";
  ASSERT_EQ(run_.Run(head + R"("resource_id":"X","data":{},"event":)" + event + "}"),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("resource_id"), "X");
  for (const char* id : {R"("resource_id":12,)", R"("resource_id":null,)", ""}) {
    std::string line = head;
    line.append(id).append(R"("data":{},"event":)").append(event).append("}");
    ASSERT_EQ(run_.Run(line), Outcome::kResource);
    EXPECT_EQ(run_.Str("resource_id"), "(null)") << id;
  }
}

TEST_F(ResourceParserTest, PublishedAtWithOrWithoutZoneOrFractionIsUtcAndNeverARejectReason) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("2021-01-22T18:28:02")", "2021-01-22T18:28:02Z"},          // zone-less: UTC
      {R"("2022-11-15T18:59:02.333257Z")", "2022-11-15T18:59:02Z"},  // fraction truncated
      {R"("2022-08-04T00:02:01.812779+01:00")", "2022-08-03T23:02:01Z"},
      {R"("2023-11-03T22:13:03.742120Z")", "2023-11-03T22:13:03Z"},
      {R"("2023-11-04 14:33:29")", "2023-11-04T14:33:29Z"},
      {R"("yesterday")", "(null)"},
      {R"("2023-02-30T00:00:00")", "(null)"},
      {"1699108409", "(null)"},
      {"null", "(null)"},
  };
  for (const auto& [published, expected] : cases) {
    const std::string event =
        std::string(R"({"timepoint":9,"type":"changed","published_at":)") + published + "}";
    ASSERT_EQ(run_.Run(ResourceEvent("company-charges", "/company/1/charges/X", "{}", event)),
              Outcome::kResource)
        << published;
    EXPECT_EQ(run_.Str("published_at"), expected) << published;
    EXPECT_EQ(run_.Str("as_of"), expected) << published;
  }
  ASSERT_EQ(run_.Run(ResourceEvent("company-charges", "/company/1/charges/X", "{}",
                                   R"({"timepoint":9,"type":"changed"})")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("published_at"), "(null)");
}

TEST_F(ResourceParserTest, EnvelopeRejectsApplyToEveryKind) {
  const std::string uri = "/company/1/charges/X";
  ExpectReject(
      R"({"resource_kind":"company-charges","resource_uri":"/company/1/charges/X","data":{}})",
      RejectClass::kEnvelope, "(null)");
  ExpectReject(ResourceEvent("company-charges", uri, "{}",
                             R"({"published_at":"2023-11-04","type":"changed"})"),
               RejectClass::kTimepoint, "(null)");
  for (const char* tp : {"\"abc\"", "-5", "1.5", "null"}) {
    ExpectReject(ResourceEvent("company-charges", uri, "{}",
                               std::string(R"({"type":"changed","timepoint":)") + tp + "}"),
                 RejectClass::kTimepoint, "(null)");
  }
  ExpectReject(ResourceEvent("company-charges", uri, "{}", R"({"timepoint":"7","type":"updated"})"),
               RejectClass::kEventType);
  ExpectReject(ResourceEvent("company-charges", uri, "{}", R"({"timepoint":7})"),
               RejectClass::kEventType);
  const std::string event(kChangedEvent);
  ExpectReject(R"({"resource_uri":"/company/1/charges/X","data":{},"event":)" + event + "}",
               RejectClass::kResourceKind);
  ExpectReject(
      R"({"resource_kind":["company-charges"],"resource_uri":"x","data":{},"event":)" + event + "}",
      RejectClass::kResourceKind);
  // An empty kind names no table and nothing to store it as: ch-parse sent
  // it on and ch-store rejected it (an independent hostile-input run).
  ExpectReject(ResourceEvent("", uri, "{}"), RejectClass::kResourceKind);
}

TEST_F(ResourceParserTest, MembersInAnyOrderAndUnknownMembersGiveTheSameRecord) {
  const std::string wire = ResourceEvent("company-charges", "/company/1/charges/X",
                                         R"({"charge_number":4,"status":"outstanding"})");
  ASSERT_EQ(run_.Run(wire), Outcome::kResource);
  const std::string expected(run_.out());
  const std::string event(kChangedEvent);
  for (const std::string& line : {
           R"({"event":)" + event +
               R"(,"data":{"charge_number":4,"status":"outstanding"},"resource_id":"id",)"
               R"("resource_uri":"/company/1/charges/X","resource_kind":"company-charges"})",
           R"({"resource_kind":"company-charges","resource_uri":"/company/1/charges/X",)"
           R"("resource_id":"id","data":{"charge_number":4,"status":"outstanding"},"event":)" +
               event + R"(,"received":1659456297087.7168})",
           R"({"resource_kind":"company\u002dcharges","resource_uri":"/company/1/charges/X",)"
           R"("resource_id":"id","data":{"charge_number":4,"status":"outstanding"},"event":)" +
               event + "}",
       }) {
    ASSERT_EQ(run_.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run_.Json("rows"), R"([{"charge_id":"X","charge_code":null,"charge_number":4,)"
                                 R"("status":"outstanding","classification":null,)"
                                 R"("created_on":null,"delivered_on":null,"satisfied_on":null,)"
                                 R"("persons_entitled":null}])")
        << line;
    EXPECT_EQ(run_.Str("resource_kind"), "company-charges");
  }
  // The wire order gives the very same bytes as before.
  ASSERT_EQ(run_.Run(wire), Outcome::kResource);
  EXPECT_EQ(run_.out(), expected);
}

TEST_F(ResourceParserTest, DataWithMoreMembersThanTheShapedParseTracksIsReadAllTheSame) {
  std::string data = "{";
  for (int i = 0; i < JsonMembers::kCapacity + 3; ++i) data += "\"k" + std::to_string(i) + "\":1,";
  data += R"("type":"GAZ1","date":"2024-02-03"})";
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", data)),
            Outcome::kResource);
  EXPECT_EQ(run_.Cell(0, "type"), "GAZ1");
  EXPECT_EQ(run_.DataText(), data);
}

TEST_F(ResourceParserTest, NothingLeaksFromOneRecordToTheNext) {
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/1/filing-history/T", kDs01)),
            Outcome::kResource);
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "company/2/filing-history/U", "{}")),
            Outcome::kResource);
  EXPECT_EQ(run_.Str("signals"), "[]");
  EXPECT_EQ(run_.Cell(0, "type"), "(null)");
  EXPECT_EQ(run_.Str("resource_uri"), "/company/2/filing-history/U");
  ASSERT_EQ(run_.Run(ResourceEvent("company-new-register", "/x/1", "{}")), Outcome::kResource);
  EXPECT_EQ(run_.Str("rows"), "[]");
  EXPECT_EQ(run_.Str("company_number"), "(null)");
}

}  // namespace
}  // namespace ch
