// Raw member lookup: see raw_member.h. The input is already validated, so
// the scanner only needs to know where strings and nesting start and end.
#include "ch-parse/raw_member.h"

#include <cstring>

namespace ch {

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void SkipSpace(std::string_view s, size_t* pos) {
  while (*pos < s.size() && IsJsonSpace(s[*pos])) ++*pos;
}

// At an opening quote: moves past the closing one. Sets *escaped when the
// string holds a backslash.
bool SkipString(std::string_view s, size_t* pos, bool* escaped) {
  size_t i = *pos + 1;
  for (;;) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (q == nullptr) return false;
    const size_t quote = static_cast<const char*>(q) - s.data();
    // The quote is escaped when an odd number of backslashes precede it.
    size_t backslashes = 0;
    while (quote - backslashes > i && s[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes > 0 || std::memchr(s.data() + i, '\\', quote - i) != nullptr) *escaped = true;
    if (backslashes % 2 == 0) {
      *pos = quote + 1;
      return true;
    }
    i = quote + 1;
  }
}

// Moves past one value starting at *pos.
bool SkipValue(std::string_view s, size_t* pos) {
  if (*pos >= s.size()) return false;
  const char c = s[*pos];
  bool escaped = false;
  if (c == '"') return SkipString(s, pos, &escaped);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (*pos < s.size()) {
      const char d = s[*pos];
      if (d == '"') {
        if (!SkipString(s, pos, &escaped)) return false;
        continue;
      }
      if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) {
          ++*pos;
          return true;
        }
      }
      ++*pos;
    }
    return false;
  }
  // A number, true, false or null: ends at a delimiter.
  while (*pos < s.size() && s[*pos] != ',' && s[*pos] != '}' && s[*pos] != ']' && !IsJsonSpace(s[*pos])) ++*pos;
  return true;
}

}  // namespace

std::optional<std::string_view> FindRawMember(std::string_view json, std::string_view key) {
  size_t pos = 0;
  SkipSpace(json, &pos);
  if (pos >= json.size() || json[pos] != '{') return std::nullopt;
  ++pos;
  for (;;) {
    SkipSpace(json, &pos);
    if (pos >= json.size() || json[pos] != '"') return std::nullopt;  // '}' (the end) or malformed
    const size_t key_start = pos + 1;
    bool escaped = false;
    if (!SkipString(json, &pos, &escaped)) return std::nullopt;
    if (escaped) return std::nullopt;
    const std::string_view name = json.substr(key_start, pos - 1 - key_start);
    SkipSpace(json, &pos);
    if (pos >= json.size() || json[pos] != ':') return std::nullopt;
    ++pos;
    SkipSpace(json, &pos);
    const size_t value_start = pos;
    if (!SkipValue(json, &pos)) return std::nullopt;
    if (name == key) return json.substr(value_start, pos - value_start);
    SkipSpace(json, &pos);
    if (pos >= json.size() || json[pos] != ',') return std::nullopt;
    ++pos;
  }
}

}  // namespace ch
