// EventTimepoint: see event_timepoint.h.
#include "ch-fetch/event_timepoint.h"

#include <cstring>

namespace ch {

namespace {

// Deeper nesting than any real event; bounds the work on hostile input.
constexpr int kMaxDepth = 64;

class OutlineScanner {
 public:
  explicit OutlineScanner(std::string_view text)
      : p_(text.data()), end_(text.data() + text.size()) {}

  std::optional<int64_t> Run() {
    SkipSpace();
    if (!ReadObject(/*top_level=*/true)) return std::nullopt;
    SkipSpace();
    if (p_ != end_ || escaped_key_) return std::nullopt;
    return timepoint_;
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  // At the opening quote; leaves p_ after the closing one. `content` gets
  // the raw bytes between the quotes (escapes not decoded).
  bool ReadString(std::string_view* content) {
    const char* start = ++p_;
    for (;;) {
      const char* q =
          static_cast<const char*>(std::memchr(p_, '"', static_cast<size_t>(end_ - p_)));
      if (q == nullptr) return false;
      // The quote is escaped when an odd number of backslashes precede it.
      size_t backslashes = 0;
      for (const char* b = q; b > start && b[-1] == '\\'; --b) ++backslashes;
      p_ = q + 1;
      if (backslashes % 2 == 0) {
        *content = std::string_view(start, static_cast<size_t>(q - start));
        return true;
      }
    }
  }

  // A number, true, false or null: the bytes up to the next delimiter.
  bool ReadScalar(std::string_view* token) {
    const char* start = p_;
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != ' ' && *p_ != '\t' &&
           *p_ != '\n' && *p_ != '\r' && *p_ != '"' && *p_ != '{' && *p_ != '[' && *p_ != ':') {
      ++p_;
    }
    *token = std::string_view(start, static_cast<size_t>(p_ - start));
    return !token->empty();
  }

  bool SkipValue(int depth) {
    if (p_ >= end_) return false;
    std::string_view ignored;
    switch (*p_) {
      case '"':
        return ReadString(&ignored);
      case '{':
        return depth < kMaxDepth && ReadMembers(depth + 1, /*event=*/false);
      case '[':
        return depth < kMaxDepth && ReadArray(depth + 1);
      default:
        return ReadScalar(&ignored);
    }
  }

  bool ReadArray(int depth) {
    ++p_;  // '['
    SkipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (!SkipValue(depth)) return false;
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_++ != ',') return false;
    }
  }

  bool ReadObject(bool top_level) {
    if (p_ >= end_ || *p_ != '{') return false;
    return ReadMembers(1, /*event=*/false, top_level);
  }

  // At '{'. In the top-level object, looks for "event"; inside the event
  // object (event = true), for "timepoint".
  bool ReadMembers(int depth, bool event, bool top_level = false) {
    ++p_;  // '{'
    SkipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (p_ >= end_ || *p_ != '"') return false;
      std::string_view key;
      if (!ReadString(&key)) return false;
      // Keys are compared undecoded. One with an escape ("\u0065vent") may
      // be the member a full parse finds first, so where it matters the
      // timepoint becomes unknown rather than possibly another one.
      if ((top_level || event) && key.find('\\') != std::string_view::npos) escaped_key_ = true;
      SkipSpace();
      if (p_ >= end_ || *p_++ != ':') return false;
      SkipSpace();
      if (p_ >= end_) return false;
      bool ok;
      if (top_level && key == "event" && !seen_event_) {
        seen_event_ = true;
        ok = *p_ == '{' ? ReadMembers(depth + 1, /*event=*/true) : SkipValue(depth);
      } else if (event && key == "timepoint" && !seen_timepoint_) {
        seen_timepoint_ = true;
        ok = ReadTimepoint();
      } else {
        ok = SkipValue(depth);
      }
      if (!ok) return false;
      SkipSpace();
      if (p_ >= end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_++ != ',') return false;
    }
  }

  // The timepoint value: digits, bare or quoted. Anything else is skipped
  // as a value and leaves the timepoint unknown.
  bool ReadTimepoint() {
    std::string_view digits;
    if (*p_ == '"') {
      if (!ReadString(&digits)) return false;
    } else if (*p_ == '{' || *p_ == '[') {
      return SkipValue(2);
    } else if (!ReadScalar(&digits)) {
      return false;
    } else if (digits.size() > 1 && digits[0] == '0') {
      return true;  // JSON has no leading zeros: ch-parse will reject the line
    }
    if (digits.empty() || digits.size() > 18) return true;  // unknown, not malformed
    int64_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return true;
      value = value * 10 + (c - '0');
    }
    timepoint_ = value;
    return true;
  }

  const char* p_;
  const char* const end_;
  bool seen_event_ = false;
  bool seen_timepoint_ = false;
  bool escaped_key_ = false;
  std::optional<int64_t> timepoint_;
};

}  // namespace

std::optional<int64_t> ScanEventTimepoint(std::string_view line) {
  return OutlineScanner(line).Run();
}

}  // namespace ch
