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
#ifndef CH_PARSE_LINE_DOCUMENT_H_
#define CH_PARSE_LINE_DOCUMENT_H_

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rapidjson/document.h"

namespace ch {

// True when `text` is valid UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF), checking eight ASCII bytes at a time.
bool IsValidUtf8Fast(std::string_view text);

class LineDocument {
 public:
  LineDocument();
  LineDocument(const LineDocument&) = delete;
  LineDocument& operator=(const LineDocument&) = delete;

  // Parses `text` (which must not contain NUL bytes: the caller rejects
  // those first). On failure a DataError says why; the previous contents
  // are gone either way.
  Status Parse(std::string_view text);

  // REQUIRES: the last Parse succeeded. Valid until the next Parse.
  const rapidjson::Value& root() const { return doc_; }

  // The text of the first top-level member named "data" when its value is
  // an object, as a view into the `text` given to Parse; nullopt otherwise.
  std::optional<std::string_view> raw_data() const { return raw_data_; }

 private:
  std::vector<char> buffer_;  // the line copied for in-place parsing
  std::unique_ptr<char[]> pool_buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
  std::optional<std::string_view> raw_data_;
};

}  // namespace ch

#endif  // CH_PARSE_LINE_DOCUMENT_H_
