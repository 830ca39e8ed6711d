// CsvReader: RFC 4180 records from a byte stream, as the Companies House
// bulk snapshot writes them: quoted fields, doubled quotes, commas and line
// breaks inside quotes, CRLF or LF line ends, an optional UTF-8 BOM (also at
// the start of a later part file when parts are concatenated).
//
// It sits on LineReader, so it inherits the line cap and the non-blocking
// "would the next read block?" answer. A record spanning several lines is
// gathered in a buffer; one larger than the cap is reported (and dropped)
// so reading resynchronises at the next line instead of swallowing the rest
// of the file. A quoted field still open at end of input means the input was
// cut short: the caller must not treat the file as complete.
#ifndef CH_PARSE_CSV_READER_H_
#define CH_PARSE_CSV_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/line_reader.h"

namespace ch {

enum class CsvSplit {
  kOk,         // all fields found
  kOpenQuote,  // the text ends inside a quoted field: more lines belong to it
  kMalformed,  // a closing quote followed by something other than ',' or the end
};

// Splits one record's text (without its line break) into fields. Views point
// into `record` or into `scratch` (for fields with doubled quotes), which is
// reserved up front so the views stay valid. An unquoted field may contain
// quotes; they are kept as they are.
CsvSplit SplitCsvRecord(std::string_view record, std::vector<std::string_view>* fields,
                        std::string* scratch);

class CsvReader {
 public:
  enum class Result {
    kRecord,       // fields() and raw() hold one record
    kTooLong,      // a record over the cap: raw() holds its first bytes
    kMalformed,    // raw() holds a record that is not valid CSV
    kTruncated,    // end of input inside a quoted field: raw() holds the record so far
    kEof,          // end of input
    kWouldBlock,   // no complete record within the timeout
    kInterrupted,  // a signal arrived
    kError,        // read failed: see status()
  };

  // Does not take ownership of `lines`.
  CsvReader(LineReader* lines, size_t max_record_bytes);
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Skips blank lines. Views returned by fields() and raw() stay valid
  // until the next call.
  Result Next(int timeout_ms);

  const std::vector<std::string_view>& fields() const { return fields_; }
  std::string_view raw() const { return raw_; }
  // The full size of the record in raw() (larger than raw() after kTooLong).
  uint64_t raw_length() const { return raw_length_; }
  const Status& status() const { return lines_->status(); }
  uint64_t lines_read() const { return lines_read_; }

 private:
  Result TooLong(std::string_view prefix, uint64_t length);

  LineReader* lines_;
  size_t max_record_bytes_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
  // A record that spans lines, gathered so far.
  std::string pending_;
  bool pending_active_ = false;
  bool drop_pending_ = false;  // the pending record was returned: clear it next time
  bool eof_ = false;
  std::string_view raw_;
  uint64_t raw_length_ = 0;
  uint64_t lines_read_ = 0;
};

}  // namespace ch

#endif  // CH_PARSE_CSV_READER_H_
