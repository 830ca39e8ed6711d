// JsonLine: see json_line.h.
#include "ch-parse/json_line.h"

#include <algorithm>
#include <charconv>

#include "common/json.h"

namespace ch {

namespace {

// Bytes a JSON string can hold as they are: printable ASCII except '"' and
// '\'. Anything else (control characters, and bytes >= 0x80, which may need
// UTF-8 repair) goes the slow way.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

}  // namespace

void JsonLine::Expand(size_t n) { storage_.resize(std::max(storage_.size() * 2, size_ + n)); }

void JsonLine::Release() {
  std::string fresh(kInitialBytes, '\0');
  storage_.swap(fresh);
}

void JsonLine::AppendString(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && kPlain.plain[static_cast<unsigned char>(text[i])]) ++i;
  if (i == text.size()) {
    char* p = Grow(text.size() + 2);
    p[0] = '"';
    if (!text.empty()) std::memcpy(p + 1, text.data(), text.size());
    p[text.size() + 1] = '"';
    return;
  }
  escaped_.clear();
  AppendJsonString(&escaped_, text);
  Append(escaped_);
}

void JsonLine::AppendInt(int64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  Append(std::string_view(buf, static_cast<size_t>(result.ptr - buf)));
}

void JsonLine::AppendUint(uint64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  Append(std::string_view(buf, static_cast<size_t>(result.ptr - buf)));
}

}  // namespace ch
