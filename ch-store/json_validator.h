// JsonValidator: checks that a text is exactly one JSON value (RFC 8259)
// with valid UTF-8 and nesting at most kMaxJsonDepth, without building
// anything, in one pass. ch-store runs it over every record line: a line that
// passes can then be parsed in part (the members before `data`) without
// further checks, and its `data` text stored as received. No tree, no copies
// and no recursion: hostile nesting cannot overflow the stack.
#ifndef CH_STORE_JSON_VALIDATOR_H_
#define CH_STORE_JSON_VALIDATOR_H_

#include <cstddef>
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
};

// True when `text` (surrounding JSON whitespace allowed) is one JSON value.
// When `members` is given and the value is an object, also says where each
// of its members is.
bool IsValidJsonValue(std::string_view text, JsonMembers* members = nullptr);

}  // namespace ch

#endif  // CH_STORE_JSON_VALIDATOR_H_
