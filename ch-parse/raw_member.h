// Finding a top-level member's value in JSON text without a DOM.
//
// ch-parse passes each event's `data` object on "unchanged". Copying its
// bytes from the line is both the most faithful way (numbers, escapes and
// member order exactly as the server sent them) and the fastest one: no
// re-serialisation of a 1.5 KB object per event.
#ifndef CH_PARSE_RAW_MEMBER_H_
#define CH_PARSE_RAW_MEMBER_H_

#include <optional>
#include <string_view>

namespace ch {

// The text of the value of the first top-level member named `key` in
// `json`, without surrounding whitespace.
// REQUIRES: `json` is one valid JSON object (it has been parsed already).
// nullopt when there is no such member, and also when a top-level key uses
// backslash escapes: then the first literal match might not be the member a
// parser sees first, and the caller must fall back to its DOM.
std::optional<std::string_view> FindRawMember(std::string_view json, std::string_view key);

}  // namespace ch

#endif  // CH_PARSE_RAW_MEMBER_H_
