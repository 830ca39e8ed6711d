// CSV fields: see csv_writer.h.
#include "ch-store/csv_writer.h"

namespace ch {

void AppendCsvField(std::string* out, std::optional<std::string_view> value) {
  if (!value) return;
  const bool quote = value->empty() || value->find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out->append(*value);
    return;
  }
  out->push_back('"');
  for (const char c : *value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace ch
