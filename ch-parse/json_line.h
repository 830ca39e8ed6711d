// JsonLine: the buffer one output line is built in.
//
// ch-parse writes hundreds of thousands of lines a second, each made of some
// forty small pieces (keys, short strings, numbers). std::string::append
// costs an out-of-line call per piece; here a piece is a capacity check and
// a memcpy into storage that is kept from line to line, and a string that
// needs no escaping (nearly all of them) is copied in one go. Escaping
// itself is left to common/json.h's AppendJsonString, so there is one
// definition of how text becomes JSON.
#ifndef CH_PARSE_JSON_LINE_H_
#define CH_PARSE_JSON_LINE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ch {

class JsonLine {
 public:
  JsonLine() { storage_.resize(kInitialBytes); }

  // Empties the line; storage grown by an exceptionally large line is
  // given back rather than kept for ordinary ones.
  void clear() {
    size_ = 0;
    if (storage_.size() > kKeepBytes) Release();
  }
  size_t size() const { return size_; }
  // Drops everything after the first `size` bytes. REQUIRES: size <= size().
  void truncate(size_t size) { size_ = size; }
  std::string_view view() const { return std::string_view(storage_.data(), size_); }

  void Append(std::string_view text) {
    char* p = Grow(text.size());
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
  }
  void Append(char c) { *Grow(1) = c; }
  // The text as a JSON string literal, quotes included.
  void AppendString(std::string_view text);
  void AppendInt(int64_t value);
  void AppendUint(uint64_t value);
  // "key": (the key must not need escaping).
  void AppendKey(std::string_view key) {
    char* p = Grow(key.size() + 3);
    p[0] = '"';
    std::memcpy(p + 1, key.data(), key.size());
    p[key.size() + 1] = '"';
    p[key.size() + 2] = ':';
  }

 private:
  static constexpr size_t kInitialBytes = 64u << 10;
  static constexpr size_t kKeepBytes = 1u << 20;

  // Room for n more bytes; returns where they go.
  char* Grow(size_t n) {
    if (storage_.size() - size_ < n) Expand(n);
    char* p = storage_.data() + size_;
    size_ += n;
    return p;
  }
  void Expand(size_t n);
  void Release();

  std::string storage_;  // capacity; the line is its first size_ bytes
  size_t size_ = 0;
  std::string escaped_;  // scratch for strings that need escaping
};

}  // namespace ch

#endif  // CH_PARSE_JSON_LINE_H_
