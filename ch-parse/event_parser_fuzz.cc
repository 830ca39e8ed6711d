// Fuzz target: ch-parse's stream path, driven as ParseRunner::RunStream
// drives it. The input is the stage's whole stdin: LineReader splits it into
// lines (an oversized one keeps only a prefix), EventParser turns each line
// into a company, resource, reject or control record through RecordWriter.
//
// Besides crashes and sanitizer reports it checks what the records promise:
// - every output line is one valid JSON object (fuzz_support.h);
// - a line is refused as invalid JSON exactly when common/json.h's ParseJson
//   refuses it: LineDocument's single-pass parse must agree with the checked
//   parse it replaces on the hot path;
// - a company record's `data` is the input's `data` object, member for member,
//   and its timepoint the input's event.timepoint;
// - a resource record keeps its promises (fuzz_support.h: members, one
//   leading slash, rows of one table's columns, no signals when deleted),
//   carries the input's kind, timepoint and `data` (or null), and its URI
//   is the input's with the leading slashes made one;
// - a reject carries the line's bytes and length;
// - parsing the same line again gives the same bytes (no state leaks from
//   one line into the next);
// - the shaped parse (the hot path, see line_document.h) gives the same
//   output as the full parse, byte for byte.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "ch-parse/event_parser.h"
#include "ch-parse/fuzz_support.h"
#include "ch-parse/json_line.h"
#include "common/json.h"
#include "common/line_reader.h"
#include "rapidjson/document.h"

namespace ch::fuzz {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The text EventParser hands to its JSON parser: the line without a leading
// BOM and a trailing '\r'.
std::string_view JsonTextOf(std::string_view line) {
  if (line.substr(0, kUtf8Bom.size()) == kUtf8Bom) line.remove_prefix(kUtf8Bom.size());
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

void CheckCompanyAgainstInput(std::string_view line, const rapidjson::Document& out) {
  CheckCompany(line, out);
  Require(StringOf(out, "source") == "stream", "stream record without source stream", line);
  rapidjson::Document in;
  Require(ParseJson(JsonTextOf(line), &in).ok(), "a company record from a line ParseJson refuses",
          line);
  Require(StringOf(in, "resource_kind") == "company-profile",
          "a company record from another resource_kind", line);
  const rapidjson::Value* event = FindMember(in, "event");
  Require(event != nullptr, "a company record from a line without event", line);
  const rapidjson::Value* timepoint = FindMember(out, "timepoint");
  Require(timepoint != nullptr && timepoint->IsInt64() && timepoint->GetInt64() >= 0,
          "company record timepoint is not a non-negative integer", line);
  const rapidjson::Value* in_timepoint = FindMember(*event, "timepoint");
  Require(in_timepoint != nullptr && ToInt64(*in_timepoint) == timepoint->GetInt64(),
          "company record timepoint differs from event.timepoint", line);
  Require(StringOf(out, "published_at") == StringOf(out, "as_of"),
          "stream record as_of differs from published_at", line);

  const rapidjson::Value* in_data = FindMember(in, "data");
  const rapidjson::Value* out_data = FindMember(out, "data");
  if (in_data != nullptr && in_data->IsObject()) {
    // Compared as canonical text: RapidJSON's operator== matches members by
    // name, so an object with a repeated key would not even equal itself.
    std::string in_text;
    std::string out_text;
    AppendJsonValue(&in_text, *in_data);
    AppendJsonValue(&out_text, *out_data);
    Require(out_text == in_text, "company record data differs from the input's data", line);
  } else {
    Require(out_data->ObjectEmpty(), "company record data invented for a line without data", line);
  }
}

// The input's `data` as canonical text: "null" when absent or null.
std::string DataTextOf(const rapidjson::Value& event_line) {
  const rapidjson::Value* data = FindMember(event_line, "data");
  std::string text = "null";
  if (data != nullptr && !data->IsNull()) {
    text.clear();
    AppendJsonValue(&text, *data);
  }
  return text;
}

void CheckResourceAgainstInput(std::string_view line, const rapidjson::Document& out) {
  CheckResource(line, out);
  Require(StringOf(out, "source") == "stream", "stream record without source stream", line);
  rapidjson::Document in;
  Require(ParseJson(JsonTextOf(line), &in).ok(), "a resource record from a line ParseJson refuses",
          line);
  Require(StringOf(in, "resource_kind") == StringOf(out, "resource_kind"),
          "resource_kind differs from the input's", line);
  Require(StringOf(in, "resource_kind") != "company-profile",
          "a company-profile event became a resource record", line);
  const rapidjson::Value* event = FindMember(in, "event");
  Require(event != nullptr, "a resource record from a line without event", line);
  const rapidjson::Value* in_timepoint = FindMember(*event, "timepoint");
  Require(in_timepoint != nullptr && out["timepoint"].IsInt64() &&
              ToInt64(*in_timepoint) == out["timepoint"].GetInt64(),
          "resource record timepoint differs from event.timepoint", line);
  const rapidjson::Value& published_at = out["published_at"];
  const rapidjson::Value& as_of = out["as_of"];
  Require(published_at.IsNull() ? as_of.IsNull()
                                : StringOf(out, "as_of") == StringOf(out, "published_at"),
          "stream record as_of differs from published_at", line);
  std::string_view in_uri = StringOf(in, "resource_uri");
  while (!in_uri.empty() && in_uri.front() == '/') in_uri.remove_prefix(1);
  Require(StringOf(out, "resource_uri").substr(1) == in_uri,
          "resource_uri is not the input's with one leading slash", line);
  std::string out_data;
  AppendJsonValue(&out_data, out["data"]);
  Require(out_data == DataTextOf(in), "resource record data differs from the input's data", line);
}

void CheckLine(EventParser* parser, EventParser* full_parser, std::string_view line, JsonLine* out,
               EventParser::Outcome outcome) {
  JsonLine full_out;
  Require(full_parser->Parse(line, &full_out) == outcome,
          "shaped and full parses differ in outcome", line);
  Require(full_out.view() == out->view(), "shaped and full parses differ in output", line);
  if (outcome == EventParser::Outcome::kHeartbeat) {
    Require(out->size() == 0, "heartbeat produced output", line);
    return;
  }
  rapidjson::Document doc;
  CheckOutputLine(out->view(), &doc);
  const std::string_view text = JsonTextOf(line);
  const bool has_nul = std::memchr(text.data(), '\0', text.size()) != nullptr;
  rapidjson::Document checked;
  const bool parses = !has_nul && ParseJson(text, &checked).ok();
  switch (outcome) {
    case EventParser::Outcome::kCompany:
      CheckCompanyAgainstInput(line, doc);
      break;
    case EventParser::Outcome::kResource:
      CheckResourceAgainstInput(line, doc);
      Require(full_parser->resource_kind() == parser->resource_kind(),
              "shaped and full parses differ in the kind's row", line);
      break;
    case EventParser::Outcome::kReject:
      CheckReject(out->view(), doc, line, line.size());
      Require((parser->reject_class() == RejectClass::kInvalidJson) == !parses,
              "LineDocument and ParseJson disagree about this line", line);
      break;
    case EventParser::Outcome::kControl:
      Require(FindMember(doc, "gap") != nullptr, "control line that is not a gap", line);
      Require(parses, "a control line from a line ParseJson refuses", line);
      break;
    case EventParser::Outcome::kHeartbeat:
      break;
  }
  if (outcome != EventParser::Outcome::kReject) {
    Require(parses, "a line ParseJson refuses was not rejected", line);
  }

  // The same line again, right after itself: the same bytes.
  const std::string first(out->view());
  out->clear();
  Require(parser->Parse(line, out) == outcome, "same line, different outcome", line);
  Require(out->view() == first, "same line, different output", line);
}

}  // namespace
}  // namespace ch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ch::fuzz::Require;
  const int fd = ch::fuzz::MemoryFileWith(data, size);
  if (fd < 0) return 0;
  ch::LineReader reader(fd, ch::fuzz::ReaderOptions());
  ch::EventParser parser("companies");
  ch::EventParser full_parser("companies", /*shaped_parse=*/false);
  ch::JsonLine out;
  uint64_t lines_bytes = 0;
  for (;;) {
    ch::LineReader::Line line;
    const ch::LineReader::Result r = reader.Next(&line, -1);
    out.clear();
    if (r == ch::LineReader::Result::kEof) break;
    if (r == ch::LineReader::Result::kLine) {
      Require(line.bytes.size() <= ch::fuzz::kMaxLineBytes, "a line over the cap came as kLine",
              line.bytes);
      const ch::EventParser::Outcome outcome = parser.Parse(line.bytes, &out);
      ch::fuzz::CheckLine(&parser, &full_parser, line.bytes, &out, outcome);
    } else if (r == ch::LineReader::Result::kOversized) {
      Require(line.full_length > ch::fuzz::kMaxLineBytes, "an oversized line within the cap",
              line.bytes);
      Require(line.bytes.size() == ch::fuzz::kKeepPrefixBytes, "oversized prefix of the wrong size",
              line.bytes);
      const auto outcome = parser.ParseOversized(line.bytes, line.full_length, &out);
      Require(outcome == ch::EventParser::Outcome::kReject, "an oversized line not rejected",
              line.bytes);
      rapidjson::Document doc;
      ch::fuzz::CheckOutputLine(out.view(), &doc);
      ch::fuzz::CheckReject(out.view(), doc, line.bytes, line.full_length);
    } else {
      // A memory file never blocks, is never interrupted, never fails.
      Require(false, "LineReader gave neither a line nor the end of a memory file", "");
    }
    lines_bytes += line.full_length + (line.terminated ? 1 : 0);
  }
  Require(lines_bytes == size, "the lines do not add up to the input", "");
  Require(reader.bytes_read() == size, "bytes_read differs from the input size", "");
  close(fd);
  return 0;
}
