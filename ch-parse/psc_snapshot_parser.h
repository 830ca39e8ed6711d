// PscSnapshotParser: one line of the daily PSC snapshot in, at most one
// output line out (README.md "Record formats"; facts: PSC-SNAPSHOT.md).
//
// A line is {"company_number":...,"data":{...}}, `data` being the resource
// the PSC stream sends, so each becomes the resource record the stream
// would give, with the snapshot's date instead of a timepoint: identity
// data.links.self (one leading slash), resource_kind and stream from the
// kinds table's row for data.kind (statements are filed under the
// statements stream, exemptions under company-exemptions), source "bulk",
// as_of 00:00Z of --as-of, rows from the kind's extractor, no signals (a
// snapshot says what is, not what happened). A kind the table does not know
// is stored generically (table null), counted, never rejected: a new kind
// broke a peer's import in 2022.
//
// The totals line (data.kind totals#persons-of-significant-control-snapshot,
// no company_number) may come anywhere, since parts can be concatenated in
// any order: its counts are remembered and written, with the lines counted
// by family, in the snapshot_end line the caller asks for at the natural
// end of the input. The same totals line again (its part given twice) is
// skipped; another one is bad input (a reject); the first is kept.
//
// Rejects: not JSON or not an object; no `data` object; no data.kind
// string; no company_number string (only the totals line may lack it); no
// data.links.self (no identity); a known kind whose links.self holds no
// valid company number; a company_number that disagrees with the one in
// links.self. Tolerated: ceased as an integer or a boolean, null inside
// natures_of_control (the extractors' rules), CRLF, a UTF-8 BOM, keys in any
// order, unknown members. Memory: counters only, nothing per line is kept.
#ifndef CH_PARSE_PSC_SNAPSHOT_PARSER_H_
#define CH_PARSE_PSC_SNAPSHOT_PARSER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/company_number.h"
#include "ch-parse/json_line.h"
#include "ch-parse/line_document.h"
#include "ch-parse/record_writer.h"
#include "ch-parse/resource_kinds.h"
#include "ch-parse/resource_table.h"
#include "common/timestamp.h"

namespace ch {

// The stream a PSC snapshot is about: its snapshot_end names it, and its
// rejects and unknown kinds are filed under it.
inline constexpr std::string_view kPscSnapshotStream = "persons-with-significant-control";
inline constexpr std::string_view kPscTotalsKind = "totals#persons-of-significant-control-snapshot";

// Lines by the kinds table's family of their data.kind.
struct PscSnapshotCounts {
  uint64_t pscs = 0;        // the PSC and beneficial-owner kinds
  uint64_t statements = 0;  // persons-with-significant-control-statement
  uint64_t exemptions = 0;  // exemptions
  uint64_t other = 0;       // kinds not in the kinds table
  uint64_t rejects = 0;
};

// What the totals line says.
struct PscSnapshotTotals {
  uint64_t pscs = 0;        // persons_of_significant_control_count
  uint64_t statements = 0;  // statements_count
  uint64_t exemptions = 0;  // exemptions_count
};

class PscSnapshotParser {
 public:
  enum class Outcome {
    kResource,  // a resource record was appended (see resource_kind())
    kReject,    // a reject record was appended (see reject_class())
    kTotals,    // the totals line: remembered, nothing appended
    kBlank,     // an empty or blank line: nothing appended
  };

  // `as_of`: the snapshot's date (--as-of). `shaped_parse` as EventParser's.
  explicit PscSnapshotParser(const IsoDate& as_of, bool shaped_parse = true);
  PscSnapshotParser(const PscSnapshotParser&) = delete;
  PscSnapshotParser& operator=(const PscSnapshotParser&) = delete;

  // Handles one line (without its '\n') and appends the resulting line,
  // without '\n', to *out.
  Outcome Parse(std::string_view line, JsonLine* out);
  // A line longer than the cap: always a reject.
  Outcome ParseOversized(std::string_view prefix, uint64_t full_length, JsonLine* out);

  // The control line for the end of the input (README.md "Record formats"):
  // {"snapshot_end":{"stream":"persons-with-significant-control",
  //  "format":"psc-snapshot","as_of":"YYYY-MM-DD","rows":N,
  //  "expected":{"pscs":A,"statements":B,"exemptions":C}|null,
  //  "received":{"pscs":a,"statements":b,"exemptions":c,"other":d,"rejects":r}}}
  // rows = every non-blank line but the totals line kept.
  void AppendSnapshotEnd(JsonLine* out) const;

  const PscSnapshotCounts& counts() const { return counts_; }
  const std::optional<PscSnapshotTotals>& totals() const { return totals_; }
  uint64_t rows() const;
  // Valid after kReject.
  RejectClass reject_class() const { return reject_class_; }
  // After kResource: the kind's row; nullptr for a kind not in the table.
  const ResourceKind* resource_kind() const { return kind_; }

 private:
  Outcome Reject(RejectClass reject_class, std::string_view reason, JsonLine* out);
  Outcome ParseTotals(const rapidjson::Value& data, JsonLine* out);
  // The writer of records filed under `stream`.
  const RecordWriter& WriterFor(std::string_view stream);

  std::string as_of_date_;  // YYYY-MM-DD
  std::string as_of_;       // YYYY-MM-DDT00:00:00Z
  LineDocument document_;
  // One writer per stream a record is filed under (the prefix of each
  // record names it); the first is kPscSnapshotStream's.
  std::vector<std::unique_ptr<RecordWriter>> writers_;
  ResourceRows rows_;
  std::string uri_scratch_;
  std::string reason_;
  std::optional<CompanyNumber> number_;
  std::optional<CompanyNumber> uri_number_;
  std::string_view raw_;
  uint64_t raw_length_ = 0;
  PscSnapshotCounts counts_;
  std::optional<PscSnapshotTotals> totals_;
  std::optional<std::string> totals_generated_at_;  // as written, when it was a string
  const ResourceKind* kind_ = nullptr;
  RejectClass reject_class_ = RejectClass::kInvalidJson;
};

}  // namespace ch

#endif  // CH_PARSE_PSC_SNAPSHOT_PARSER_H_
