// LineDocument: one untrusted JSON line parsed into a DOM, fast and safely,
// for the stream's hot path (well over 100,000 events a second).
//
// It gives what common/json.h's ParseJson gives (a checked parse, valid
// UTF-8, nesting at most kMaxJsonDepth, no trailing garbage, the same error
// texts) in a single pass over a reused buffer: the line is validated as
// UTF-8 with an ASCII fast path, copied once and parsed in place (strings
// point into the copy, nothing is allocated per string), and the nesting
// limit is enforced by the SAX handler as the parser descends, so a line of
// 200,000 '[' stops at level 65 without deep recursion. While parsing it also
// notes where the top-level `data` object starts and ends in the original
// text, so the record can carry those bytes unchanged without a second scan.
//
// A reader that names the members it uses (a Shape) gets a faster parse for
// most lines: common/json_validator.h checks the line in one SSE2 pass, and
// the tree is then built straight from the checked text with only those
// members (of `data`, most of a company profile is accounts, links and
// dates that ch-parse passes on as text and never looks into; which members
// of `data` are read may depend on the line's resource_kind). A line that
// pass cannot take exactly as RapidJSON would (one with a top-level member
// outside the shape, an escaped key, a \u escape, an exponent, or that is
// not valid at all) takes the full parse, which also gives the error text,
// so both ways agree on every line (event_parser_fuzz checks it).
#ifndef CH_PARSE_LINE_DOCUMENT_H_
#define CH_PARSE_LINE_DOCUMENT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json_validator.h"
#include "common/status.h"
#include "rapidjson/document.h"

namespace ch {

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF), checking eight ASCII bytes at a time.
bool IsValidUtf8Fast(std::string_view text);

class LineDocument {
 public:
  // What a reader looks at: the tree may leave out everything else.
  struct Shape {
    /// Top-level members; a line with any other takes the full parse.
    std::vector<std::string> members;
    /// Members of the first top-level `data` object, for a line whose
    /// `kind_member` names no entry of data_members_by_kind.
    std::vector<std::string> data_members;
    /// A top-level string member whose value picks the members of `data`
    /// (each resource_kind reads its own); empty: data_members always.
    std::string kind_member;
    std::vector<std::pair<std::string, std::vector<std::string>>> data_members_by_kind;
  };

  // Full trees, always by the full parse.
  LineDocument();
  // Trees of `shape` where the line allows (see above).
  explicit LineDocument(Shape shape);
  LineDocument(const LineDocument&) = delete;
  LineDocument& operator=(const LineDocument&) = delete;

  // Parses `text` (which must not contain NUL bytes: the caller rejects
  // those first). On failure a DataError says why; the previous contents
  // are gone either way.
  Status Parse(std::string_view text);

  // REQUIRES: the last Parse succeeded. Valid until the next Parse, and
  // while the `text` given to it is.
  const rapidjson::Value& root() const { return doc_; }
  // Whether the last Parse built the tree from the checked text (tests).
  bool last_parse_was_shaped() const { return shaped_; }

  // The text of the first top-level member named "data" when its value is
  // an object, as a view into the `text` given to Parse; nullopt otherwise.
  std::optional<std::string_view> raw_data() const { return raw_data_; }

 private:
  // Builds the tree of shape_ from `text`; false when the full parse must.
  bool ParseShaped(std::string_view text);

  std::optional<Shape> shape_;
  bool shaped_ = false;
  JsonMembers members_;       // the top-level members the validator found
  JsonMembers data_members_;  // and those of the first "data" object
  std::string unescaped_;     // a string with escapes, decoded (shaped parse)
  std::vector<char> buffer_;  // the line copied for in-place parsing
  std::unique_ptr<char[]> pool_buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
  std::optional<std::string_view> raw_data_;
};

}  // namespace ch

#endif  // CH_PARSE_LINE_DOCUMENT_H_
