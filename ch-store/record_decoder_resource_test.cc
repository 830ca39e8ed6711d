// RecordDecoder and resource records: both paths (the fast one that slices
// `data` out of the line, and the full parse when `data` is not last) give
// the same record; what cannot be applied becomes a ch-store reject.
#include <gtest/gtest.h>

#include <string>

#include "ch-store/raw_hash.h"
#include "ch-store/record_decoder.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::Filing;
using testing_records::TestResource;

std::string Cells(const ResourceRecord& r) {
  std::string out;
  size_t cell = 0;
  for (const uint32_t size : r.row_sizes) {
    out += "[";
    for (uint32_t k = 0; k < size; ++k, ++cell) {
      const RowCell& c = r.cells[cell];
      out += std::string(c.column) + "=";
      switch (c.type) {
        case RowCell::Type::kNull:
          out += "null";
          break;
        case RowCell::Type::kInteger:
          out += "i" + std::to_string(c.integer);
          break;
        case RowCell::Type::kText:
          out += "'" + std::string(c.text) + "'";
          break;
      }
      out += k + 1 < size ? "," : "";
    }
    out += "]";
  }
  return out;
}

void ExpectFiling(const Record& rec, const std::string& line) {
  ASSERT_EQ(rec.kind, RecordKind::kResource)
      << (rec.kind == RecordKind::kReject ? rec.reject.reason : "");
  const ResourceRecord& r = rec.resource;
  EXPECT_EQ(r.stream, "filings");
  EXPECT_FALSE(r.bulk);
  EXPECT_FALSE(r.deleted);
  EXPECT_EQ(r.timepoint, 7);
  EXPECT_EQ(r.published_at, "2024-05-02T10:00:00Z");
  EXPECT_EQ(r.as_of, "2024-05-02T10:00:00Z");
  EXPECT_EQ(r.resource_kind, "filing-history");
  EXPECT_EQ(r.resource_uri, "/company/SC123456/filing-history/T1");
  EXPECT_EQ(r.uri_hash, UriHash("/company/SC123456/filing-history/T1"));
  EXPECT_EQ(r.resource_id, "T1");
  EXPECT_EQ(r.company_number, "SC123456");
  EXPECT_EQ(r.table, "filings");
  EXPECT_EQ(Cells(r),
            "[transaction_id='T1',type='GAZ1(A)',category='gazette',subcategory=null,"
            "description='some-description',date='2024-05-01',action_date=null,barcode=null,"
            "pages=i1]");
  ASSERT_EQ(r.signals.size(), 1u);
  EXPECT_EQ(r.signals[0].signal, "strike-off-gazetted");
  EXPECT_EQ(r.signals[0].key, "filing:/company/SC123456/filing-history/T1");
  EXPECT_EQ(r.signals[0].occurred_on, "2024-05-01");
  EXPECT_EQ(r.signals[0].detail, "GAZ1(A)");
  EXPECT_EQ(r.data, "{\"transaction_id\":\"T1\",\"type\":\"GAZ1(A)\"}");
  EXPECT_EQ(r.line, line);
}

TEST(RecordDecoderResourceTest, DecodesAFilingOnTheFastPathWithItsDataAsWritten) {
  RecordDecoder decoder("companies");
  const std::string line =
      Filing(7, "2024-05-02T10:00:00Z", "SC123456", "T1", "GAZ1(A)", "2024-05-01").Line();
  ExpectFiling(decoder.Decode(line), line);
}

// The record line with `data` moved to the front: off the fast path.
std::string WithDataFirst(const std::string& line) {
  const size_t at = line.find(",\"data\":");
  const std::string data = line.substr(at + 8, line.size() - 1 - (at + 8));
  return "{\"data\":" + data + "," + line.substr(1, at - 1) + "}";
}

TEST(RecordDecoderResourceTest, FullParseGivesTheSameRecordWhenDataIsNotLast) {
  RecordDecoder decoder("companies");
  const std::string line = WithDataFirst(
      Filing(7, "2024-05-02T10:00:00Z", "SC123456", "T1", "GAZ1(A)", "2024-05-01").Line());
  ExpectFiling(decoder.Decode(line), line);
}

TEST(RecordDecoderResourceTest, EscapesBooleansAndFractionsInRows) {
  RecordDecoder decoder("companies");
  TestResource r;
  r.timepoint = 1;
  r.uri = "/company/00000001/charges/x";
  r.table = "charges";
  r.rows = {
      "{\"persons_entitled\":\"A \\u0026 B\",\"x\":true,\"y\":false,\"z\":1.5,"
      "\"n\":\"12\",\"big\":1e3}"};
  const std::string line = r.Line();
  const Record& rec = decoder.Decode(line);
  ASSERT_EQ(rec.kind, RecordKind::kResource) << rec.reject.reason;
  EXPECT_EQ(Cells(rec.resource), "[persons_entitled='A & B',x=i1,y=i0,z='1.5',n='12',big=i1000]");
  EXPECT_FALSE(rec.resource.company_number.has_value());
  EXPECT_TRUE(rec.resource.signals.empty());
}

// A string cell's JSON as written in the line, escapes and all, is what the
// typed row of a view copies; the full parse has none, and the applier
// encodes the text again.
TEST(RecordDecoderResourceTest, AStringCellKeepsItsJsonAsWrittenOnTheFastPathOnly) {
  TestResource r;
  r.timepoint = 1;
  r.uri = "/company/00000001/charges/x";
  r.table = "charges";
  r.rows = {"{\"persons_entitled\":\"A \\u0026 B\",\"x\":true,\"z\":1.5,\"n\":null}"};
  const std::string line = r.Line();
  RecordDecoder fast("companies");
  const Record& rec = fast.Decode(line);
  ASSERT_EQ(rec.kind, RecordKind::kResource) << rec.reject.reason;
  ASSERT_EQ(rec.resource.cells.size(), 4u);
  EXPECT_EQ(rec.resource.cells[0].json, "\"A \\u0026 B\"");
  EXPECT_EQ(rec.resource.cells[0].text, "A & B");
  for (size_t i = 1; i < 4; ++i) EXPECT_TRUE(rec.resource.cells[i].json.empty()) << i;

  // `data` first: the full parse.
  const size_t at = line.find(",\"data\":");
  ASSERT_NE(at, std::string::npos);
  const std::string data = line.substr(at + 8, line.size() - 1 - (at + 8));
  const std::string moved = "{\"data\":" + data + "," + line.substr(1, at - 1) + "}";
  RecordDecoder full("companies");
  const Record& parsed = full.Decode(moved);
  ASSERT_EQ(parsed.kind, RecordKind::kResource) << parsed.reject.reason;
  EXPECT_EQ(parsed.resource.cells[0].text, "A & B");
  EXPECT_TRUE(parsed.resource.cells[0].json.empty());
  EXPECT_EQ(parsed.resource.uri_hash, UriHash("/company/00000001/charges/x"));
}

TEST(RecordDecoderResourceTest, DeletedWithoutDataAndBulkRecords) {
  RecordDecoder decoder("companies");
  TestResource deleted;
  deleted.event_type = "deleted";
  deleted.timepoint = 5;
  deleted.uri = "/company/00000001/filing-history/T";
  deleted.data.reset();
  const std::string line = deleted.Line();
  const Record& rec = decoder.Decode(line);
  ASSERT_EQ(rec.kind, RecordKind::kResource) << rec.reject.reason;
  EXPECT_TRUE(rec.resource.deleted);
  EXPECT_FALSE(rec.resource.data.has_value());
  TestResource bulk;
  bulk.source = "bulk";
  bulk.as_of = "2024-06-01T00:00:00Z";
  bulk.uri = "/company/00000001/persons-with-significant-control/individual/a";
  const std::string bulk_line = bulk.Line();
  const Record& b = decoder.Decode(bulk_line);
  ASSERT_EQ(b.kind, RecordKind::kResource) << b.reject.reason;
  EXPECT_TRUE(b.resource.bulk);
  EXPECT_FALSE(b.resource.timepoint.has_value());
  EXPECT_EQ(b.resource.as_of, "2024-06-01T00:00:00Z");
}

TEST(RecordDecoderResourceTest, WhatCannotBeAppliedIsARejectByChStore) {
  RecordDecoder decoder("filings");
  TestResource ok;
  ok.timepoint = 5;
  ok.uri = "/company/00000001/filing-history/T";
  struct Case {
    std::string name;
    std::string line;
  };
  TestResource no_uri = ok;
  no_uri.uri = "";
  TestResource bad_number = ok;
  bad_number.company_number = "no good";
  TestResource no_timepoint = ok;
  no_timepoint.timepoint.reset();
  TestResource bad_type = ok;
  bad_type.event_type = "created";
  TestResource bad_row = ok;
  bad_row.rows = {"{\"a\":[1]}"};
  TestResource row_not_object = ok;
  row_not_object.rows = {"3"};
  TestResource bad_signal = ok;
  bad_signal.signals = {"{\"signal\":\"dissolved\"}"};
  TestResource bulk_without_as_of = ok;
  bulk_without_as_of.source = "bulk";
  std::string no_kind = ok.Line();
  no_kind.replace(no_kind.find("\"resource_kind\":\"filing-history\""),
                  std::string("\"resource_kind\":\"filing-history\"").size(),
                  "\"resource_kind\":null");
  // Found by an independent hostile-input run, each stored as it came:
  TestResource uri_without_slash = ok;
  uri_without_slash.uri = "company/00000001/filing-history/T";
  TestResource data_string = ok;
  data_string.data = "\"hello\"";
  TestResource data_array = ok;
  data_array.data = "[1]";
  TestResource bad_stream = ok;
  bad_stream.stream = "../x";
  std::string stream_number = ok.Line();
  stream_number.replace(stream_number.find("\"stream\":\"filings\""),
                        std::string("\"stream\":\"filings\"").size(), "\"stream\":5");
  TestResource status_key = ok;  // would have taken a status change's signal
  status_key.signals = {"{\"signal\":\"dissolved\",\"key\":\"status:1\"}"};
  const Case cases[] = {
      {"uri without slash", uri_without_slash.Line()},
      {"data a string", data_string.Line()},
      {"data an array", data_array.Line()},
      {"stream not a stream name", bad_stream.Line()},
      {"stream a number", stream_number},
      {"a status change's signal key", status_key.Line()},
      {"no uri", no_uri.Line()},
      {"bad number", bad_number.Line()},
      {"no timepoint", no_timepoint.Line()},
      {"bad event type", bad_type.Line()},
      {"row member an array", bad_row.Line()},
      {"row not an object", row_not_object.Line()},
      {"signal without key", bad_signal.Line()},
      {"bulk without as_of", bulk_without_as_of.Line()},
      {"no kind", no_kind},
  };
  for (const Case& c : cases) {
    // On the fast path (data last), and off it.
    for (const std::string& line : {c.line, WithDataFirst(c.line)}) {
      const Record& rec = decoder.Decode(line);
      ASSERT_EQ(rec.kind, RecordKind::kReject) << c.name << ": " << line;
      EXPECT_EQ(rec.reject.reason.substr(0, 10), "ch-store: ") << c.name;
      EXPECT_EQ(rec.reject.raw, line) << c.name;
      EXPECT_EQ(rec.reject.stream, "filings") << c.name;
    }
  }
  EXPECT_EQ(decoder.Decode(uri_without_slash.Line()).reject.reason,
            "ch-store: \"resource_uri\" does not begin with \"/\"");
  EXPECT_EQ(decoder.Decode(data_array.Line()).reject.reason,
            "ch-store: \"data\" must be an object or null");
  EXPECT_EQ(decoder.Decode(stream_number).reject.reason,
            "ch-store: \"stream\" must be null or a stream name");
  EXPECT_EQ(decoder.Decode(status_key.Line()).reject.reason,
            "ch-store: a signal key may not begin with \"status:\"");
  EXPECT_EQ(decoder.Decode(ok.Line()).kind, RecordKind::kResource);
  EXPECT_EQ(decoder.Decode(WithDataFirst(ok.Line())).kind, RecordKind::kResource);
  // A null stream is ch-store's --stream, as before.
  std::string null_stream = ok.Line();
  null_stream.replace(null_stream.find("\"stream\":\"filings\""),
                      std::string("\"stream\":\"filings\"").size(), "\"stream\":null");
  EXPECT_EQ(decoder.Decode(null_stream).resource.stream, "filings");
}

TEST(RecordDecoderResourceTest, RowsOfTheLastRecordDoNotLeakIntoTheNext) {
  RecordDecoder decoder("companies");
  const std::string first =
      Filing(7, "2024-05-02T10:00:00Z", "SC123456", "T1", "GAZ1(A)", "2024-05-01").Line();
  ASSERT_EQ(decoder.Decode(first).resource.cells.size(), 9u);
  TestResource empty;
  empty.timepoint = 8;
  empty.uri = "/company/00000001/x";
  const std::string second = empty.Line();
  const Record& rec = decoder.Decode(second);
  ASSERT_EQ(rec.kind, RecordKind::kResource);
  EXPECT_TRUE(rec.resource.cells.empty());
  EXPECT_TRUE(rec.resource.row_sizes.empty());
  EXPECT_TRUE(rec.resource.signals.empty());
  EXPECT_FALSE(rec.resource.resource_id.has_value());
}

}  // namespace
}  // namespace ch
