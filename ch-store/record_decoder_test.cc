#include "ch-store/record_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::Bulk;
using testing_records::Stream;
using testing_records::TestCompany;

TEST(RecordDecoderTest, DecodesACompanyRecordWithItsDataTextAsWritten) {
  RecordDecoder decoder("companies");
  TestCompany c = Stream(68805561, "2023-11-04T14:33:29Z", "05954546", "active",
                         "active-proposal-to-strike-off");
  c.data = "{ \"company_number\" : \"05954546\", \"accounts\":{\"day\":\"30\"} }";
  c.sic_codes = {"45200", "", "47110"};
  c.postal_code = "NR16 2HS";
  // Decode returns views into the line: keep it alive.
  const std::string line = c.Line();
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kCompany);
  const CompanyRecord& rec = r.company;
  EXPECT_EQ(rec.stream, "companies");
  EXPECT_FALSE(rec.bulk);
  EXPECT_FALSE(rec.deleted);
  EXPECT_EQ(rec.timepoint, 68805561);
  EXPECT_EQ(rec.published_at, "2023-11-04T14:33:29Z");
  EXPECT_EQ(rec.as_of, "2023-11-04T14:33:29Z");
  EXPECT_EQ(rec.company_number, "05954546");
  EXPECT_EQ(rec.company_name, "ACME LTD");
  EXPECT_EQ(rec.company_status, "active");
  EXPECT_EQ(rec.company_status_detail, "active-proposal-to-strike-off");
  EXPECT_EQ(rec.type, "ltd");
  EXPECT_EQ(rec.address[4], "NR16 2HS");
  EXPECT_FALSE(rec.address[0].has_value());
  EXPECT_EQ(rec.sic_codes, "45200,47110");
  EXPECT_EQ(rec.data, "{ \"company_number\" : \"05954546\", \"accounts\":{\"day\":\"30\"} }");
}

TEST(RecordDecoderTest, DecodesEscapesAndNumbersOnTheFastPath) {
  RecordDecoder decoder("companies");
  const std::string line =
      "{\"kind\":\"company\",\"source\":\"stream\",\"timepoint\":1.2e1,\"published_at\":null,"
      "\"as_of\":\"2024-01-01T00:00:00Z\",\"company_number\":\"00000001\","
      "\"company_name\":\"A \\\"Q\\\" \\\\ \\u00e9\\ud83d\\ude00 \\ud800x\\n\","
      "\"registered_office_address\":{\"postal_code\":\"E1\\/6AN\",\"locality\":null},"
      "\"sic_codes\":[\"1\",2,\"\",\"3\"],\"data\":{\"x\":\"\\u0041\"}}";
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kCompany) << (r.kind == RecordKind::kReject ? r.reject.reason : "");
  EXPECT_EQ(r.company.timepoint, 12);
  EXPECT_EQ(r.company.company_name, "A \"Q\" \\ \xc3\xa9\xf0\x9f\x98\x80 \xef\xbf\xbdx\n");
  EXPECT_EQ(r.company.address[4], "E1/6AN");
  EXPECT_FALSE(r.company.address[2].has_value());
  EXPECT_EQ(r.company.sic_codes, "1,3");
  EXPECT_EQ(r.company.data, "{\"x\":\"\\u0041\"}");
  EXPECT_FALSE(r.company.published_at.has_value());
  TestCompany fraction = Stream(1, "2024-01-01T00:00:00Z", "00000001");
  std::string bad = fraction.Line();
  bad.replace(bad.find("\"timepoint\":1"), 13, "\"timepoint\":1.5");
  EXPECT_EQ(decoder.Decode(bad).kind, RecordKind::kReject);
}

TEST(RecordDecoderTest, ReserialisesDataThatIsNotTheLastMember) {
  RecordDecoder decoder("companies");
  const std::string line =
      "{\"kind\":\"company\",\"source\":\"stream\",\"timepoint\":\"12\",\"data\": {\"a\" : 1},"
      "\"as_of\":\"2024-01-01T00:00:00Z\",\"company_number\":\"AB123456\"}";
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kCompany);
  EXPECT_EQ(r.company.data, "{\"a\":1}");
  EXPECT_EQ(r.company.timepoint, 12);        // a numeric string is a number
  EXPECT_EQ(r.company.stream, "companies");  // the default when absent
}

TEST(RecordDecoderTest, NullDataIsNoData) {
  RecordDecoder decoder("companies");
  TestCompany c = Stream(1, "2024-01-01T00:00:00Z", "00000001");
  c.data = "null";
  const std::string line = c.Line();
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kCompany);
  EXPECT_FALSE(r.company.data.has_value());
}

// RapidJSON 1.1.0's full-precision parse made 0e99 a huge garbage number;
// the decoder must read it as 0, like ch-parse does.
TEST(RecordDecoderTest, ZeroWithALargeExponentIsZero) {
  RecordDecoder decoder("companies");
  TestCompany c = Stream(7, "2024-01-01T00:00:00Z", "00000001");
  std::string line = c.Line();
  const std::string from = "\"timepoint\":7";
  const size_t at = line.find(from);
  ASSERT_NE(at, std::string::npos) << line;
  line.replace(at, from.size(), "\"timepoint\":0e99");
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kCompany) << line;
  EXPECT_EQ(r.company.timepoint, 0);
}

TEST(RecordDecoderTest, DecodesBulkAndDeletedRecords) {
  RecordDecoder decoder("companies");
  const std::string bulk_line = Bulk("2025-08-01", "SC000001").Line();
  const Record& bulk = decoder.Decode(bulk_line);
  ASSERT_EQ(bulk.kind, RecordKind::kCompany);
  EXPECT_TRUE(bulk.company.bulk);
  EXPECT_FALSE(bulk.company.timepoint.has_value());
  EXPECT_EQ(bulk.company.as_of, "2025-08-01T00:00:00Z");
  TestCompany d = Stream(5, "2024-01-01T00:00:00Z", "00000001");
  d.event_type = "deleted";
  const std::string deleted_line = d.Line();
  const Record& deleted = decoder.Decode(deleted_line);
  ASSERT_EQ(deleted.kind, RecordKind::kCompany);
  EXPECT_TRUE(deleted.company.deleted);
}

TEST(RecordDecoderTest, CompanyRecordsMissingWhatTheDatabaseNeedsAreRejected) {
  RecordDecoder decoder("companies");
  TestCompany no_timepoint = Stream(1, "2024-01-01T00:00:00Z", "00000001");
  no_timepoint.timepoint.reset();
  TestCompany bad_number = Stream(1, "2024-01-01T00:00:00Z", "abc-1");
  TestCompany bad_as_of = Stream(1, "2024-01-01 00:00:00", "00000001");
  TestCompany bad_type = Stream(1, "2024-01-01T00:00:00Z", "00000001");
  bad_type.event_type = "updated";
  TestCompany bad_source = Stream(1, "2024-01-01T00:00:00Z", "00000001");
  bad_source.source = "fax";
  TestCompany bulk_without_date = Bulk("2025-08-01", "00000001");
  bulk_without_date.as_of.reset();
  for (const TestCompany& c :
       {no_timepoint, bad_number, bad_as_of, bad_type, bad_source, bulk_without_date}) {
    const std::string line = c.Line();
    const Record& r = decoder.Decode(line);
    ASSERT_EQ(r.kind, RecordKind::kReject) << line;
    EXPECT_EQ(r.reject.reason.substr(0, 10), "ch-store: ");
    EXPECT_EQ(r.reject.raw, line);
    EXPECT_EQ(r.reject.raw_length, line.size());
    EXPECT_EQ(r.reject.stream, "companies");
  }
}

TEST(RecordDecoderTest, UnusableLinesBecomeRejectsWithTheirBytes) {
  RecordDecoder decoder("s");
  for (const std::string& line :
       {std::string("garbage"), std::string("{\"kind\":\"other\"}"), std::string("{}"),
        std::string("\"text\""), std::string("{\"kind\":1}"),
        std::string("{\"kind\":\"company\",\"data\":{}} trailing"), std::string("{\"a\":\"\xff\"}"),
        std::string("{\"gap\":[]}")}) {
    const Record& r = decoder.Decode(line);
    ASSERT_EQ(r.kind, RecordKind::kReject) << line;
    EXPECT_EQ(r.reject.reason.substr(0, 10), "ch-store: ") << r.reject.reason;
    EXPECT_EQ(r.reject.raw, line);
    EXPECT_EQ(r.reject.stream, "s");
    EXPECT_FALSE(r.reject.timepoint.has_value());
  }
}

TEST(RecordDecoderTest, KeepsAt64KibOfARejectedLine) {
  RecordDecoder decoder("companies");
  const std::string line(100000, 'x');
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kReject);
  EXPECT_EQ(r.reject.raw.size(), kMaxRejectRawBytes);
  EXPECT_EQ(r.reject.raw_length, 100000u);
  const std::string prefix(10, 'y');
  const Record& big = decoder.DecodeOversized(prefix, 9000000);
  ASSERT_EQ(big.kind, RecordKind::kReject);
  EXPECT_EQ(big.reject.raw, std::string(10, 'y'));
  EXPECT_EQ(big.reject.raw_length, 9000000u);
  EXPECT_NE(big.reject.reason.find("longer than"), std::string_view::npos);
}

TEST(RecordDecoderTest, DecodesRejectRecordsFromChParse) {
  RecordDecoder decoder("companies");
  const std::string raw("\x00\xff{bad", 6);
  const std::string line =
      "{\"kind\":\"reject\",\"stream\":\"companies\",\"source\":\"stream\",\"timepoint\":\"77\","
      "\"reason\":\"invalid JSON: x\",\"raw_length\":70000,\"raw_base64\":\"" +
      Base64Encode(raw) + "\"}";
  const Record& r = decoder.Decode(line);
  ASSERT_EQ(r.kind, RecordKind::kReject);
  EXPECT_EQ(r.reject.raw, raw);
  EXPECT_EQ(r.reject.raw_length, 70000u);
  EXPECT_EQ(r.reject.timepoint, 77);
  EXPECT_EQ(r.reject.reason, "invalid JSON: x");
  EXPECT_EQ(r.reject.source, "stream");
  const Record& bad = decoder.Decode("{\"kind\":\"reject\",\"raw_base64\":\"!!!\"}");
  ASSERT_EQ(bad.kind, RecordKind::kReject);
  EXPECT_EQ(bad.reject.reason.substr(0, 10), "ch-store: ");
}

TEST(RecordDecoderTest, DecodesControlLines) {
  RecordDecoder decoder("companies");
  const Record& gap = decoder.Decode(
      "{\"gap\":{\"stream\":\"companies\",\"after_timepoint\":68805561,"
      "\"reason\":\"timepoint-out-of-range\"}}");
  ASSERT_EQ(gap.kind, RecordKind::kGap);
  EXPECT_EQ(gap.gap.after_timepoint, 68805561);
  EXPECT_EQ(gap.gap.reason, "timepoint-out-of-range");
  const Record& live =
      decoder.Decode("{\"gap\":{\"after_timepoint\":null,\"reason\":\"started-live\"}}");
  ASSERT_EQ(live.kind, RecordKind::kGap);
  EXPECT_FALSE(live.gap.after_timepoint.has_value());
  EXPECT_EQ(live.gap.stream, "companies");
  const Record& end =
      decoder.Decode("{\"snapshot_end\":{\"as_of\":\"2025-08-01\",\"rows\":5689367}}");
  ASSERT_EQ(end.kind, RecordKind::kSnapshotEnd);
  EXPECT_EQ(end.snapshot_end.as_of_date, "2025-08-01");
  EXPECT_EQ(end.snapshot_end.rows, 5689367);
  EXPECT_EQ(end.snapshot_end.stream, "companies");
  EXPECT_EQ(decoder.Decode("{\"snapshot_end\":{\"as_of\":\"August\"}}").kind, RecordKind::kReject);
  EXPECT_EQ(decoder.Decode("{\"gap\":{\"after_timepoint\":\"x\"}}").kind, RecordKind::kReject);
}

TEST(RecordDecoderTest, DecodesAPscSnapshotEndWithItsCounts) {
  RecordDecoder decoder("companies");
  const Record& end = decoder.Decode(
      R"({"snapshot_end":{"stream":"persons-with-significant-control","format":"psc-snapshot",)"
      R"("as_of":"2026-12-05","rows":16,"expected":{"pscs":10,"statements":4,"exemptions":1},)"
      R"("received":{"pscs":9,"statements":4,"exemptions":1,"other":1,"rejects":1}}})");
  ASSERT_EQ(end.kind, RecordKind::kSnapshotEnd);
  const SnapshotEndRecord& e = end.snapshot_end;
  EXPECT_TRUE(e.psc_snapshot);
  EXPECT_EQ(e.stream, "persons-with-significant-control");
  EXPECT_EQ(e.as_of_date, "2026-12-05");
  EXPECT_EQ(e.rows, 16);
  ASSERT_TRUE(e.expected.has_value());
  EXPECT_EQ(e.expected->pscs, 10);
  EXPECT_EQ(e.expected->statements, 4);
  EXPECT_EQ(e.expected->exemptions, 1);
  EXPECT_EQ(e.received.pscs, 9);
  EXPECT_EQ(e.received.other, 1);
  EXPECT_EQ(e.received.rejects, 1);
  const Record& without = decoder.Decode(
      R"({"snapshot_end":{"format":"psc-snapshot","as_of":"2026-12-05","rows":0,"expected":null,)"
      R"("received":{"pscs":0,"statements":0,"exemptions":0,"other":0,"rejects":0}}})");
  ASSERT_EQ(without.kind, RecordKind::kSnapshotEnd);
  EXPECT_FALSE(without.snapshot_end.expected.has_value());
  // The company bulk file's line is not a PSC snapshot's.
  EXPECT_FALSE(decoder.Decode(R"({"snapshot_end":{"as_of":"2025-08-01","rows":1}})")
                   .snapshot_end.psc_snapshot);
  // What ch-store cannot read heals nothing: a reject.
  for (
      const char* bad : {
          R"({"snapshot_end":{"format":"officers-bulk","as_of":"2026-12-05"}})",
          R"({"snapshot_end":{"format":"psc-snapshot","as_of":"2026-12-05","expected":null}})",
          R"({"snapshot_end":{"format":"psc-snapshot","as_of":"2026-12-05","received":{"pscs":1,"statements":0,"exemptions":0,"other":0,"rejects":0}}})",
          R"({"snapshot_end":{"format":"psc-snapshot","as_of":"2026-12-05","expected":{"pscs":1},"received":{"pscs":1,"statements":0,"exemptions":0,"other":0,"rejects":0}}})",
          R"({"snapshot_end":{"format":"psc-snapshot","as_of":"2026-12-05","expected":null,"received":{"pscs":-1,"statements":0,"exemptions":0,"other":0,"rejects":0}}})",
      }) {
    const Record& r = decoder.Decode(bad);
    EXPECT_EQ(r.kind, RecordKind::kReject) << bad;
  }
}

TEST(RecordDecoderTest, DecodesAsBeforeAfterReleasingItsScratchMemory) {
  RecordDecoder decoder("companies");
  const std::string raw(40000, 'x');  // a reject larger than what is kept
  const std::string reject =
      "{\"kind\":\"reject\",\"reason\":\"r\",\"raw_length\":40000,"
      "\"raw_base64\":\"" +
      Base64Encode(raw) + "\"}";
  const std::string gap = "{\"gap\":{\"after_timepoint\":5,\"reason\":\"timepoint-out-of-range\"}}";
  const std::string company = Stream(7, "2024-01-02T03:04:05Z", "SC000001", "dissolved").Line();
  for (int round = 0; round < 3; ++round) {
    const Record& r = decoder.Decode(reject);
    ASSERT_EQ(r.kind, RecordKind::kReject);
    EXPECT_EQ(r.reject.raw, raw);
    decoder.ReleaseScratch();
    const Record& g = decoder.Decode(gap);
    ASSERT_EQ(g.kind, RecordKind::kGap);
    EXPECT_EQ(g.gap.after_timepoint, 5);
    decoder.ReleaseScratch();
    const Record& c = decoder.Decode(company);
    ASSERT_EQ(c.kind, RecordKind::kCompany);
    EXPECT_EQ(c.company.company_number, "SC000001");
    EXPECT_EQ(c.company.company_status, "dissolved");
    decoder.ReleaseScratch();
    decoder.ReleaseScratch();  // twice: nothing left to free
  }
}

TEST(RecordDecoderTest, BlankLinesAreNothing) {
  RecordDecoder decoder("companies");
  EXPECT_EQ(decoder.Decode("").kind, RecordKind::kBlank);
  EXPECT_EQ(decoder.Decode(" \t\r").kind, RecordKind::kBlank);
}

TEST(RecordDecoderTest, ShapeChecks) {
  EXPECT_TRUE(IsUtcTimestampText("2023-11-04T14:33:29Z"));
  EXPECT_FALSE(IsUtcTimestampText("2023-11-04T14:33:29"));
  EXPECT_FALSE(IsUtcTimestampText("2023-11-04 14:33:29Z"));
  EXPECT_TRUE(IsIsoDateText("2025-08-01"));
  EXPECT_FALSE(IsIsoDateText("01/08/2025"));
  EXPECT_TRUE(IsCompanyNumber("SC123456"));
  EXPECT_TRUE(IsCompanyNumber("1"));
  EXPECT_FALSE(IsCompanyNumber("sc123456"));
  EXPECT_FALSE(IsCompanyNumber("12345678901"));
  EXPECT_FALSE(IsCompanyNumber(""));
}

}  // namespace
}  // namespace ch
