// JSON helpers shared by every stage: building output lines by hand (fast,
// no DOM), reading untrusted input defensively with RapidJSON (checked parse,
// a nesting limit, FindMember + type checks), and base64 for bytes that are
// not valid UTF-8.
#ifndef CH_COMMON_JSON_H_
#define CH_COMMON_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "rapidjson/document.h"

namespace ch {

// Appends `s` as a JSON string literal (with quotes). Bytes that are not
// valid UTF-8 become U+FFFD so the output line is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

// Appends `"key":` (key must not need escaping).
inline void AppendJsonKey(std::string* out, std::string_view key) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

// Appends a RapidJSON value compactly.
void AppendJsonValue(std::string* out, const rapidjson::Value& value);

// True when `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

std::string Base64Encode(std::string_view bytes);
// Returns nullopt on malformed input.
std::optional<std::string> Base64Decode(std::string_view text);

// Nesting deeper than this is rejected before RapidJSON sees it (its
// recursive parser would otherwise overflow the stack on hostile input).
inline constexpr int kMaxJsonDepth = 64;

// Parses one JSON text into `doc`: the whole input must be one value
// (trailing garbage is an error), strings must be valid UTF-8, nesting at most
// kMaxJsonDepth. On failure returns a DataError naming the problem and offset.
Status ParseJson(std::string_view text, rapidjson::Document* doc);

// Adds the JSON number `text` to `doc` as the next SAX value, stored as a
// full-precision parse stores it: Int64/Uint64 when it is an integer that
// fits, else the correctly rounded double (strtod). REQUIRES: `text` is valid
// JSON number syntax, as RapidJSON's kParseNumbersAsStringsFlag hands it to a
// handler's RawNumber. False, adding nothing, when it is too large for a
// double. ParseJson and ch-parse's LineDocument parse numbers this way because
// RapidJSON 1.1.0's own full-precision conversion is broken for a zero with a
// large exponent: "0e99" becomes garbage such as 6.5e296 (__builtin_clzll(0),
// Tencent/rapidjson issue 1249, fixed upstream after the release Debian ships).
bool AddJsonNumber(std::string_view text, rapidjson::Document* doc);

// Defensive member access on untrusted objects: nullptr when `obj` is not an
// object or has no such member.
const rapidjson::Value* FindMember(const rapidjson::Value& obj, const char* name);
// The member as a string view when it is a string, else nullopt.
std::optional<std::string_view> GetString(const rapidjson::Value& obj, const char* name);
// A number or a numeric string ("30") as an integer; nullopt when absent,
// fractional, out of range or not numeric.
std::optional<int64_t> GetInt64(const rapidjson::Value& obj, const char* name);
// Same conversion for a value.
std::optional<int64_t> ToInt64(const rapidjson::Value& value);

}  // namespace ch

#endif  // CH_COMMON_JSON_H_
