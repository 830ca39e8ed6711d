// Fuzz target: ch-parse's bulk path, driven as ParseRunner::RunBulk drives
// it. The input is the stage's whole stdin: LineReader splits lines,
// CsvReader gathers RFC 4180 records (quoted line breaks, records over the
// cap, input cut inside quotes), header lines are checked, and each row goes
// through BulkRowMapper into a company record or becomes a reject record.
//
// One deliberate difference from RunBulk: a first record that is not the
// header does not end the run (RunBulk stops with exit 65 there), so that the
// fuzzer reaches the row mapper without having to spell out all 55 column
// names first. The seeds carry the real header anyway.
//
// Besides crashes and sanitizer reports it checks what the records promise
// (fuzz_support.h), and that the fields of every record read come back the
// same when written as CSV again and split (SplitCsvRecord's unescaping and
// its views into the scratch buffer stay right).
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/bulk_row_mapper.h"
#include "ch-parse/csv_reader.h"
#include "ch-parse/fuzz_support.h"
#include "ch-parse/json_line.h"
#include "common/json.h"
#include "common/line_reader.h"
#include "common/timestamp.h"
#include "rapidjson/document.h"

namespace ch::fuzz {
namespace {

// The fields written back as one CSV record, every field quoted.
std::string Rewrite(const std::vector<std::string_view>& fields) {
  std::string record;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) record.push_back(',');
    record.push_back('"');
    for (char c : fields[i]) {
      if (c == '"') record.push_back('"');
      record.push_back(c);
    }
    record.push_back('"');
  }
  return record;
}

void CheckRoundTrip(const std::vector<std::string_view>& fields, std::string_view raw) {
  const std::string again = Rewrite(fields);
  std::vector<std::string_view> reread;
  std::string scratch;
  Require(SplitCsvRecord(again, &reread, &scratch) == CsvSplit::kOk,
          "a record's fields written as CSV do not split", raw);
  Require(reread == fields, "a record's fields written as CSV split differently", raw);
}

void CheckRejectLine(const JsonLine& out, std::string_view raw, uint64_t raw_length) {
  rapidjson::Document doc;
  CheckOutputLine(out.view(), &doc);
  CheckReject(out.view(), doc, raw, raw_length);
}

}  // namespace
}  // namespace ch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ch::fuzz::Require;
  static const ch::IsoDate kAsOf = *ch::ParseIsoDate("2025-08-01");
  const int fd = ch::fuzz::MemoryFileWith(data, size);
  if (fd < 0) return 0;
  ch::LineReader reader(fd, ch::fuzz::ReaderOptions());
  ch::CsvReader csv(&reader, ch::fuzz::kMaxLineBytes);
  ch::BulkRowMapper mapper("companies", kAsOf);
  const ch::RecordWriter& writer = mapper.writer();
  ch::JsonLine out;
  bool first = true;
  uint64_t rows = 0;
  uint64_t lines_before = 0;
  for (;;) {
    const ch::CsvReader::Result r = csv.Next(-1);
    Require(csv.lines_read() >= lines_before, "lines_read went backwards", "");
    lines_before = csv.lines_read();
    out.clear();
    if (r == ch::CsvReader::Result::kEof) break;
    const std::string_view raw = csv.raw();
    Require(raw.size() <= csv.raw_length(), "raw() longer than raw_length()", raw);
    Require(raw.size() <= ch::RecordWriter::kMaxRawBytes, "raw() over 64 KiB", raw);
    switch (r) {
      case ch::CsvReader::Result::kRecord: {
        const auto& fields = csv.fields();
        Require(!fields.empty(), "a record without fields", raw);
        ch::fuzz::CheckRoundTrip(fields, raw);
        if (ch::IsBulkHeader(fields) || first) {
          // RunBulk's header check; its verdict only decides the exit code.
          const bool header_ok = ch::CheckBulkHeader(fields).ok();
          Require(!header_ok || ch::IsBulkHeader(fields), "a valid header IsBulkHeader refuses",
                  raw);
          first = false;
          if (ch::IsBulkHeader(fields)) continue;
        }
        ++rows;
        if (mapper.Map(fields, &out)) {
          rapidjson::Document doc;
          ch::fuzz::CheckOutputLine(out.view(), &doc);
          ch::fuzz::CheckCompany(out.view(), doc);
          Require(ch::fuzz::StringOf(doc, "source") == "bulk", "bulk record without source bulk",
                  raw);
          Require(ch::fuzz::StringOf(doc, "as_of") == "2025-08-01T00:00:00Z",
                  "bulk record as_of is not --as-of", raw);
        } else {
          Require(!mapper.reason().empty(), "a refused row without a reason", raw);
          writer.AppendReject(std::nullopt, mapper.reason(), raw, csv.raw_length(), &out);
          ch::fuzz::CheckRejectLine(out, raw, csv.raw_length());
        }
        break;
      }
      case ch::CsvReader::Result::kTooLong:
        Require(csv.raw_length() > ch::fuzz::kMaxLineBytes, "a record within the cap is too long",
                raw);
        [[fallthrough]];
      case ch::CsvReader::Result::kMalformed:
      case ch::CsvReader::Result::kTruncated:
        first = false;
        ++rows;
        writer.AppendReject(std::nullopt, "fuzz", raw, csv.raw_length(), &out);
        ch::fuzz::CheckRejectLine(out, raw, csv.raw_length());
        break;
      case ch::CsvReader::Result::kEof:
        break;
      case ch::CsvReader::Result::kWouldBlock:
      case ch::CsvReader::Result::kInterrupted:
      case ch::CsvReader::Result::kError:
        // A memory file never blocks, is never interrupted, never fails.
        Require(false, "CsvReader gave neither a record nor the end of a memory file", raw);
        break;
    }
  }
  Require(csv.Next(-1) == ch::CsvReader::Result::kEof, "no kEof again after kEof", "");
  out.clear();
  writer.AppendSnapshotEnd(kAsOf.view(), rows, &out);
  rapidjson::Document doc;
  ch::fuzz::CheckOutputLine(out.view(), &doc);
  Require(reader.bytes_read() == size, "bytes_read differs from the input size", "");
  close(fd);
  return 0;
}
