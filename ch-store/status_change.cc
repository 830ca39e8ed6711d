// StatusChange: see status_change.h.
#include "ch-store/status_change.h"

#include "common/json.h"

namespace ch {

namespace {

void AppendOptionalText(std::string* out, const std::optional<std::string>& value) {
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out->append("null");
  }
}

}  // namespace

void AppendStatusChangeJson(std::string* out, const StatusChange& change) {
  out->append("{\"id\":");
  out->append(std::to_string(change.id));
  out->append(",\"company_number\":");
  AppendJsonString(out, change.company_number);
  out->append(",\"timepoint\":");
  out->append(change.timepoint ? std::to_string(*change.timepoint) : "null");
  out->append(",\"published_at\":");
  AppendOptionalText(out, change.published_at);
  out->append(",\"old_status\":");
  AppendOptionalText(out, change.old_status);
  out->append(",\"old_status_detail\":");
  AppendOptionalText(out, change.old_status_detail);
  out->append(",\"new_status\":");
  AppendOptionalText(out, change.new_status);
  out->append(",\"new_status_detail\":");
  AppendOptionalText(out, change.new_status_detail);
  out->append(",\"source\":");
  AppendJsonString(out, change.source);
  out->append(",\"company_name\":");
  AppendOptionalText(out, change.company_name);
  out->push_back('}');
}

}  // namespace ch
