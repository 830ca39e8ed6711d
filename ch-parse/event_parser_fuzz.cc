// Fuzz target: ch-parse's stream path, driven as ParseRunner::RunStream
// drives it. The input is the stage's whole stdin: LineReader splits it into
// lines (an oversized one keeps only a prefix), EventParser turns each line
// into a company, reject or control record through RecordWriter.
//
// Besides crashes and sanitizer reports it checks what the records promise:
// - every output line is one valid JSON object (fuzz_support.h);
// - a line is refused as invalid JSON exactly when common/json.h's ParseJson
//   refuses it: LineDocument's single-pass parse must agree with the checked
//   parse it replaces on the hot path;
// - a company record's `data` is the input's `data` object, member for member,
//   and its timepoint the input's event.timepoint;
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
