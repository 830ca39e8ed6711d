// Fuzz support: what ch-parse's two libFuzzer targets (event_parser_fuzz.cc,
// csv_reader_fuzz.cc) share. Each target feeds its input through the same
// LineReader ch-parse reads stdin with, so the input is put in an in-memory
// file; and each output line is held to the promises README.md makes about
// the records ("valid JSON, one object, raw bytes that decode back"), so the
// fuzzer finds wrong output as well as crashes. A broken promise aborts with
// the offending line, which libFuzzer saves as a crash artifact.
//
// Header-only and used by the *_fuzz.cc files alone: the normal build and the
// unit tests never include it.
#ifndef CH_PARSE_FUZZ_SUPPORT_H_
#define CH_PARSE_FUZZ_SUPPORT_H_

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include "ch-parse/record_writer.h"
#include "common/json.h"
#include "common/line_reader.h"
#include "rapidjson/document.h"

namespace ch::fuzz {

// Small caps, so that inputs of a few KiB reach the oversized-line and
// record-too-long paths and the reader's buffer has to grow and move.
inline constexpr size_t kMaxLineBytes = 8192;
inline constexpr size_t kKeepPrefixBytes = 1024;

inline LineReader::Options ReaderOptions() {
  LineReader::Options options;
  options.max_line_bytes = kMaxLineBytes;
  options.keep_prefix_bytes = kKeepPrefixBytes;
  options.initial_buffer_bytes = 4096;
  return options;
}

// Aborts, showing what broke and the text it broke on.
inline void Require(bool ok, const char* what, std::string_view text) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n  in: %.*s\n", what,
               static_cast<int>(std::min<size_t>(text.size(), 2000)), text.data());
  std::abort();
}

// An in-memory file holding `data`, positioned at its start; -1 on failure
// (the harness then skips the input: that is the machine, not the code).
inline int MemoryFileWith(const uint8_t* data, size_t size) {
  const int fd = memfd_create("chstream-fuzz", MFD_CLOEXEC);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline std::string_view StringOf(const rapidjson::Value& value, const char* name) {
  const auto text = GetString(value, name);
  return text ? *text : std::string_view();
}

// Every output line: one JSON object, no line break inside. Parses it into *doc.
inline void CheckOutputLine(std::string_view line, rapidjson::Document* doc) {
  Require(line.find('\n') == std::string_view::npos, "output line contains a line break", line);
  Require(ParseJson(line, doc).ok(), "output line is not valid JSON", line);
  Require(doc->IsObject(), "output line is not a JSON object", line);
}

// A reject record carries the original bytes (their first 64 KiB) and the
// full length.
inline void CheckReject(std::string_view line, const rapidjson::Document& doc, std::string_view raw,
                        uint64_t raw_length) {
  Require(StringOf(doc, "kind") == "reject", "reject record without kind reject", line);
  Require(!StringOf(doc, "reason").empty(), "reject record without a reason", line);
  Require(GetInt64(doc, "raw_length") == static_cast<int64_t>(raw_length),
          "reject raw_length differs from the input's length", line);
  const auto decoded = Base64Decode(StringOf(doc, "raw_base64"));
  Require(decoded.has_value(), "reject raw_base64 is not base64", line);
  Require(*decoded == raw.substr(0, RecordWriter::kMaxRawBytes),
          "reject raw_base64 does not decode to the input bytes", line);
}

// YYYY-MM-DDTHH:MM:SSZ
inline bool IsUtcTimestampText(std::string_view text) {
  if (text.size() != 20) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char expected = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : 'D';
    if (i == 19) {
      if (c != 'Z') return false;
    } else if (expected == 'D') {
      if (c < '0' || c > '9') return false;
    } else if (c != expected) {
      return false;
    }
  }
  return true;
}

// What every company record, stream or bulk, promises ch-store.
inline void CheckCompany(std::string_view line, const rapidjson::Document& doc) {
  Require(StringOf(doc, "kind") == "company", "company record without kind company", line);
  const std::string_view number = StringOf(doc, "company_number");
  bool number_ok = !number.empty() && number.size() <= 10;
  for (char c : number) number_ok = number_ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  Require(number_ok, "company_number is not 1-10 of A-Z0-9", line);
  Require(IsUtcTimestampText(StringOf(doc, "as_of")), "as_of is not YYYY-MM-DDTHH:MM:SSZ", line);
  const std::string_view event_type = StringOf(doc, "event_type");
  Require(event_type == "changed" || event_type == "deleted", "event_type is not changed/deleted",
          line);
  const rapidjson::Value* address = FindMember(doc, "registered_office_address");
  Require(address != nullptr && address->IsObject(), "registered_office_address is not an object",
          line);
  const rapidjson::Value* sic = FindMember(doc, "sic_codes");
  Require(sic != nullptr && sic->IsArray(), "sic_codes is not an array", line);
  const rapidjson::Value* data = FindMember(doc, "data");
  Require(data != nullptr && data->IsObject(), "data is not an object", line);
  // `data` is last: ch-store may rely on the order.
  Require(
      doc.MemberCount() > 0 && std::string_view((doc.MemberEnd() - 1)->name.GetString()) == "data",
      "data is not the last member", line);
}

// What every resource record promises ch-store (README.md "Record formats").
inline void CheckResource(std::string_view line, const rapidjson::Document& doc) {
  Require(StringOf(doc, "kind") == "resource", "resource record without kind resource", line);
  static constexpr const char* kOrder[] = {
      "kind",           "stream",     "source",        "timepoint",    "published_at",
      "as_of",          "event_type", "resource_kind", "resource_uri", "resource_id",
      "company_number", "table",      "rows",          "signals",      "data"};
  Require(doc.MemberCount() == std::size(kOrder), "resource record with other members", line);
  size_t i = 0;
  for (const auto& m : doc.GetObject()) {
    Require(std::string_view(m.name.GetString()) == kOrder[i++],
            "resource record members out of order", line);
  }
  const rapidjson::Value& as_of = doc["as_of"];
  Require(as_of.IsNull() || IsUtcTimestampText(StringOf(doc, "as_of")),
          "as_of is neither null nor YYYY-MM-DDTHH:MM:SSZ", line);
  const std::string_view event_type = StringOf(doc, "event_type");
  Require(event_type == "changed" || event_type == "deleted", "event_type is not changed/deleted",
          line);
  Require(doc["resource_kind"].IsString(), "resource_kind is not a string", line);
  const std::string_view uri = StringOf(doc, "resource_uri");
  Require(uri.size() >= 2 && uri[0] == '/' && uri[1] != '/',
          "resource_uri does not start with exactly one /", line);
  Require(doc["resource_id"].IsNull() || doc["resource_id"].IsString(),
          "resource_id is neither null nor a string", line);
  const rapidjson::Value& number = doc["company_number"];
  if (!number.IsNull()) {
    const std::string_view n = StringOf(doc, "company_number");
    bool ok = !n.empty() && n.size() <= 10;
    for (char c : n) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    Require(ok, "company_number is neither null nor 1-10 of A-Z0-9", line);
  }
  const rapidjson::Value& table = doc["table"];
  const rapidjson::Value& rows = doc["rows"];
  Require(table.IsNull() || table.IsString(), "table is neither null nor a string", line);
  Require(rows.IsArray(), "rows is not an array", line);
  Require(!table.IsNull() || rows.Empty(), "rows without a table", line);
  const rapidjson::Value* first = nullptr;
  for (const rapidjson::Value& row : rows.GetArray()) {
    Require(row.IsObject(), "a row is not an object", line);
    for (const auto& cell : row.GetObject()) {
      Require(cell.value.IsNull() || cell.value.IsString() || cell.value.IsInt64(),
              "a cell is not a string, an integer or null", line);
    }
    if (first == nullptr) {
      first = &row;
      continue;
    }
    // Every row of a record has the same keys in the same order.
    Require(row.MemberCount() == first->MemberCount(), "rows with different columns", line);
    for (rapidjson::SizeType k = 0; k < row.MemberCount(); ++k) {
      Require(std::string_view((row.MemberBegin() + k)->name.GetString()) ==
                  (first->MemberBegin() + k)->name.GetString(),
              "rows with different columns", line);
    }
  }
  const rapidjson::Value& signals = doc["signals"];
  Require(signals.IsArray(), "signals is not an array", line);
  Require(event_type == "changed" || signals.Empty(), "signals on a deleted event", line);
  for (const rapidjson::Value& signal : signals.GetArray()) {
    Require(signal.IsObject() && signal.MemberCount() == 4 && !StringOf(signal, "signal").empty() &&
                !StringOf(signal, "key").empty(),
            "a signal without its name and key", line);
  }
  const rapidjson::Value& data = doc["data"];
  Require(data.IsNull() || data.IsObject(), "data is neither null nor an object", line);
}

}  // namespace ch::fuzz

#endif  // CH_PARSE_FUZZ_SUPPORT_H_
