// CSV output as RFC 4180 describes it: fields separated by commas, records
// ended by CRLF, a field quoted when it holds a comma, a double quote, CR or
// LF (inner quotes doubled) or when it is an empty text. A SQL NULL is an
// empty, unquoted field, so a consumer can tell NULL from "".
#ifndef CH_STORE_CSV_WRITER_H_
#define CH_STORE_CSV_WRITER_H_

#include <optional>
#include <string>
#include <string_view>

namespace ch {

// Appends one field (no separator).
void AppendCsvField(std::string* out, std::optional<std::string_view> value);

// Builds one record field by field.
class CsvRecord {
 public:
  void Add(std::optional<std::string_view> value) {
    if (fields_++ > 0) text_.push_back(',');
    AppendCsvField(&text_, value);
  }
  // The record with its CRLF; resets for the next record.
  std::string Finish() {
    text_.append("\r\n");
    fields_ = 0;
    return std::move(text_);
  }

 private:
  std::string text_;
  int fields_ = 0;
};

}  // namespace ch

#endif  // CH_STORE_CSV_WRITER_H_
