// BulkRowMapper: one row of the Companies House bulk snapshot (the "Free
// Company Data Product", 55 columns) turned into the same normalised company
// record the stream produces, so ch-store applies both the same way.
//
// The CSV speaks another dialect than the API: human status and category
// texts, dd/mm/yyyy dates, "99999 - Dormant Company" SIC texts, upper-case
// names, numbers that may have lost their leading zeros. Each is mapped to
// the stream's spelling (tables in PROTOCOL.md), and `data` is built in the
// company-profile shape with empty fields omitted. A row that cannot be
// trusted (wrong field count, bad company number, impossible date) is
// reported for a reject record instead.
#ifndef CH_PARSE_BULK_ROW_MAPPER_H_
#define CH_PARSE_BULK_ROW_MAPPER_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-parse/company_number.h"
#include "ch-parse/json_line.h"
#include "ch-parse/record_writer.h"
#include "common/status.h"
#include "common/timestamp.h"

namespace ch {

inline constexpr size_t kBulkColumnCount = 55;

// The header's column names, without the leading spaces some of them have.
extern const std::array<std::string_view, kBulkColumnCount> kBulkColumns;

// True when a record looks like a header line (first columns CompanyName,
// CompanyNumber): the first line, or a part file's header repeated mid-input.
bool IsBulkHeader(const std::vector<std::string_view>& fields);

// Checks every column name (blanks around names ignored). A DataError
// naming the first bad column otherwise: the file is not the one we know.
Status CheckBulkHeader(const std::vector<std::string_view>& fields);

class BulkRowMapper {
 public:
  // `as_of_date` is --as-of, "YYYY-MM-DD".
  BulkRowMapper(std::string_view stream, const IsoDate& as_of_date);

  // Appends the company record for `fields` to *out and returns true; or
  // returns false with reject_class() and reason() saying why.
  bool Map(const std::vector<std::string_view>& fields, JsonLine* out);

  RejectClass reject_class() const { return reject_class_; }
  const std::string& reason() const { return reason_; }
  // After a successful Map: the status or category text was not known.
  bool unknown_status() const { return unknown_status_; }
  bool unknown_type() const { return unknown_type_; }

  const RecordWriter& writer() const { return writer_; }

 private:
  bool Fail(RejectClass reject_class, std::string reason);
  // Parses a date column into *date; an empty column gives nullopt. False
  // (and a reject reason) when the text is not a real date.
  bool ParseDateColumn(const std::vector<std::string_view>& fields, size_t column,
                       std::optional<IsoDate>* date);
  // Writes the `data` object (company-profile shape) into *out.
  void AppendData(const std::vector<std::string_view>& fields, JsonLine* out);

  RecordWriter writer_;
  std::string as_of_;  // "YYYY-MM-DDT00:00:00Z"
  ParsedCompany record_;
  std::optional<CompanyNumber> number_;
  // Dates by column, parsed once per row.
  std::optional<IsoDate> incorporated_, dissolved_, accounts_next_due_, accounts_last_made_up_,
      confirmation_next_due_, confirmation_last_made_up_;
  std::array<std::optional<IsoDate>, 10> previous_name_dates_;
  char ref_day_[2] = {};
  char ref_month_[2] = {};
  bool has_ref_day_ = false;
  bool has_ref_month_ = false;
  std::string reason_;
  RejectClass reject_class_ = RejectClass::kCsvRow;
  bool unknown_status_ = false;
  bool unknown_type_ = false;
};

}  // namespace ch

#endif  // CH_PARSE_BULK_ROW_MAPPER_H_
