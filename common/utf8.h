// UTF-8 validation of one sequence, shared by every JSON reader (common's
// ParseJson and AppendJsonString, ch-parse's LineDocument, ch-store's
// validator). Inline because two of them run it on their hot paths, after an
// eight-bytes-at-a-time ASCII scan.
#ifndef CH_COMMON_UTF8_H_
#define CH_COMMON_UTF8_H_

#include <cstddef>
#include <cstdint>

namespace ch {

// Length (1-4) of the valid UTF-8 sequence at p, given `available` bytes from
// p on (at least 1), or 0 when it is not valid: a stray continuation byte, a
// truncated sequence, an overlong form, a surrogate or a value past U+10FFFF.
inline size_t Utf8SequenceLength(const unsigned char* p, size_t available) {
  const unsigned b0 = p[0];
  if (b0 < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (available < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0;
  }
  return len;
}

}  // namespace ch

#endif  // CH_COMMON_UTF8_H_
