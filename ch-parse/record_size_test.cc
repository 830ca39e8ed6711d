// How long a record may be beside its event line: ch-store reads records up
// to LineReader::kRecordBytesPerLineByte times ch-parse's line cap, so that
// an event ch-parse accepted is never a reject for its length in ch-store.
// An independent run found the gap: a 4.3 MB filing event, well under the
// 8 MiB cap, made an 8.7 MB record, and ch-store lost it as too long.
//
// Every real event of every stream, with its URI and then each string of its
// `data` in turn made long (and a filing's type made one that signals, so
// that its signal key repeats the URI too): the record stays within the bound.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"
#include "common/json.h"
#include "common/line_reader.h"
#include "rapidjson/document.h"

namespace ch {
namespace {

using test_support::EventRun;
using test_support::RealEvents;

constexpr size_t kPad = 20000;

// Every string inside `v`, depth first.
void CollectStrings(rapidjson::Value* v, std::vector<rapidjson::Value*>* out) {
  if (v->IsString()) {
    out->push_back(v);
  } else if (v->IsObject()) {
    for (auto& m : v->GetObject()) CollectStrings(&m.value, out);
  } else if (v->IsArray()) {
    for (auto& e : v->GetArray()) CollectStrings(&e, out);
  }
}

std::string Serialized(const rapidjson::Value& v) {
  std::string s;
  AppendJsonValue(&s, v);
  return s;
}

// The line with the string at `path_index` (in CollectStrings order over the
// whole event) lengthened by kPad bytes; -1: the line as it is.
std::string Lengthened(const std::string& line, int path_index, const char* filing_type) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(line, &doc).ok()) << line;
  const auto data = doc.FindMember("data");
  if (filing_type != nullptr && data != doc.MemberEnd() && data->value.IsObject()) {
    const auto type = data->value.FindMember("type");
    if (type != data->value.MemberEnd()) type->value.SetString(filing_type, doc.GetAllocator());
  }
  std::vector<rapidjson::Value*> strings;
  CollectStrings(&doc, &strings);
  if (path_index >= 0 && static_cast<size_t>(path_index) < strings.size()) {
    rapidjson::Value* s = strings[static_cast<size_t>(path_index)];
    std::string longer(s->GetString(), s->GetStringLength());
    longer.append(kPad, 'X');
    s->SetString(longer.data(), static_cast<rapidjson::SizeType>(longer.size()),
                 doc.GetAllocator());
  }
  return Serialized(doc);
}

size_t StringCount(const std::string& line) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(line, &doc).ok());
  std::vector<rapidjson::Value*> strings;
  CollectStrings(&doc, &strings);
  return strings.size();
}

TEST(RecordSizeTest, ARecordIsNeverMoreThanItsBoundTimesItsLine) {
  const std::vector<std::string> streams = {"companies",
                                            "filings",
                                            "officers",
                                            "persons-with-significant-control",
                                            "charges",
                                            "insolvency-cases",
                                            "disqualified-officers",
                                            "company-exemptions"};
  size_t records = 0;
  double largest = 0;
  for (const std::string& stream : streams) {
    const std::vector<std::string> lines = RealEvents(stream);
    ASSERT_FALSE(lines.empty()) << stream;
    EventRun run(stream);
    for (size_t l = 0; l < lines.size() && l < 4; ++l) {
      const char* type = stream == "filings" ? "GAZ1" : nullptr;
      const int strings = static_cast<int>(StringCount(lines[l]));
      for (int i = -1; i < strings; ++i) {
        const std::string line = Lengthened(lines[l], i, type);
        const EventParser::Outcome outcome = run.Run(line);
        if (outcome != EventParser::Outcome::kResource && outcome != EventParser::Outcome::kCompany)
          continue;
        ++records;
        const double ratio = static_cast<double>(run.out().size()) / line.size();
        if (ratio > largest) largest = ratio;
        EXPECT_LE(run.out().size(), LineReader::kRecordBytesPerLineByte * line.size())
            << stream << " line " << l << " string " << i;
      }
    }
  }
  EXPECT_GT(records, 100u);
  // The bound has room: the longest records are filings whose URI is long
  // (resource_uri, transaction_id, signal key), about 3 times the line.
  EXPECT_GT(largest, 2.5);
  EXPECT_LT(largest, 3.5);
}

}  // namespace
}  // namespace ch
