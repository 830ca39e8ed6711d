#include "ch-parse/event_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"
#include "common/json.h"
#include "common/json_validator.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;

const char kGood[] =
    R"({"resource_kind":"company-profile","resource_uri":"/company/05954546","resource_id":"05954546",)"
    R"("data":{"company_name":"GLENCOYNE ENGINEERING LTD","company_number":"05954546","company_status":"active",)"
    R"("date_of_creation":"2006-10-03","jurisdiction":"england-wales","type":"ltd","sic_codes":["45200"],)"
    R"("registered_office_address":{"address_line_1":"Unit10","postal_code":"NR16 2HS"}},)"
    R"("event":{"timepoint":68805561,"published_at":"2023-11-04T14:33:29","type":"changed"}})";

// Builds an event line around `data` and `event` JSON texts.
std::string Event(
    const std::string& data,
    const std::string& event =
        R"({"timepoint":7,"published_at":"2023-11-04T14:33:29","type":"changed"})",
    const std::string& extra = R"("resource_kind":"company-profile","resource_id":"01234567",)") {
  return "{" + extra + "\"data\":" + data + ",\"event\":" + event + "}";
}

class EventParserTest : public ::testing::Test {
 protected:
  // Parses one line; the output line must itself be valid JSON, and the
  // same as the full parse gives (every test here checks the shaped parse).
  Outcome Run(std::string_view line) {
    out_.clear();
    const Outcome outcome = parser_.Parse(line, &out_);
    JsonLine full_out;
    EXPECT_EQ(full_parser_.Parse(line, &full_out), outcome) << line;
    EXPECT_EQ(full_out.view(), out_.view()) << line;
    if (outcome == Outcome::kReject) {
      EXPECT_EQ(full_parser_.reject_class(), parser_.reject_class());
    }
    if (outcome != Outcome::kHeartbeat) {
      EXPECT_TRUE(ParseJson(out_.view(), &doc_).ok()) << out_.view();
    } else {
      EXPECT_EQ(out_.size(), 0u);
    }
    return outcome;
  }
  std::string Str(const char* name) {
    const rapidjson::Value* v = FindMember(doc_, name);
    if (v == nullptr) return "(absent)";
    if (v->IsNull()) return "(null)";
    if (v->IsString()) return v->GetString();
    std::string json;
    AppendJsonValue(&json, *v);
    return json;
  }
  // Expects a reject of this class; returns its reason.
  std::string ExpectReject(std::string_view line, RejectClass reject_class) {
    EXPECT_EQ(Run(line), Outcome::kReject) << line;
    EXPECT_EQ(parser_.reject_class(), reject_class)
        << RejectClassLabel(parser_.reject_class()) << " " << line;
    EXPECT_EQ(Str("kind"), "reject");
    EXPECT_TRUE(Base64Decode(Str("raw_base64")).value_or("(bad base64)") == line.substr(0, 65536))
        << "raw bytes differ";
    EXPECT_EQ(Str("raw_length"), std::to_string(line.size()));
    return Str("reason");
  }

  EventParser parser_{"companies"};
  EventParser full_parser_{"companies", /*shaped_parse=*/false};
  JsonLine out_;
  rapidjson::Document doc_;
};

TEST_F(EventParserTest, NormalisesAGoodEvent) {
  ASSERT_EQ(Run(kGood), Outcome::kCompany);
  EXPECT_EQ(Str("kind"), "company");
  EXPECT_EQ(Str("stream"), "companies");
  EXPECT_EQ(Str("source"), "stream");
  EXPECT_EQ(Str("timepoint"), "68805561");
  EXPECT_EQ(Str("published_at"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Str("as_of"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(Str("event_type"), "changed");
  EXPECT_EQ(Str("company_number"), "05954546");
  EXPECT_EQ(Str("company_name"), "GLENCOYNE ENGINEERING LTD");
  EXPECT_EQ(Str("company_status"), "active");
  EXPECT_EQ(Str("company_status_detail"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "active");
  EXPECT_EQ(Str("type"), "ltd");
  EXPECT_EQ(Str("type_raw"), "(null)");
  EXPECT_EQ(Str("jurisdiction"), "england-wales");
  EXPECT_EQ(Str("date_of_creation"), "2006-10-03");
  EXPECT_EQ(Str("date_of_cessation"), "(null)");
  EXPECT_EQ(Str("registered_office_address"),
            R"({"address_line_1":"Unit10","postal_code":"NR16 2HS"})");
  EXPECT_EQ(Str("sic_codes"), R"(["45200"])");
  EXPECT_FALSE(parser_.unknown_status());
}

TEST_F(EventParserTest, DataIsPassedOnByteForByteAndLast) {
  const std::string data =
      R"({ "company_number" : "01234567", "big":123456789012345678901234567890, "f":1.10, "e":"\u00e9\/",)"
      R"( "accounts":{"accounting_reference_date":{"day":"30","month":"09"}},"unknown_field":[true,null] })";
  ASSERT_EQ(Run(Event(data)), Outcome::kCompany);
  EXPECT_NE(out_.view().find(",\"data\":" + data + "}"), std::string::npos) << out_.view();
  EXPECT_EQ(out_.view().substr(out_.size() - data.size() - 1), data + "}");
  EXPECT_STREQ((doc_.MemberEnd() - 1)->name.GetString(), "data");
}

// Found by event_parser_fuzz: RapidJSON's own full-precision conversion made
// "0e99" 6.5e296, so a numeric field could come out as a made-up number.
TEST_F(EventParserTest, NumericFieldsKeepTheirValue) {
  ASSERT_EQ(Run(Event(R"({"company_number":"1","company_name":1.5,"sic_codes":[62020,"0e5"],)"
                      R"("registered_office_address":{"postal_code":0e99,"premises":12}})")),
            Outcome::kCompany);
  EXPECT_EQ(Str("company_name"), "1.5");
  EXPECT_EQ(Str("registered_office_address"), R"({"postal_code":"0.0","premises":"12"})");
  EXPECT_EQ(Str("sic_codes"), R"(["62020","0e5"])");
}

TEST_F(EventParserTest, EscapedTopLevelKeysAreRecognised) {
  const std::string line =
      R"({"resource_kind":"company-profile","d\u0061ta":{"company_number":"SC1"},"event":{"timepoint":1,"published_at":"2023-11-04","type":"changed"}})";
  ASSERT_EQ(Run(line), Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "SC1");
  EXPECT_EQ(Str("data"), R"({"company_number":"SC1"})");
}

TEST_F(EventParserTest, RealSampleFile) {
  std::ifstream in("samples/real/real-stream-events.ndjson");
  if (!in) GTEST_SKIP() << "samples not available";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_EQ(Run(lines[0]), Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "05954546");
  EXPECT_EQ(Str("timepoint"), "68805561");
  EXPECT_EQ(Str("published_at"), "2023-11-04T14:33:29Z");
  EXPECT_EQ(
      Str("registered_office_address"),
      R"({"address_line_1":"Unit10 Heath Road Industrial Estate","address_line_2":"Banham","locality":"Norwich","postal_code":"NR16 2HS"})");
  EXPECT_EQ(Str("sic_codes"), R"(["45200"])");
  const size_t data_at = lines[0].find("\"data\":") + 7;
  const std::string raw_data = lines[0].substr(data_at, lines[0].find(",\"event\":") - data_at);
  EXPECT_EQ(out_.view().substr(out_.size() - raw_data.size() - 1), raw_data + "}");

  // The other two are resource records now (resource_parser_test.cc and the
  // extractor tests say more).
  ASSERT_EQ(Run(lines[1]), Outcome::kResource);
  EXPECT_EQ(Str("resource_kind"), "filing-history");
  EXPECT_EQ(Str("table"), "filings");
  EXPECT_EQ(Str("timepoint"), "140062688");
  ASSERT_EQ(Run(lines[2]), Outcome::kResource);
  EXPECT_EQ(Str("resource_uri"), "/company/14438833/exemptions");
  EXPECT_EQ(Str("company_number"), "14438833");
  EXPECT_EQ(Str("timepoint"), "2401");
}

TEST_F(EventParserTest, EveryRealCompaniesStreamEventIsACompanyRecord) {
  const std::vector<std::string> lines = test_support::RealEvents("companies");
  ASSERT_EQ(lines.size(), 24u);
  for (const std::string& line : lines) {
    ASSERT_EQ(Run(line), Outcome::kCompany) << line;
    const std::string uri = line.substr(line.find("\"/company/") + 10, 8);
    EXPECT_EQ(Str("company_number"), uri) << line;
    EXPECT_EQ(Str("event_type"), "changed");
    EXPECT_EQ(Str("company_status"), "active");
    EXPECT_NE(Str("company_name"), "(null)");
    const std::string data = test_support::RawDataOf(line);
    ASSERT_FALSE(data.empty());
    EXPECT_EQ(out_.view().substr(out_.size() - data.size() - 1), data + "}") << line;
  }
}

TEST_F(EventParserTest, ShapedAndFullParsesAgreeOnTheBundledCaptureAndAwkwardLines) {
  std::vector<std::string> lines;
  for (const char* path : {"samples/capture.ndjson", "samples/real/real-stream-events.ndjson"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  ASSERT_GT(lines.size(), 1000u) << "run from the repository root";
  const std::string good_data =
      R"({"company_number":"01234567","company_name":"A \"B\" \/ C\tD","company_status":"active"})";
  // Lines the shaped parse leaves to the full parse, or must build exactly.
  lines.push_back(Event(R"({"company_name":"\u00e9t\u00e9 LTD","company_number":"01234567"})"));
  lines.push_back(Event(R"({"company_name":"\ud800","company_number":"01234567"})"));
  lines.push_back(Event(R"({"company_number":"01234567","accounts":{"x":1e999}})"));
  lines.push_back(Event(R"({"company_number":"01234567","accounts":{"x":1.5E3,"y":-0.25}})"));
  lines.push_back(Event(R"({"company_n\u0061me":"ESCAPED KEY","company_number":"01234567"})"));
  lines.push_back(Event(R"({"company_na\"me":"QUOTE IN KEY","company_number":"01234567"})"));
  lines.push_back(Event(
      good_data, R"({"timepoint":"8","published_at":"2023-11-04T14:33:29","type":"changed"})"));
  lines.push_back(Event(good_data) + " ");
  lines.push_back(Event(good_data,
                        R"({"timepoint":7,"published_at":"2023-11-04T14:33:29","type":"changed"})",
                        R"("resource_kind":"company-profile","unknown":[1,{"a":null}],)"));
  lines.push_back(Event(good_data,
                        R"({"timepoint":7,"published_at":"2023-11-04T14:33:29","type":"changed"})",
                        R"("resource_kind":"company-profile","data":7,)"));
  lines.push_back(
      Event(good_data, R"({"timepoint":7,"published_at":"2023-11-04T14:33:29","type":"changed"})",
            R"("resource_kind":"company-profile","data":{"company_number":"07654321"},)"));
  lines.emplace_back(R"({"resource_kind":"company-profile","data":{"company_number":"01234567"},)"
                     R"("data":{"company_number":"07654321"},"event":{"timepoint":7,)"
                     R"("published_at":"2023-11-04T14:33:29","type":"changed"}})");
  lines.push_back(
      Event(R"({"company_number":"01234567","sic_codes":[" 1 ",2,null,"3"],)"
            R"("registered_office_address":{"locality":"X","locality":"Y","po_box":12},)"
            R"("company_status":["odd"],"company_name":{"x":1},"type":true})"));
  std::string many = R"({"company_number":"01234567")";
  for (int i = 0; i < JsonMembers::kCapacity + 3; ++i) many += ",\"k" + std::to_string(i) + "\":1";
  lines.push_back(Event(many + R"(,"company_name":"LATE MEMBER LTD"})"));
  lines.push_back(Event("{ \"company_number\" : \"01234567\" ,\n \"type\" :\t\"ltd\" }"));
  lines.emplace_back(R"({"gap":{"stream":"companies","after_timepoint":5,"reason":"x"}})");
  lines.emplace_back(
      R"({"gap":{"stream":"companies","after_timepoint":5,"reason":"x"},"data":{}})");
  lines.push_back(Event(good_data) + "x");
  lines.push_back(Event(R"({"company_number":"01234567",})"));
  lines.push_back(Event(R"({"company_number":"01234567","x":[1,2,]})"));
  lines.push_back(Event(R"({"company_number":"01234567","x":01})"));
  for (const std::string& line : lines) Run(line);
}

TEST_F(EventParserTest, BlankLinesAreHeartbeats) {
  for (const char* line : {"", " ", "\t", "\r", " \t \r"})
    EXPECT_EQ(Run(line), Outcome::kHeartbeat) << line;
  EXPECT_EQ(Run("\xEF\xBB\xBF"), Outcome::kHeartbeat);
}

TEST_F(EventParserTest, ToleratesBomAndCrLf) {
  ASSERT_EQ(Run(std::string("\xEF\xBB\xBF") + kGood + "\r"), Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "05954546");
  ASSERT_EQ(Run(std::string("  ") + kGood + " \t"), Outcome::kCompany);
}

TEST_F(EventParserTest, RejectsBrokenJson) {
  EXPECT_NE(ExpectReject(std::string(kGood) + "x", RejectClass::kInvalidJson).find("invalid JSON"),
            std::string::npos);
  ExpectReject(std::string(kGood) + "{}", RejectClass::kInvalidJson);
  ExpectReject(std::string(kGood).substr(0, 100), RejectClass::kInvalidJson);
  ExpectReject("<html><body><h1>502 Bad Gateway</h1></body></html>", RejectClass::kInvalidJson);
  ExpectReject("{\"a\":NaN}", RejectClass::kInvalidJson);
  ExpectReject("{'a':1}", RejectClass::kInvalidJson);
}

TEST_F(EventParserTest, RejectsNulBytesEvenAfterACompleteObject) {
  EXPECT_EQ(
      ExpectReject(std::string(kGood) + std::string("\0garbage", 8), RejectClass::kInvalidJson),
      "NUL byte in line");
  ExpectReject(std::string("{\"a\":\"x\0y\"}", 11), RejectClass::kInvalidJson);
}

TEST_F(EventParserTest, RejectsInvalidUtf8) {
  std::string line = kGood;
  line.replace(line.find("GLENCOYNE"), 1, "\xff");
  ExpectReject(line, RejectClass::kInvalidJson);
  line = kGood;
  line.replace(line.find("GLENCOYNE"), 2, "\xC0\x80");  // overlong NUL
  ExpectReject(line, RejectClass::kInvalidJson);
}

TEST_F(EventParserTest, RejectsDeepNestingWithoutRecursing) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_NE(ExpectReject(deep, RejectClass::kInvalidJson).find("nested"), std::string::npos);
  ExpectReject(Event(std::string(100, '[') + std::string(100, ']')), RejectClass::kInvalidJson);
}

TEST_F(EventParserTest, RejectsJsonThatIsNotAnObject) {
  for (const char* line : {"[\"company-profile\",1]", "\"text\"", "42", "null", "true"}) {
    EXPECT_EQ(ExpectReject(line, RejectClass::kEnvelope), "not a JSON object");
  }
}

TEST_F(EventParserTest, ResourceKindMustBeAStringAndOtherKindsAreResources) {
  ExpectReject(Event("{}", R"({"timepoint":7,"published_at":"2023-11-04","type":"changed"})", ""),
               RejectClass::kResourceKind);
  ExpectReject(Event("{}", R"({"timepoint":7,"published_at":"2023-11-04","type":"changed"})",
                     R"("resource_kind":5,)"),
               RejectClass::kResourceKind);
  EXPECT_EQ(Str("timepoint"), "7");
  // Any other kind is a resource record; these lines lack the resource_uri
  // that every resource needs.
  for (const char* kind :
       {R"("resource_kind":"filing-history",)", R"("resource_kind":"Company-Profile",)"}) {
    ExpectReject(
        Event("{}", R"({"timepoint":7,"published_at":"2023-11-04","type":"changed"})", kind),
        RejectClass::kResourceUri);
    EXPECT_EQ(Str("timepoint"), "7");
  }
  ASSERT_EQ(
      Run(Event(
          "{}", R"({"timepoint":7,"published_at":"2023-11-04","type":"changed"})",
          R"("resource_kind":"filing-history","resource_uri":"/company/1/filing-history/T",)")),
      Outcome::kResource);
}

TEST_F(EventParserTest, RejectsAMissingOrNonObjectEvent) {
  ExpectReject(R"({"resource_kind":"company-profile","data":{"company_number":"1"}})",
               RejectClass::kEnvelope);
  ExpectReject(R"({"resource_kind":"company-profile","data":{"company_number":"1"},"event":[]})",
               RejectClass::kEnvelope);
}

TEST_F(EventParserTest, TimepointMustBeAnIntegerInRange) {
  const auto with_tp = [](const std::string& tp) {
    return Event(R"({"company_number":"1"})",
                 "{\"timepoint\":" + tp + R"(,"published_at":"2023-11-04","type":"changed"})");
  };
  for (const char* bad : {"1e30", "-5", "\"abc\"", "1.5", "5.0", "1e2", "9223372036854775808",
                          "\"9223372036854775808\"", "\"-5\"", "\" 5\"", "\"+5\"", "\"\"", "true",
                          "null", "{}", "[1]", "18446744073709551616"}) {
    ExpectReject(with_tp(bad), RejectClass::kTimepoint);
    EXPECT_EQ(Str("timepoint"), "(null)") << bad;
  }
  ExpectReject(
      Event(R"({"company_number":"1"})", R"({"published_at":"2023-11-04","type":"changed"})"),
      RejectClass::kTimepoint);
  const std::pair<const char*, const char*> good[] = {
      {"0", "0"},
      {"\"123\"", "123"},
      {"9223372036854775807", "9223372036854775807"},
      {"\"9223372036854775807\"", "9223372036854775807"},
      {"\"007\"", "7"}};
  for (const auto& [tp, expected] : good) {
    ASSERT_EQ(Run(with_tp(tp)), Outcome::kCompany) << tp;
    EXPECT_EQ(Str("timepoint"), expected);
  }
}

TEST_F(EventParserTest, EventTypeMustBeChangedOrDeleted) {
  for (const char* type : {"\"updated\"", "\"Changed\"", "\" changed\"", "5", "null"}) {
    ExpectReject(
        Event(R"({"company_number":"1"})",
              std::string(R"({"timepoint":9,"published_at":"2023-11-04","type":)") + type + "}"),
        RejectClass::kEventType);
    EXPECT_EQ(Str("timepoint"), "9");
  }
  EXPECT_EQ(ExpectReject(Event(R"({"company_number":"1"})",
                               R"({"timepoint":9,"published_at":"2023-11-04"})"),
                         RejectClass::kEventType),
            "event.type is not changed or deleted: missing");
}

TEST_F(EventParserTest, PublishedAtIsRequiredAndConvertedToUtc) {
  const auto with_pa = [](const std::string& pa) {
    return Event(R"({"company_number":"1"})",
                 R"({"timepoint":9,"type":"changed","published_at":)" + pa + "}");
  };
  const std::pair<const char*, const char*> good[] = {
      {"\"2023-11-04T14:33:29\"", "2023-11-04T14:33:29Z"},
      {"\"2023-11-03T22:13:03.742120Z\"", "2023-11-03T22:13:03Z"},
      {"\"2023-11-04T15:33:29+01:00\"", "2023-11-04T14:33:29Z"},
      {"\"2023-11-04\"", "2023-11-04T00:00:00Z"}};
  for (const auto& [pa, expected] : good) {
    ASSERT_EQ(Run(with_pa(pa)), Outcome::kCompany) << pa;
    EXPECT_EQ(Str("published_at"), expected);
    EXPECT_EQ(Str("as_of"), expected);
  }
  for (const char* bad :
       {"\"2023-02-30T00:00:00\"", "\"yesterday\"", "1699108409", "null", "\"\""}) {
    ExpectReject(with_pa(bad), RejectClass::kPublishedAt);
    EXPECT_EQ(Str("timepoint"), "9");
  }
  ExpectReject(Event(R"({"company_number":"1"})", R"({"timepoint":9,"type":"changed"})"),
               RejectClass::kPublishedAt);
}

TEST_F(EventParserTest, DataMustBeAnObject) {
  EXPECT_EQ(ExpectReject(Event("[1,2]"), RejectClass::kData), "data is not an object");
  EXPECT_EQ(Str("timepoint"), "7");
  ExpectReject(Event("\"x\""), RejectClass::kData);
  ExpectReject(Event("null"), RejectClass::kData);  // a changed event needs data
  ExpectReject(
      R"({"resource_kind":"company-profile","resource_id":"1","event":{"timepoint":7,"published_at":"2023-11-04","type":"changed"}})",
      RejectClass::kData);
}

TEST_F(EventParserTest, DeletedEventsMayCarryLittleOrNoData) {
  const std::string deleted =
      R"({"timepoint":8,"published_at":"2023-11-04T10:00:00","type":"deleted"})";
  ASSERT_EQ(Run(Event(R"({"company_number":"sc000001"})", deleted)), Outcome::kCompany);
  EXPECT_EQ(Str("event_type"), "deleted");
  EXPECT_EQ(Str("company_number"), "SC000001");
  EXPECT_EQ(Str("company_name"), "(null)");
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("data"), R"({"company_number":"sc000001"})");
  ASSERT_EQ(
      Run(R"({"resource_kind":"company-profile","resource_uri":"/company/NI000002","event":)" +
          deleted + "}"),
      Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "NI000002");
  EXPECT_EQ(Str("data"), "{}");
  ASSERT_EQ(Run(R"({"resource_kind":"company-profile","resource_id":"3","data":null,"event":)" +
                deleted + "}"),
            Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "3");
  ExpectReject(R"({"resource_kind":"company-profile","event":)" + deleted + "}",
               RejectClass::kCompanyNumber);
}

TEST_F(EventParserTest, CompanyNumberComesFromDataThenResourceIdThenUri) {
  const std::string ev = R"({"timepoint":7,"published_at":"2023-11-04","type":"changed"})";
  ASSERT_EQ(Run(Event(R"({"company_number":" oc301234 "})", ev,
                      R"("resource_kind":"company-profile","resource_id":"99999999",)")),
            Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "OC301234");
  ASSERT_EQ(
      Run(Event(
          R"({"company_name":"X"})", ev,
          R"("resource_kind":"company-profile","resource_id":"08209948","resource_uri":"/company/1",)")),
      Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "08209948");
  ASSERT_EQ(Run(Event(R"({"company_number":null})", ev,
                      R"("resource_kind":"company-profile","resource_uri":"company/14438833",)")),
            Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "14438833");
  ASSERT_EQ(
      Run(Event(
          R"({})", ev,
          R"("resource_kind":"company-profile","resource_id":null,"resource_uri":"/company/SC606050",)")),
      Outcome::kCompany);
  EXPECT_EQ(Str("company_number"), "SC606050");
}

TEST_F(EventParserTest, RejectsBadCompanyNumbersWithTheTimepoint) {
  const std::string ev = R"({"timepoint":77,"published_at":"2023-11-04","type":"changed"})";
  for (const char* data :
       {R"({"company_number":"12-34/56"})", R"({"company_number":"ABCDEFGHIJK"})",
        R"({"company_number":""})", R"({"company_number":"\u00c5B123456"})",
        R"({"company_number":12345678})", R"({"company_number":["1"]})"}) {
    ExpectReject(Event(data, ev), RejectClass::kCompanyNumber);
    EXPECT_EQ(Str("timepoint"), "77") << data;
  }
  EXPECT_EQ(ExpectReject(Event(R"({"company_number":12345678})", ev), RejectClass::kCompanyNumber),
            "data.company_number is not a string");
  EXPECT_EQ(ExpectReject(Event(R"({"company_number":"12 34"})", ev), RejectClass::kCompanyNumber),
            "invalid company number in data.company_number: \"12 34\"");
  ExpectReject(Event("{}", ev, R"("resource_kind":"company-profile","resource_id":12,)"),
               RejectClass::kCompanyNumber);
  ExpectReject(Event("{}", ev, R"("resource_kind":"company-profile","resource_uri":"/company/",)"),
               RejectClass::kCompanyNumber);
  ExpectReject(Event("{}", ev, R"("resource_kind":"company-profile",)"),
               RejectClass::kCompanyNumber);
}

TEST_F(EventParserTest, StatusTextsAreNormalised) {
  struct Case {
    const char* data_members;
    const char* status;
    const char* detail;
  };
  const Case cases[] = {
      {R"("company_status":"active","company_status_detail":"active-proposal-to-strike-off")",
       "active", "active-proposal-to-strike-off"},
      {R"("company_status":"active-proposal-to-strike-off")", "active",
       "active-proposal-to-strike-off"},
      {R"("company_status":"Active - Proposal to Strike off")", "active",
       "active-proposal-to-strike-off"},
      {R"("company_status":"active","company_status_detail":"Active - Proposal to Strike off")",
       "active", "active-proposal-to-strike-off"},
      {R"("company_status":" LIQUIDATION ")", "liquidation", "(null)"},
      {R"("company_status":"In Administration")", "administration", "(null)"},
      {R"("company_status":"dissolved","company_status_detail":"PETITION-TO-RESTORE-DISSOLVED")",
       "dissolved", "petition-to-restore-dissolved"},
      {R"("company_status":"active","company_status_detail":"  ")", "active", "(null)"},
      {R"("company_status":"active","company_status_detail":"some new detail")", "active",
       "some new detail"},
      {R"("company_status_detail":"converted-to-plc")", "(null)", "converted-to-plc"},
      {R"("company_status":null)", "(null)", "(null)"},
  };
  for (const Case& c : cases) {
    ASSERT_EQ(Run(Event(std::string(R"({"company_number":"1",)") + c.data_members + "}")),
              Outcome::kCompany);
    EXPECT_EQ(Str("company_status"), c.status) << c.data_members;
    EXPECT_EQ(Str("company_status_detail"), c.detail) << c.data_members;
    EXPECT_FALSE(parser_.unknown_status()) << c.data_members;
  }
}

TEST_F(EventParserTest, UnknownStatusIsNullWithTheRawTextKept) {
  ASSERT_EQ(Run(Event(R"({"company_number":"1","company_status":"Struck Off"})")),
            Outcome::kCompany);
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "Struck Off");
  EXPECT_TRUE(parser_.unknown_status());
  ASSERT_EQ(Run(Event(R"({"company_number":"1","company_status":5})")), Outcome::kCompany);
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "5");
  ASSERT_EQ(Run(Event(R"({"company_number":"1","company_status":"active"})")), Outcome::kCompany);
  EXPECT_FALSE(parser_.unknown_status());
}

TEST_F(EventParserTest, ExtractsFieldsDefensively) {
  ASSERT_EQ(
      Run(Event(
          R"({"company_number":"1","company_name":123,"type":7,"date_of_creation":"03/10/2006",)"
          R"("date_of_cessation":"not a date","registered_office_address":{"premises":12,)"
          R"("address_line_1":"","locality":{"x":1},"care_of":"C/O","po_box":"PO 1","region":"R",)"
          R"("country":"UK","address_line_2":"L2"},"sic_codes":[" 01110 ","",62020,null,{}]})")),
      Outcome::kCompany);
  EXPECT_EQ(Str("company_name"), "123");
  EXPECT_EQ(Str("type"), "(null)");
  EXPECT_EQ(Str("date_of_creation"), "2006-10-03");
  EXPECT_EQ(Str("date_of_cessation"), "(null)");
  EXPECT_EQ(
      Str("registered_office_address"),
      R"({"address_line_2":"L2","region":"R","country":"UK","care_of":"C/O","po_box":"PO 1","premises":"12"})");
  EXPECT_EQ(Str("sic_codes"), R"(["01110","62020"])");
  ASSERT_EQ(
      Run(Event(R"({"company_number":"1","registered_office_address":"x","sic_codes":"62020"})")),
      Outcome::kCompany);
  EXPECT_EQ(Str("registered_office_address"), "{}");
  EXPECT_EQ(Str("sic_codes"), "[]");
}

TEST_F(EventParserTest, NothingLeaksFromOneLineToTheNext) {
  ASSERT_EQ(Run(kGood), Outcome::kCompany);
  ASSERT_EQ(Run(Event(R"({"company_number":"2"})")), Outcome::kCompany);
  EXPECT_EQ(Str("company_name"), "(null)");
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("date_of_creation"), "(null)");
  EXPECT_EQ(Str("registered_office_address"), "{}");
  EXPECT_EQ(Str("sic_codes"), "[]");
}

TEST_F(EventParserTest, GapLinesPassThroughCanonically) {
  ASSERT_EQ(
      Run(R"( { "gap" : { "stream":"companies", "after_timepoint" : 68805561 , "reason":"timepoint-out-of-range","x":1 } } )"),
      Outcome::kControl);
  EXPECT_EQ(
      out_.view(),
      R"({"gap":{"stream":"companies","after_timepoint":68805561,"reason":"timepoint-out-of-range"}})");
  ASSERT_EQ(Run(R"({"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}})"),
            Outcome::kControl);
  EXPECT_EQ(out_.view(),
            R"({"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}})");
  ASSERT_EQ(Run(R"({"gap":{"stream":"companies","after_timepoint":"5","reason":"r"}})"),
            Outcome::kControl);
  EXPECT_EQ(out_.view(), R"({"gap":{"stream":"companies","after_timepoint":5,"reason":"r"}})");
}

TEST_F(EventParserTest, InvalidGapLinesAreRejected) {
  for (const char* line : {R"({"gap":[]})", R"({"gap":{"after_timepoint":1,"reason":"r"}})",
                           R"({"gap":{"stream":"","after_timepoint":1,"reason":"r"}})",
                           R"({"gap":{"stream":"companies","reason":"r"}})",
                           R"({"gap":{"stream":"companies","after_timepoint":-1,"reason":"r"}})",
                           R"({"gap":{"stream":"companies","after_timepoint":1.5,"reason":"r"}})",
                           R"({"gap":{"stream":"companies","after_timepoint":1}})",
                           R"({"gap":{"stream":"companies","after_timepoint":1,"reason":5}})"}) {
    ExpectReject(line, RejectClass::kControlLine);
  }
  // With other members it is not a control line but a (bad) event.
  ExpectReject(R"({"gap":{"stream":"companies","after_timepoint":1,"reason":"r"},"x":1})",
               RejectClass::kResourceKind);
}

TEST_F(EventParserTest, SnapshotEndOnTheStreamIsRejected) {
  EXPECT_EQ(ExpectReject(R"({"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":1}})",
                         RejectClass::kControlLine),
            "snapshot_end is not accepted on stream input");
}

TEST_F(EventParserTest, OversizedLinesAreRejectedWithTheirFullLength) {
  out_.clear();
  ASSERT_EQ(parser_.ParseOversized(std::string(65536, 'x'), 60000000, &out_), Outcome::kReject);
  ASSERT_TRUE(ParseJson(out_.view(), &doc_).ok());
  EXPECT_EQ(parser_.reject_class(), RejectClass::kLineTooLong);
  EXPECT_EQ(Str("reason"), "line too long (60000000 bytes)");
  EXPECT_EQ(Str("raw_length"), "60000000");
  EXPECT_EQ(Str("timepoint"), "(null)");
  EXPECT_EQ(Base64Decode(Str("raw_base64"))->size(), 65536u);
}

TEST_F(EventParserTest, OtherStreamNamesAreUsedInTheRecords) {
  EventParser parser("test-stream");
  JsonLine out;
  ASSERT_EQ(parser.Parse(kGood, &out), Outcome::kCompany);
  EXPECT_NE(out.view().find("\"stream\":\"test-stream\""), std::string::npos);
}

}  // namespace
}  // namespace ch
