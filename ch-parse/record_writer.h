// RecordWriter: the output side of ch-parse, one NDJSON line per call, in the
// exact shape README.md ("Record formats") documents: company and resource
// records with their members in a fixed order and `data` last (ch-store may
// rely on that),
// reject records carrying the raw bytes as base64, and the `gap` and
// `snapshot_end` control lines. Lines are appended to a caller-owned
// JsonLine, so the hot loop reuses one buffer and never allocates per record.
#ifndef CH_PARSE_RECORD_WRITER_H_
#define CH_PARSE_RECORD_WRITER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/json_line.h"
#include "ch-parse/resource_table.h"

namespace ch {

// Keys of registered_office_address, in output order.
inline constexpr std::array<std::string_view, 9> kAddressKeys = {
    "address_line_1", "address_line_2", "locality", "region",  "postal_code",
    "country",        "care_of",        "po_box",   "premises"};

// One company's normalised state. Views point into the caller's buffers and
// must stay valid until AppendCompany returns. Empty optional = JSON null.
// The records are named Parsed*, not CompanyRecord and ResourceRecord:
// ch-store's decoder has types of those names in namespace ch, and the unit
// test binary links both libraries, so two layouts under one name broke
// the one-definition rule (the linker kept one of each implicit member and
// the unoptimised coverage build crashed).
struct ParsedCompany {
  std::optional<int64_t> timepoint;
  std::optional<std::string_view> published_at;
  std::string_view as_of;
  std::string_view event_type;
  std::string_view company_number;
  std::optional<std::string_view> company_name;
  std::optional<std::string_view> company_status;
  std::optional<std::string_view> company_status_detail;
  std::optional<std::string_view> company_status_raw;
  std::optional<std::string_view> type;
  std::optional<std::string_view> type_raw;
  std::optional<std::string_view> jurisdiction;
  std::optional<std::string_view> date_of_creation;
  std::optional<std::string_view> date_of_cessation;
  // In kAddressKeys order; absent members are omitted from the output.
  std::array<std::optional<std::string_view>, kAddressKeys.size()> address;
  std::vector<std::string_view> sic_codes;
  // The `data` object, already encoded as JSON.
  std::string_view data_json;

  // Back to all-null, keeping the sic_codes capacity.
  void Clear();
};

// One resource's state (every resource_kind but company-profile). Views
// must stay valid until AppendResource returns. Empty optional = JSON null.
struct ParsedResource {
  std::optional<int64_t> timepoint;
  std::optional<std::string_view> published_at;
  std::optional<std::string_view> as_of;
  std::string_view event_type;
  std::string_view resource_kind;
  std::string_view resource_uri;
  std::optional<std::string_view> resource_id;
  std::optional<std::string_view> company_number;
  // The rows and signals; with no table, "table" is null and "rows" empty.
  const ResourceRows* rows = nullptr;
  // The `data` object, already encoded as JSON; nullopt writes null.
  std::optional<std::string_view> data_json;
};

// Why a line was rejected, in a few fixed classes: the label of the
// rejects_total metric. The reason text itself is more specific.
enum class RejectClass {
  kLineTooLong,
  kInvalidJson,
  kEnvelope,
  kResourceKind,
  kResourceUri,
  kTimepoint,
  kEventType,
  kPublishedAt,
  kData,
  kCompanyNumber,
  kControlLine,
  kCsvRow,
  kDate,
};
inline constexpr int kRejectClassCount = 13;
// "line_too_long", "invalid_json", ...
std::string_view RejectClassLabel(RejectClass reject_class);

class RecordWriter {
 public:
  // Raw bytes kept in a reject record (DESIGN.md: up to 64 KiB).
  static constexpr size_t kMaxRawBytes = 64u << 10;

  // `source` is "stream" or "bulk".
  RecordWriter(std::string_view stream, std::string_view source);

  // The stream the records are filed under.
  std::string_view stream() const { return stream_; }

  // Appends one company record (no '\n') to *out.
  void AppendCompany(const ParsedCompany& record, JsonLine* out) const;
  // The same in two steps, for a caller that writes `data` straight into
  // the line: BeginCompany writes every member up to `"data":` (ignoring
  // record.data_json), the caller appends the object, EndCompany closes.
  void BeginCompany(const ParsedCompany& record, JsonLine* out) const;
  static void EndCompany(JsonLine* out) { out->Append('}'); }
  // Appends one resource record (no '\n') to *out.
  void AppendResource(const ParsedResource& record, JsonLine* out) const;
  // Appends one reject record: `raw` is the line as received (only its first
  // kMaxRawBytes are kept), `raw_length` its full length.
  void AppendReject(std::optional<int64_t> timepoint, std::string_view reason, std::string_view raw,
                    uint64_t raw_length, JsonLine* out) const;

  // {"gap":{"stream":S,"after_timepoint":N|null,"reason":R}}
  static void AppendGap(std::string_view stream, std::optional<int64_t> after_timepoint,
                        std::string_view reason, JsonLine* out);
  // {"snapshot_end":{"stream":S,"as_of":"YYYY-MM-DD","rows":N}}
  void AppendSnapshotEnd(std::string_view as_of_date, uint64_t rows, JsonLine* out) const;

 private:
  std::string stream_;           // the stream name
  std::string stream_json_;      // the stream name as a JSON string
  std::string company_prefix_;   // {"kind":"company","stream":S,"source":X,"timepoint":
  std::string reject_prefix_;    // {"kind":"reject","stream":S,"source":X,"timepoint":
  std::string resource_prefix_;  // {"kind":"resource","stream":S,"source":X,"timepoint":
};

}  // namespace ch

#endif  // CH_PARSE_RECORD_WRITER_H_
