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

// Where the last member of an outermost object sits, as offsets into the text.
struct JsonLastMember {
  bool found = false;        // the value is an object with at least one member
  size_t members_end = 0;    // the ',' before the last member (or just past '{')
  size_t key_begin = 0;      // the key's text, between its quotes, escapes as written
  size_t key_end = 0;
  size_t value_begin = 0;    // the last member's value ...
  size_t value_end = 0;      // ... up to the end of its last character
};

// True when `text` (surrounding JSON whitespace allowed) is one JSON value.
// When `last` is given and the value is an object, also says where its last
// member is.
bool IsValidJsonValue(std::string_view text, JsonLastMember* last = nullptr);

}  // namespace ch

#endif  // CH_STORE_JSON_VALIDATOR_H_
