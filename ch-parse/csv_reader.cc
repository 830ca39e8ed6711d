// CsvReader: see csv_reader.h.
#include "ch-parse/csv_reader.h"

#include <algorithm>
#include <cstring>

namespace ch {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr size_t kKeepPrefixBytes = 64u << 10;

// Whether a quoted field that is open at the start of `text` (the next line
// of a multi-line record) is still open at its end. Scanning only the new
// line keeps a record of many lines linear, not quadratic, to gather.
bool StillInQuotes(std::string_view text) {
  bool in_quotes = true;
  bool field_start = false;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (in_quotes) {
      const void* q = std::memchr(text.data() + i, '"', n - i);
      if (q == nullptr) return true;
      const size_t quote = static_cast<const char*>(q) - text.data();
      if (quote + 1 < n && text[quote + 1] == '"') {
        i = quote + 2;
        continue;
      }
      in_quotes = false;
      field_start = false;
      i = quote + 1;
      continue;
    }
    const char c = text[i++];
    if (c == ',') {
      field_start = true;
    } else if (c == '"' && field_start) {
      in_quotes = true;
    } else {
      field_start = false;
    }
  }
  return in_quotes;
}

}  // namespace

CsvSplit SplitCsvRecord(std::string_view record, std::vector<std::string_view>* fields,
                        std::string* scratch) {
  fields->clear();
  scratch->clear();
  // Unescaped text is never longer than the record, so this one reservation
  // keeps every view into scratch valid.
  scratch->reserve(record.size());
  const char* const data = record.data();
  const size_t n = record.size();
  size_t pos = 0;
  for (;;) {
    if (pos < n && data[pos] == '"') {
      const size_t start = pos + 1;
      size_t i = start;
      bool doubled = false;
      size_t end;
      for (;;) {
        const void* q = std::memchr(data + i, '"', n - i);
        if (q == nullptr) return CsvSplit::kOpenQuote;
        const size_t quote = static_cast<const char*>(q) - data;
        if (quote + 1 < n && data[quote + 1] == '"') {
          doubled = true;
          i = quote + 2;
          continue;
        }
        end = quote;
        break;
      }
      if (!doubled) {
        fields->emplace_back(data + start, end - start);
      } else {
        const size_t first = scratch->size();
        for (size_t k = start; k < end; ++k) {
          scratch->push_back(data[k]);
          if (data[k] == '"') ++k;  // the second quote of a pair
        }
        fields->emplace_back(scratch->data() + first, scratch->size() - first);
      }
      pos = end + 1;
      if (pos == n) return CsvSplit::kOk;
      if (data[pos] != ',') return CsvSplit::kMalformed;
      ++pos;
      continue;
    }
    const void* comma = std::memchr(data + pos, ',', n - pos);
    if (comma == nullptr) {
      fields->emplace_back(data + pos, n - pos);
      return CsvSplit::kOk;
    }
    const size_t c = static_cast<const char*>(comma) - data;
    fields->emplace_back(data + pos, c - pos);
    pos = c + 1;
  }
}

CsvReader::CsvReader(LineReader* lines, size_t max_record_bytes)
    : lines_(lines), max_record_bytes_(max_record_bytes) {
  fields_.reserve(64);
}

CsvReader::Result CsvReader::TooLong(std::string_view prefix, uint64_t length) {
  raw_ = prefix.substr(0, kKeepPrefixBytes);
  raw_length_ = length;
  return Result::kTooLong;
}

CsvReader::Result CsvReader::Next(int timeout_ms) {
  if (drop_pending_) {
    // A record of many megabytes should not pin its memory for good.
    if (pending_.capacity() > kKeepPrefixBytes * 16) std::string().swap(pending_);
    pending_.clear();
    pending_active_ = false;
    drop_pending_ = false;
  }
  for (;;) {
    if (eof_) return Result::kEof;
    LineReader::Line line;
    const LineReader::Result r = lines_->Next(&line, timeout_ms);
    switch (r) {
      case LineReader::Result::kLine:
        break;
      case LineReader::Result::kOversized:
        ++lines_read_;
        if (pending_active_) {
          // The record gathered so far and this line together are too long.
          drop_pending_ = true;
          return TooLong(pending_, pending_.size() + 1 + line.full_length);
        }
        return TooLong(line.bytes, line.full_length);
      case LineReader::Result::kEof:
        eof_ = true;
        if (pending_active_) {
          drop_pending_ = true;
          raw_ = std::string_view(pending_).substr(0, kKeepPrefixBytes);
          raw_length_ = pending_.size();
          return Result::kTruncated;
        }
        return Result::kEof;
      case LineReader::Result::kWouldBlock:
        return Result::kWouldBlock;
      case LineReader::Result::kInterrupted:
        return Result::kInterrupted;
      case LineReader::Result::kError:
        return Result::kError;
    }
    ++lines_read_;
    std::string_view text = line.bytes;
    if (!pending_active_ && text.substr(0, kUtf8Bom.size()) == kUtf8Bom)
      text.remove_prefix(kUtf8Bom.size());
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);

    std::string_view record = text;
    if (pending_active_) {
      if (pending_.size() + 1 + text.size() > max_record_bytes_) {
        drop_pending_ = true;
        return TooLong(pending_, pending_.size() + 1 + line.full_length);
      }
      pending_.push_back('\n');
      pending_.append(text);
      if (StillInQuotes(text)) continue;
      record = pending_;
    } else if (text.empty()) {
      continue;  // a blank line is not a record
    }
    switch (SplitCsvRecord(record, &fields_, &scratch_)) {
      case CsvSplit::kOk:
        raw_ = record.substr(0, kKeepPrefixBytes);
        raw_length_ = record.size();
        if (pending_active_) drop_pending_ = true;
        return Result::kRecord;
      case CsvSplit::kMalformed:
        raw_ = record.substr(0, kKeepPrefixBytes);
        raw_length_ = record.size();
        if (pending_active_) drop_pending_ = true;
        return Result::kMalformed;
      case CsvSplit::kOpenQuote:
        // The line break belongs to a quoted field: gather the next line too.
        if (!pending_active_) {
          pending_.assign(text);
          pending_active_ = true;
        }
        continue;
    }
  }
}

}  // namespace ch
