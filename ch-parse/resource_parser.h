// ResourceParser: turns an event of any resource_kind but company-profile
// into a resource record (README.md "Record formats"), once EventParser has
// checked its envelope (timepoint, event type, data an object or absent).
//
// It normalises the URI, finds the company number as the kinds table says
// (resource_kinds.h), has the kind's extractor make the typed rows and
// signals, and writes the record with the original `data` bytes. Only what
// cannot be trusted is a reject: no usable resource_uri, or a URI without
// the company number its kind requires. A kind not in the table is stored
// too (table null, no rows): the service adds kinds.
#ifndef CH_PARSE_RESOURCE_PARSER_H_
#define CH_PARSE_RESOURCE_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ch-parse/company_number.h"
#include "ch-parse/json_line.h"
#include "ch-parse/record_writer.h"
#include "ch-parse/resource_kinds.h"
#include "ch-parse/resource_table.h"
#include "rapidjson/document.h"

namespace ch {

class ResourceParser {
 public:
  // What the caller read and checked.
  struct Event {
    std::optional<int64_t> timepoint;
    std::optional<std::string_view> published_at;  // normalised
    std::optional<std::string_view> as_of;
    bool deleted = false;
    std::string_view resource_kind;
    const rapidjson::Value* resource_uri = nullptr;  // the member, any type; nullptr if absent
    const rapidjson::Value* resource_id = nullptr;
    const rapidjson::Value* data = nullptr;     // an object, or nullptr: the event has none
    std::optional<std::string_view> data_json;  // the text of `data` as received
  };

  // Records are written by `writer`, which must outlive the parser.
  explicit ResourceParser(const RecordWriter* writer);
  ResourceParser(const ResourceParser&) = delete;
  ResourceParser& operator=(const ResourceParser&) = delete;

  // Appends a resource record and returns true; or appends nothing and
  // returns false, reject_class() and reason() saying why.
  bool Parse(const Event& event, JsonLine* out);

  // After a record: the kind's row, nullptr for a kind not in the table.
  const ResourceKind* kind() const { return kind_; }
  // After false.
  RejectClass reject_class() const { return reject_class_; }
  std::string_view reason() const { return reason_; }

 private:
  bool Fail(RejectClass reject_class, std::string_view reason);

  const RecordWriter* writer_;
  const ResourceKind* kind_ = nullptr;
  ResourceRows rows_;
  std::string uri_scratch_;
  std::optional<CompanyNumber> company_number_;
  RejectClass reject_class_ = RejectClass::kResourceUri;
  std::string reason_;
};

}  // namespace ch

#endif  // CH_PARSE_RESOURCE_PARSER_H_
