// JsonValidator: see json_validator.h.
#include "common/json_validator.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/json.h"
#include "common/utf8.h"

namespace ch {

namespace {

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Bytes that end a run of plain string content: a quote, a backslash, a
// control character or the start of a multi-byte UTF-8 sequence.
constexpr std::array<bool, 256> MakeSpecialTable() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return table;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecialTable();

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// Whether any byte of `w` is zero (the classic bit trick; exact for "any").
inline uint64_t HasZeroByte(uint64_t w) { return (w - kOnes) & ~w & kHighs; }

// Whether any of the 8 bytes at `p` is special (see kSpecial).
inline bool HasSpecialByte(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const uint64_t control = (w - 0x2020202020202020ull) & ~w & kHighs;  // a byte < 0x20
  return ((w & kHighs) | control | HasZeroByte(w ^ (kOnes * '"')) |
          HasZeroByte(w ^ (kOnes * '\\'))) != 0;
}

#if defined(__SSE2__)
// A bit for each of the 16 bytes at q that is special (see kSpecial). A
// signed compare below 0x20 also catches bytes >= 0x80.
inline unsigned SpecialMask16(const char* q) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  const __m128i special = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// Moves q to the first special byte (see kSpecial) before `end`, or to end.
inline const char* SkipPlain(const char* q, const char* end) {
#if defined(__SSE2__)
  // Sixteen bytes at a time: one load finds the closing quote of most short
  // strings.
  while (end - q >= 16) {
    const unsigned mask = SpecialMask16(q);
    if (mask != 0) return q + __builtin_ctz(mask);
    q += 16;
  }
#endif
  while (end - q >= 8 && !HasSpecialByte(q)) q += 8;
  while (q < end && !kSpecial[static_cast<unsigned char>(*q)]) ++q;
  return q;
}

// What the scan noticed besides validity (see JsonMembers).
struct Notes {
  bool unicode_escapes = false;
  bool large_numbers = false;
};

// REQUIRES: **p == '"'. Moves *p past the closing quote.
bool ScanString(const char** p, const char* end, Notes* notes) {
  const char* q = *p + 1;
  for (;;) {
    q = SkipPlain(q, end);
    if (q >= end) return false;
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"') {
      *p = q + 1;
      return true;
    }
    if (c == '\\') {
      if (end - q < 2) return false;
      const char e = q[1];
      if (e == 'u') {
        notes->unicode_escapes = true;
        if (end - q < 6) return false;
        for (int k = 2; k < 6; ++k) {
          if (!IsHexDigit(q[k])) return false;
        }
        q += 6;
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                 e == 'r' || e == 't') {
        q += 2;
      } else {
        return false;
      }
    } else if (c < 0x20) {
      return false;
    } else {
      const size_t len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(q),
                                            static_cast<size_t>(end - q));
      if (len == 0) return false;
      q += len;
    }
  }
}

// ScanString for the common case, inline: the whole string within the next
// 16 bytes, plain ASCII. Anything else goes to ScanString. (The call and
// the setup of ScanString's constants cost more than scanning a short key.)
inline bool ScanShortString(const char** p, const char* end, Notes* notes) {
#if defined(__SSE2__)
  const char* q = *p + 1;
  if (end - q >= 16) {
    const unsigned mask = SpecialMask16(q);
    if (mask != 0) {
      const int at = __builtin_ctz(mask);
      if (q[at] == '"') {
        *p = q + at + 1;
        return true;
      }
    }
  }
#endif
  return ScanString(p, end, notes);
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool ScanNumber(const char** p, const char* end, Notes* notes) {
  const char* q = *p;
  if (q < end && *q == '-') ++q;
  if (q >= end || !IsDigit(*q)) return false;
  if (*q == '0') {
    ++q;
  } else {
    while (q < end && IsDigit(*q)) ++q;
  }
  if (q < end && *q == '.') {
    ++q;
    if (q >= end || !IsDigit(*q)) return false;
    while (q < end && IsDigit(*q)) ++q;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    notes->large_numbers = true;
    ++q;
    if (q < end && (*q == '+' || *q == '-')) ++q;
    if (q >= end || !IsDigit(*q)) return false;
    while (q < end && IsDigit(*q)) ++q;
  }
  if (q - *p >= 300) notes->large_numbers = true;
  *p = q;
  return true;
}

bool ScanLiteral(const char** p, const char* end, std::string_view literal) {
  if (static_cast<size_t>(end - *p) < literal.size() ||
      std::memcmp(*p, literal.data(), literal.size()) != 0) {
    return false;
  }
  *p += literal.size();
  return true;
}

// Notes where the members of one object are, as the scan passes them.
struct MemberRecorder {
  JsonMembers::Member* member = nullptr;  // the current one (null: not kept)
  int count = 0;
  bool overflow = false;

  void Key(JsonMembers* table, size_t key_begin, size_t key_end) {
    if (count < JsonMembers::kCapacity) {
      member = &table->members[count++];
      member->key_begin = key_begin;
      member->key_end = key_end;
    } else {
      member = nullptr;
      overflow = true;
    }
  }
  void ValueBegin(size_t at) {
    if (member != nullptr) member->value_begin = at;
  }
  void ValueEnd(size_t at) {
    if (member != nullptr) member->value_end = at;
  }
  void Finish(JsonMembers* table, bool object) {
    table->count = count;
    table->complete = object && !overflow;
  }
};

}  // namespace

bool IsValidJsonValue(std::string_view text, JsonMembers* members, std::string_view inner_key,
                      JsonMembers* inner) {
  enum class Expect { kValue, kValueOrClose, kKey, kKeyOrClose, kCommaOrClose };
  // The inner table: waiting for a top-level member named inner_key, that
  // member's key just read, inside its object value, or past it.
  enum class Inner { kWaiting, kArmed, kInside, kDone };
  char stack[kMaxJsonDepth] = {};  // '{' or '[' per open container
  int depth = 0;
  Expect expect = Expect::kValue;
  const char* const begin = text.data();
  const char* p = begin;
  const char* const end = p + text.size();
  MemberRecorder outer;
  MemberRecorder nested;
  Inner inner_state = inner != nullptr ? Inner::kWaiting : Inner::kDone;
  if (inner != nullptr) {
    inner->count = 0;
    inner->complete = false;
  }
  Notes notes;
  auto offset = [&]() { return static_cast<size_t>(p - begin); };
  // A container closed: back at depth 1 means a member's value ended (back
  // at 2 inside the inner object, one of its members' values).
  auto close = [&]() {
    --depth;
    ++p;
    if (inner_state == Inner::kInside) {
      if (depth == 2) nested.ValueEnd(offset());
      if (depth == 1) {
        nested.Finish(inner, /*object=*/true);
        inner_state = Inner::kDone;
      }
    }
    if (depth == 1) outer.ValueEnd(offset());
    expect = Expect::kCommaOrClose;
  };
  for (;;) {
    // Every JSON whitespace character is <= ' ': one compare for the
    // usual case of none.
    if (p < end && static_cast<unsigned char>(*p) <= ' ') {
      while (p < end && IsWhitespace(*p)) ++p;
    }
    if (p == end) {
      if (expect != Expect::kCommaOrClose || depth != 0) return false;
      if (members != nullptr) {
        outer.Finish(members, stack[0] == '{');
        members->unicode_escapes = notes.unicode_escapes;
        members->large_numbers = notes.large_numbers;
      }
      return true;
    }
    const char c = *p;
    switch (expect) {
      case Expect::kValueOrClose:
        if (c == ']') {
          close();
          continue;
        }
        [[fallthrough]];
      case Expect::kValue:
        if (depth == 1) {
          outer.ValueBegin(offset());
          if (inner_state == Inner::kArmed) inner_state = c == '{' ? Inner::kInside : Inner::kDone;
        } else if (depth == 2 && inner_state == Inner::kInside) {
          nested.ValueBegin(offset());
        }
        if (c == '{' || c == '[') {
          if (depth == kMaxJsonDepth) return false;
          stack[depth++] = c;
          ++p;
          expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
          continue;
        }
        if (c == '"') {
          if (!ScanShortString(&p, end, &notes)) return false;
        } else if (c == '-' || IsDigit(c)) {
          if (!ScanNumber(&p, end, &notes)) return false;
        } else if (!ScanLiteral(&p, end, "true") && !ScanLiteral(&p, end, "false") &&
                   !ScanLiteral(&p, end, "null")) {
          return false;
        }
        if (depth == 1) outer.ValueEnd(offset());
        if (depth == 2 && inner_state == Inner::kInside) nested.ValueEnd(offset());
        expect = Expect::kCommaOrClose;
        continue;
      case Expect::kKeyOrClose:
        if (c == '}') {
          close();
          continue;
        }
        [[fallthrough]];
      case Expect::kKey: {
        const size_t key = offset();
        if (c != '"' || !ScanShortString(&p, end, &notes)) return false;
        if (depth == 1 && stack[0] == '{') {
          if (members != nullptr) outer.Key(members, key + 1, offset() - 1);
          if (inner_state == Inner::kWaiting &&
              text.substr(key + 1, offset() - key - 2) == inner_key) {
            inner_state = Inner::kArmed;
          }
        } else if (depth == 2 && inner_state == Inner::kInside) {
          nested.Key(inner, key + 1, offset() - 1);
        }
        if (p < end && static_cast<unsigned char>(*p) <= ' ') {
          while (p < end && IsWhitespace(*p)) ++p;
        }
        if (p == end || *p != ':') return false;
        ++p;
        expect = Expect::kValue;
        continue;
      }
      case Expect::kCommaOrClose:
        if (depth == 0) return false;  // something after the complete value
        if (c == ',') {
          ++p;
          expect = stack[depth - 1] == '{' ? Expect::kKey : Expect::kValue;
        } else if ((c == '}' && stack[depth - 1] == '{') || (c == ']' && stack[depth - 1] == '[')) {
          close();
        } else {
          return false;
        }
        continue;
    }
  }
}

namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t Hex4(std::string_view s) {
  uint32_t v = 0;
  for (char c : s.substr(0, 4)) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
  }
  return v;
}

}  // namespace

void AppendJsonStringContent(std::string_view body, std::string* out) {
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out->push_back(body[i]);
      continue;
    }
    const char e = body[++i];
    switch (e) {
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp = Hex4(body.substr(i + 1));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < body.size() + 1 &&
            body.substr(i + 1, 2) == "\\u") {
          const uint32_t low = Hex4(body.substr(i + 3));
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate
        AppendUtf8(out, cp);
        break;
      }
      default:
        out->push_back(e);  // '"', '\\', '/'
    }
  }
}

size_t SkipJsonString(std::string_view s, size_t i) {
  size_t j = i + 1;
  for (;;) {
    const void* quote = std::memchr(s.data() + j, '"', s.size() - j);
    if (quote == nullptr) return s.size();
    j = static_cast<size_t>(static_cast<const char*>(quote) - s.data());
    size_t k = j;
    while (k > i + 1 && s[k - 1] == '\\') --k;
    if ((j - k) % 2 == 0) return j + 1;
    ++j;
  }
}

size_t SkipJsonValue(std::string_view s, size_t i) {
  if (i >= s.size()) return s.size();
  if (s[i] == '"') return SkipJsonString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipJsonString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return s.size();
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsWhitespace(s[i])) ++i;
  return i;
}

size_t SkipJsonBlanks(std::string_view s, size_t i) {
  while (i < s.size() && IsWhitespace(s[i])) ++i;
  return i;
}

}  // namespace ch
