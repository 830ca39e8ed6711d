#include "ch-parse/record_writer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/json.h"

namespace ch {
namespace {

TEST(RecordWriterTest, CompanyRecordHasEveryMemberInOrderWithDataLast) {
  RecordWriter writer("companies", "stream");
  ParsedCompany r;
  r.timepoint = 68805561;
  r.published_at = "2023-11-04T14:33:29Z";
  r.as_of = "2023-11-04T14:33:29Z";
  r.event_type = "changed";
  r.company_number = "05954546";
  r.company_name = "GLENCOYNE \"ENGINEERING\" LTD";
  r.company_status = "active";
  r.company_status_detail = "active-proposal-to-strike-off";
  r.company_status_raw = "Active - Proposal to Strike off";
  r.type = "ltd";
  r.jurisdiction = "england-wales";
  r.date_of_creation = "2006-10-03";
  r.address[0] = "Unit10";
  r.address[4] = "NR16 2HS";
  r.sic_codes = {"45200", "01110"};
  r.data_json = "{\"company_number\":\"05954546\"}";
  JsonLine out;
  writer.AppendCompany(r, &out);
  EXPECT_EQ(
      out.view(),
      "{\"kind\":\"company\",\"stream\":\"companies\",\"source\":\"stream\",\"timepoint\":68805561,"
      "\"published_at\":\"2023-11-04T14:33:29Z\",\"as_of\":\"2023-11-04T14:33:29Z\",\"event_type\":"
      "\"changed\","
      "\"company_number\":\"05954546\",\"company_name\":\"GLENCOYNE \\\"ENGINEERING\\\" LTD\","
      "\"company_status\":\"active\",\"company_status_detail\":\"active-proposal-to-strike-off\","
      "\"company_status_raw\":\"Active - Proposal to Strike "
      "off\",\"type\":\"ltd\",\"type_raw\":null,"
      "\"jurisdiction\":\"england-wales\",\"date_of_creation\":\"2006-10-03\",\"date_of_"
      "cessation\":null,"
      "\"registered_office_address\":{\"address_line_1\":\"Unit10\",\"postal_code\":\"NR16 2HS\"},"
      "\"sic_codes\":[\"45200\",\"01110\"],\"data\":{\"company_number\":\"05954546\"}}");
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(out.view(), &doc).ok());
  EXPECT_STREQ((doc.MemberEnd() - 1)->name.GetString(), "data");
}

TEST(RecordWriterTest, NullsAndEmptyCollectionsForABulkRecord) {
  RecordWriter writer("companies", "bulk");
  ParsedCompany r;
  r.as_of = "2025-08-01T00:00:00Z";
  r.event_type = "changed";
  r.company_number = "SC1";
  JsonLine out;
  writer.AppendCompany(r, &out);
  EXPECT_EQ(
      out.view(),
      "{\"kind\":\"company\",\"stream\":\"companies\",\"source\":\"bulk\",\"timepoint\":null,"
      "\"published_at\":null,\"as_of\":\"2025-08-01T00:00:00Z\",\"event_type\":\"changed\","
      "\"company_number\":\"SC1\",\"company_name\":null,\"company_status\":null,"
      "\"company_status_detail\":null,\"company_status_raw\":null,\"type\":null,\"type_raw\":null,"
      "\"jurisdiction\":null,\"date_of_creation\":null,\"date_of_cessation\":null,"
      "\"registered_office_address\":{},\"sic_codes\":[],\"data\":{}}");
}

TEST(RecordWriterTest, ClearResetsEverything) {
  ParsedCompany r;
  r.timepoint = 1;
  r.company_name = "x";
  r.address[3] = "y";
  r.sic_codes.emplace_back("1");
  r.Clear();
  EXPECT_FALSE(r.timepoint);
  EXPECT_FALSE(r.company_name);
  EXPECT_FALSE(r.address[3]);
  EXPECT_TRUE(r.sic_codes.empty());
}

TEST(RecordWriterTest, RejectCarriesAnyBytesAsBase64) {
  RecordWriter writer("companies", "stream");
  const std::string raw("{\"a\":\xff\x00\n", 8);
  JsonLine out;
  writer.AppendReject(std::nullopt, "invalid JSON: \xff", raw, raw.size(), &out);
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(out.view(), &doc).ok()) << out.view();
  EXPECT_STREQ(doc["kind"].GetString(), "reject");
  EXPECT_STREQ(doc["source"].GetString(), "stream");
  EXPECT_TRUE(doc["timepoint"].IsNull());
  EXPECT_STREQ(doc["reason"].GetString(), "invalid JSON: \xEF\xBF\xBD");
  EXPECT_EQ(doc["raw_length"].GetInt(), 8);
  EXPECT_EQ(Base64Decode(doc["raw_base64"].GetString()).value(), raw);
}

TEST(RecordWriterTest, RejectKeepsOnlyTheFirst64KiB) {
  RecordWriter writer("companies", "stream");
  const std::string raw(100000, 'x');
  JsonLine out;
  writer.AppendReject(42, "line too long (100000 bytes)", raw, raw.size(), &out);
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(out.view(), &doc).ok());
  EXPECT_EQ(doc["timepoint"].GetInt64(), 42);
  EXPECT_EQ(doc["raw_length"].GetInt(), 100000);
  EXPECT_EQ(Base64Decode(doc["raw_base64"].GetString())->size(), 65536u);
}

TEST(RecordWriterTest, ControlLines) {
  JsonLine out;
  RecordWriter::AppendGap("companies", 68805561, "timepoint-out-of-range", &out);
  EXPECT_EQ(out.view(),
            "{\"gap\":{\"stream\":\"companies\",\"after_timepoint\":68805561,\"reason\":"
            "\"timepoint-out-of-range\"}}");
  out.clear();
  RecordWriter::AppendGap("companies", std::nullopt, "started-live", &out);
  EXPECT_EQ(
      out.view(),
      "{\"gap\":{\"stream\":\"companies\",\"after_timepoint\":null,\"reason\":\"started-live\"}}");
  out.clear();
  RecordWriter("companies", "bulk").AppendSnapshotEnd("2025-08-01", 5689367, &out);
  EXPECT_EQ(
      out.view(),
      "{\"snapshot_end\":{\"stream\":\"companies\",\"as_of\":\"2025-08-01\",\"rows\":5689367}}");
}

constexpr Column kTestColumns[] = {{"id", ColumnType::kText}, {"n", ColumnType::kInteger}};
constexpr const char* kTestMembers[] = {"x"};
void ExtractNothing(const ExtractInput&, ResourceRows*) {}
constexpr ResourceTable kTestTable =
    MakeResourceTable("things", kTestColumns, kTestMembers, &ExtractNothing);

TEST(RecordWriterTest, ResourceRecordHasEveryMemberInOrderWithDataLast) {
  RecordWriter writer("filings", "stream");
  ResourceRows rows;
  rows.Reset(&kTestTable);
  rows.SetText(rows.AddRow(), 0, "a\"b");
  const size_t second = rows.AddRow();
  rows.SetInteger(second, 1, -3);
  rows.AddSignal({"strike-off-applied", "filing:/company/1/f/T", "2024-01-02", "DS01"});
  rows.AddSignal({"dissolved", "k2", std::nullopt, std::nullopt});
  ParsedResource r;
  r.timepoint = 42;
  r.published_at = r.as_of = "2024-01-02T03:04:05Z";
  r.event_type = "changed";
  r.resource_kind = "filing-history";
  r.resource_uri = "/company/1/f/T";
  r.resource_id = "T";
  r.company_number = "1";
  r.rows = &rows;
  r.data_json = R"({ "type" : "DS01" })";
  JsonLine out;
  writer.AppendResource(r, &out);
  EXPECT_EQ(out.view(),
            R"({"kind":"resource","stream":"filings","source":"stream","timepoint":42,)"
            R"("published_at":"2024-01-02T03:04:05Z","as_of":"2024-01-02T03:04:05Z",)"
            R"("event_type":"changed","resource_kind":"filing-history",)"
            R"("resource_uri":"/company/1/f/T","resource_id":"T","company_number":"1",)"
            R"("table":"things","rows":[{"id":"a\"b","n":null},{"id":null,"n":-3}],)"
            R"("signals":[{"signal":"strike-off-applied","key":"filing:/company/1/f/T",)"
            R"("occurred_on":"2024-01-02","detail":"DS01"},)"
            R"({"signal":"dissolved","key":"k2","occurred_on":null,"detail":null}],)"
            R"("data":{ "type" : "DS01" }})");
}

TEST(RecordWriterTest, ResourceRecordWithoutTableOrData) {
  RecordWriter writer("x", "bulk");
  ResourceRows rows;
  rows.Reset(nullptr);
  ParsedResource r;
  r.event_type = "deleted";
  r.resource_kind = "new-kind";
  r.resource_uri = "/n/1";
  r.rows = &rows;
  JsonLine out;
  writer.AppendResource(r, &out);
  EXPECT_EQ(out.view(),
            R"({"kind":"resource","stream":"x","source":"bulk","timepoint":null,)"
            R"("published_at":null,"as_of":null,"event_type":"deleted","resource_kind":"new-kind",)"
            R"("resource_uri":"/n/1","resource_id":null,"company_number":null,"table":null,)"
            R"("rows":[],"signals":[],"data":null})");
}

TEST(RecordWriterTest, StreamNameIsEscaped) {
  JsonLine out;
  RecordWriter("a\"b", "stream").AppendSnapshotEnd("2025-08-01", 0, &out);
  EXPECT_EQ(out.view(),
            "{\"snapshot_end\":{\"stream\":\"a\\\"b\",\"as_of\":\"2025-08-01\",\"rows\":0}}");
}

TEST(RecordWriterTest, RejectClassLabelsAreDistinct) {
  std::set<std::string_view> labels;
  for (int i = 0; i < kRejectClassCount; ++i)
    labels.insert(RejectClassLabel(static_cast<RejectClass>(i)));
  EXPECT_EQ(labels.size(), static_cast<size_t>(kRejectClassCount));
  EXPECT_EQ(labels.count("other"), 0u);
}

}  // namespace
}  // namespace ch
