// JsonValidator: checks that a text is exactly one JSON value (RFC 8259)
// with valid UTF-8 and nesting at most kMaxJsonDepth, without building
// anything, in one pass. ch-store runs it over every record line: a line that
// passes can then be parsed in part (the members before `data`) without
// further checks, and its `data` text stored as received. ch-parse runs it
// over every event line for the same reason (see ch-parse/line_document.h).
// No tree, no copies and no recursion: hostile nesting cannot overflow the
// stack.
#ifndef COMMON_JSON_VALIDATOR_H_
#define COMMON_JSON_VALIDATOR_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ch {

// The members of an outermost object, as offsets into the text: what a
// reader of a validated line needs to find each member without scanning it
// again.
struct JsonMembers {
  static constexpr int kCapacity = 48;
  struct Member {
    size_t key_begin;  // the key's text between its quotes, escapes as written
    size_t key_end;
    size_t value_begin;  // the value's text, from its first to its last character
    size_t value_end;
  };
  Member members[kCapacity]{};
  int count = 0;
  // The value is an object and every member fitted (else only `count` did).
  bool complete = false;
  // Somewhere in the text (not only among these members): a \u escape, and
  // a number with an exponent or of 300 characters or more (the only kind
  // that can be too large for a double). Readers that turn the text into
  // values themselves leave such rare texts to a full parser.
  bool unicode_escapes = false;
  bool large_numbers = false;
};

// True when `text` (surrounding JSON whitespace allowed) is one JSON value.
// When `members` is given and the value is an object, also says where each
// of its members is. When `inner` is given, also where the members are of the
// value of the first top-level member whose key is written `inner_key`, when
// that value is an object (offsets into `text`; else inner->complete is
// false and inner->count 0).
bool IsValidJsonValue(std::string_view text, JsonMembers* members = nullptr,
                      std::string_view inner_key = {}, JsonMembers* inner = nullptr);

// Walking a text that IsValidJsonValue() accepted (anything else gives
// unspecified indices, never a read outside `s`):
// the index just past the string that starts at s[i] == '"';
size_t SkipJsonString(std::string_view s, size_t i);
// the index just past the value that starts at s[i];
size_t SkipJsonValue(std::string_view s, size_t i);
// the index of the first non-whitespace character at or after i;
size_t SkipJsonBlanks(std::string_view s, size_t i);
// appends the content of a string, `body` being what stands between its
// quotes, with its escapes undone (a lone surrogate \u escape becomes
// U+FFFD).
void AppendJsonStringContent(std::string_view body, std::string* out);

}  // namespace ch

#endif  // COMMON_JSON_VALIDATOR_H_
