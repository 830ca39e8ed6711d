// StatusChange: one row of status_changes as ch-store reports it with
// --emit-changes, one NDJSON line per change on stdout after the transaction
// holding it has committed (so a consumer never sees a change that a crash
// could still take back).
#ifndef CH_STORE_STATUS_CHANGE_H_
#define CH_STORE_STATUS_CHANGE_H_

#include <cstdint>
#include <optional>
#include <string>

namespace ch {

struct StatusChange {
  int64_t id = 0;
  std::string company_number;
  std::optional<int64_t> timepoint;
  std::optional<std::string> published_at;
  std::optional<std::string> old_status;
  std::optional<std::string> old_status_detail;
  std::optional<std::string> new_status;
  std::optional<std::string> new_status_detail;
  std::string source;  // "stream" or "bulk"
  std::optional<std::string> company_name;
};

// Appends the change as one JSON object (no newline):
// {"id":..,"company_number":..,"timepoint":..,"published_at":..,"old_status":..,
//  "old_status_detail":..,"new_status":..,"new_status_detail":..,"source":..,
//  "company_name":..}; absent values are null.
void AppendStatusChangeJson(std::string* out, const StatusChange& change);

}  // namespace ch

#endif  // CH_STORE_STATUS_CHANGE_H_
