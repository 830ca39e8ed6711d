// Fuzz target: ch-fetch's handling of the bytes the server sends, as the
// curl connector and Fetcher::OnEventLine see them. The input is the
// response body: it is fed to LineAssembler in chunks of varying sizes (as
// libcurl hands them over), and each complete line goes to
// ScanEventTimepoint, which decides where ch-fetch resumes after a
// reconnect.
//
// Besides crashes and sanitizer reports it checks:
// - the assembler hands on exactly the input's '\n'-terminated lines, in
//   order, whatever the chunking; lines over the cap as oversized with their
//   true length; the unterminated tail stays pending;
// - ScanEventTimepoint never disagrees with the full parse: when the line is
//   valid JSON whose first top-level "event" member holds a timepoint that
//   ch-parse accepts (a non-negative integer, or a string of digits), the
//   scanner finds that timepoint or none, never another number. (A resume
//   point that differs from what ch-store checkpoints would skip or repeat
//   events after a reconnect.)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-fetch/event_timepoint.h"
#include "ch-fetch/line_assembler.h"
#include "common/json.h"
#include "rapidjson/document.h"

namespace ch {
namespace {

constexpr size_t kMaxLineBytes = 4096;

void Require(bool ok, const char* what, std::string_view text) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n  in: %.*s\n", what,
               static_cast<int>(std::min<size_t>(text.size(), 2000)), text.data());
  std::abort();
}

struct Seen {
  bool oversized;
  std::string line;  // empty for oversized lines
  uint64_t length;
};

class RecordingSink : public LineSink {
 public:
  bool OnLine(std::string_view line) override {
    seen.push_back({false, std::string(line), line.size()});
    return true;
  }
  bool OnOversizedLine(uint64_t length) override {
    seen.push_back({true, std::string(), length});
    return true;
  }
  std::vector<Seen> seen;
};

// ch-parse's reading of event.timepoint (event_parser.cc ParseTimepoint),
// on a full parse; nullopt when ch-parse would not take one from this line.
std::optional<int64_t> FullParseTimepoint(std::string_view line) {
  rapidjson::Document doc;
  if (!ParseJson(line, &doc).ok() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value* event = FindMember(doc, "event");
  if (event == nullptr || !event->IsObject()) return std::nullopt;
  const rapidjson::Value* tp = FindMember(*event, "timepoint");
  if (tp == nullptr) return std::nullopt;
  if (tp->IsInt64()) {
    return tp->GetInt64() >= 0 ? std::optional<int64_t>(tp->GetInt64()) : std::nullopt;
  }
  if (!tp->IsString()) return std::nullopt;
  const std::string_view s(tp->GetString(), tp->GetStringLength());
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace
}  // namespace ch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ch::Require;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Chunk sizes from a small generator seeded by the size: deterministic
  // for an input, different across inputs, from 1 byte to a few KiB.
  ch::LineAssembler assembler(ch::kMaxLineBytes);
  ch::RecordingSink sink;
  uint32_t state = static_cast<uint32_t>(size) * 2654435761u + 1;
  size_t pos = 0;
  while (pos < size) {
    state = state * 1103515245u + 12345u;
    const size_t n = std::min<size_t>(size - pos, 1 + (state >> 16) % ((state & 1) ? 16 : 5000));
    Require(assembler.Feed(input.substr(pos, n), &sink), "Feed stopped with a willing sink", "");
    pos += n;
  }

  // What the lines must be: the input split at '\n'.
  size_t start = 0;
  size_t index = 0;
  for (size_t nl = input.find('\n'); nl != std::string_view::npos; nl = input.find('\n', start)) {
    const std::string_view line = input.substr(start, nl - start);
    Require(index < sink.seen.size(), "a line went missing", line);
    const ch::Seen& got = sink.seen[index++];
    Require(got.length == line.size(), "line length differs", line);
    if (line.size() > ch::kMaxLineBytes) {
      Require(got.oversized, "a line over the cap was passed on", line);
    } else {
      Require(!got.oversized && got.line == line, "a line came out different", line);
    }
    start = nl + 1;
  }
  Require(index == sink.seen.size(), "more lines than the input holds", "");
  Require(assembler.pending_bytes() == size - start, "the unterminated tail is not pending", "");
  assembler.Reset();
  Require(assembler.pending_bytes() == 0, "Reset kept bytes", "");

  for (const ch::Seen& got : sink.seen) {
    if (got.oversized) continue;
    const std::optional<int64_t> scanned = ch::ScanEventTimepoint(got.line);
    const std::optional<int64_t> parsed = ch::FullParseTimepoint(got.line);
    if (scanned && parsed) {
      Require(*scanned == *parsed, "ScanEventTimepoint disagrees with the full parse", got.line);
    }
  }
  return 0;
}
