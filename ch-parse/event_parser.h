// EventParser: one line of a stream (as ch-fetch passes it on) in, at most
// one output line out: a normalised company record (resource_kind
// company-profile), a resource record (every other kind, see
// resource_parser.h), a reject record, or a control line passed through
// re-serialised canonically.
//
// The input is untrusted: every line is parsed with the checks of
// common/json.h (nesting limit, UTF-8, trailing garbage), members are read
// through FindMember and type checks, and anything that cannot be trusted
// becomes a reject record carrying the raw bytes, never an error: ch-parse
// must not stop on bad data. The parsed document (see line_document.h)
// reuses its memory from line to line.
#ifndef CH_PARSE_EVENT_PARSER_H_
#define CH_PARSE_EVENT_PARSER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/company_number.h"
#include "ch-parse/json_line.h"
#include "ch-parse/line_document.h"
#include "ch-parse/record_writer.h"
#include "ch-parse/resource_kinds.h"
#include "ch-parse/resource_parser.h"
#include "common/timestamp.h"
#include "rapidjson/document.h"

namespace ch {

class EventParser {
 public:
  enum class Outcome {
    kCompany,    // a company record was appended
    kResource,   // a resource record was appended (see resource_kind())
    kReject,     // a reject record was appended (see reject_class())
    kControl,    // a control line was appended
    kHeartbeat,  // blank line: nothing appended
  };

  // `shaped_parse`: parse lines into trees of only the members read (see
  // LineDocument); false gives the full parse for every line, which must
  // give the same output (the tests and the fuzz target compare the two).
  explicit EventParser(std::string_view stream, bool shaped_parse = true);
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Handles one line (without its '\n'; a '\r' before it and a UTF-8 BOM
  // are tolerated) and appends the resulting line, without '\n', to *out.
  Outcome Parse(std::string_view line, JsonLine* out);

  // A line longer than the cap: `prefix` is what the reader kept of it,
  // `full_length` its real size. Always a reject.
  Outcome ParseOversized(std::string_view prefix, uint64_t full_length, JsonLine* out);

  // Valid after kReject.
  RejectClass reject_class() const { return reject_class_; }
  // After kResource: the kind's row in the kinds table; nullptr for a kind
  // that is not in it (stored with no table).
  const ResourceKind* resource_kind() const { return resource_parser_.kind(); }
  // After kCompany: whether company_status held a text that is not known
  // (kept in company_status_raw, company_status null).
  bool unknown_status() const { return unknown_status_; }

 private:
  Outcome Reject(RejectClass reject_class, std::string_view reason,
                 std::optional<int64_t> timepoint, JsonLine* out);
  Outcome ParseControl(const rapidjson::Value& root, JsonLine* out);
  Outcome ParseEvent(const rapidjson::Value& root, JsonLine* out);
  // The rest of ParseEvent for company-profile, and for every other kind.
  Outcome ParseCompany(const rapidjson::Value& root, const rapidjson::Value& event,
                       int64_t timepoint, bool deleted, JsonLine* out);
  Outcome ParseResource(const rapidjson::Value& root, std::string_view kind,
                        const rapidjson::Value& event, int64_t timepoint, bool deleted,
                        JsonLine* out);
  // Fills record_ from the `data` object (any member may be missing).
  void ExtractCompanyFields(const rapidjson::Value& data);
  // A string member as text; numbers become their JSON text (stored in
  // `scratch`); other types and "" are absent.
  std::optional<std::string_view> TextOf(const rapidjson::Value& value, std::string* scratch);

  RecordWriter writer_;
  // The line being handled (for reject records).
  std::string_view raw_;
  uint64_t raw_length_ = 0;

  LineDocument document_;
  ResourceParser resource_parser_;

  ParsedCompany record_;
  std::optional<UtcTimestamp> published_at_;
  std::optional<CompanyNumber> company_number_;
  std::optional<IsoDate> date_of_creation_;
  std::optional<IsoDate> date_of_cessation_;
  std::string reason_;
  std::array<std::string, kAddressKeys.size()> address_scratch_;
  std::vector<std::string> sic_scratch_;
  std::string name_scratch_;
  std::string status_scratch_;

  RejectClass reject_class_ = RejectClass::kInvalidJson;
  bool unknown_status_ = false;
};

}  // namespace ch

#endif  // CH_PARSE_EVENT_PARSER_H_
