// Test support for the tests of EventParser and the resource extractors
// (header-only; only *_test.cc files include it).
//
// EventRun parses a line the two ways EventParser can (the shaped parse of
// the hot path and the full parse), expects the same outcome and the same
// bytes, checks that the output is one JSON object, and lets the test read
// it: members as text, rows and signals as compact JSON.
#ifndef CH_PARSE_EVENT_TEST_SUPPORT_H_
#define CH_PARSE_EVENT_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/event_parser.h"
#include "ch-parse/json_line.h"
#include "common/json.h"
#include "rapidjson/document.h"

namespace ch::test_support {

// The lines of a file under the repository root (the unit tests run there);
// an empty vector and a test failure when it cannot be read.
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path << ": run the unit tests from the repository root";
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The real events of one stream, as collected (samples/real/events/).
inline std::vector<std::string> RealEvents(const std::string& stream_file) {
  return ReadLines("samples/real/events/" + stream_file + ".ndjson");
}

// The text of the first `"data":{...}` of an event line as written in it
// (in the real lines, the top-level member): what a record must carry byte
// for byte. The object runs to its balancing brace.
inline std::string RawDataOf(const std::string& line) {
  const size_t at = line.find("\"data\":{");
  if (at == std::string::npos) return "";
  size_t i = at + 7;
  int depth = 0;
  bool in_string = false;
  const size_t begin = i;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return line.substr(begin, i + 1 - begin);
  }
  return "";
}

// A member of an output object as the tests compare it: a string as it is,
// null as "(null)", absent as "(absent)", anything else as compact JSON.
inline std::string MemberText(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* v = FindMember(object, name);
  if (v == nullptr) return "(absent)";
  if (v->IsNull()) return "(null)";
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  std::string json;
  AppendJsonValue(&json, *v);
  return json;
}

inline constexpr std::string_view kChangedEvent =
    R"({"timepoint":7,"published_at":"2023-11-04T14:33:29","type":"changed"})";
inline constexpr std::string_view kDeletedEvent =
    R"({"timepoint":8,"published_at":"2023-11-04T14:33:30","type":"deleted"})";

// An event line in the wire's member order. `data` empty: no data member.
inline std::string ResourceEvent(std::string_view kind, std::string_view uri, std::string_view data,
                                 std::string_view event = kChangedEvent) {
  std::string line = "{\"resource_kind\":\"";
  line.append(kind);
  line.append("\",\"resource_uri\":\"");
  line.append(uri);
  line.append("\",\"resource_id\":\"id\",");
  if (!data.empty()) {
    line.append("\"data\":");
    line.append(data);
    line.push_back(',');
  }
  line.append("\"event\":");
  line.append(event);
  line.push_back('}');
  return line;
}

class EventRun {
 public:
  explicit EventRun(std::string_view stream = "companies")
      : parser_(stream), full_parser_(stream, /*shaped_parse=*/false) {}

  EventParser::Outcome Run(std::string_view line) {
    out_.clear();
    const EventParser::Outcome outcome = parser_.Parse(line, &out_);
    JsonLine full_out;
    EXPECT_EQ(full_parser_.Parse(line, &full_out), outcome) << line;
    EXPECT_EQ(full_out.view(), out_.view()) << line;
    if (outcome == EventParser::Outcome::kReject) {
      EXPECT_EQ(full_parser_.reject_class(), parser_.reject_class());
    }
    if (outcome == EventParser::Outcome::kResource) {
      EXPECT_EQ(full_parser_.resource_kind(), parser_.resource_kind());
    }
    doc_.SetObject();
    if (outcome != EventParser::Outcome::kHeartbeat) {
      EXPECT_TRUE(ParseJson(out_.view(), &doc_).ok()) << out_.view();
      EXPECT_TRUE(doc_.IsObject()) << out_.view();
    }
    return outcome;
  }

  const EventParser& parser() const { return parser_; }
  std::string_view out() const { return out_.view(); }
  const rapidjson::Document& doc() const { return doc_; }

  // The member as compact JSON (rows, signals).
  std::string Json(const char* name) const {
    const rapidjson::Value* v = FindMember(doc_, name);
    if (v == nullptr) return "(absent)";
    std::string json;
    AppendJsonValue(&json, *v);
    return json;
  }
  // A member of the output (MemberText).
  std::string Str(const char* name) const { return MemberText(doc_, name); }
  // Row `i`'s column, the same way.
  std::string Cell(size_t i, const char* column) const {
    const rapidjson::Value* rows = FindMember(doc_, "rows");
    if (rows == nullptr || !rows->IsArray() || i >= rows->Size()) return "(no row)";
    return MemberText((*rows)[static_cast<rapidjson::SizeType>(i)], column);
  }
  size_t RowCount() const {
    const rapidjson::Value* rows = FindMember(doc_, "rows");
    return rows != nullptr && rows->IsArray() ? rows->Size() : 0;
  }
  // The record's text from `"data":` to the end: `data` last, as received.
  std::string_view DataText() const {
    const size_t at = out_.view().rfind(",\"data\":");
    if (at == std::string_view::npos) return "(no data member)";
    std::string_view text = out_.view().substr(at + 8);
    text.remove_suffix(1);  // the record's closing brace
    return text;
  }

 private:
  EventParser parser_;
  EventParser full_parser_;
  JsonLine out_;
  rapidjson::Document doc_;
};

}  // namespace ch::test_support

#endif  // CH_PARSE_EVENT_TEST_SUPPORT_H_
