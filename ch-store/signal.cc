// Signal: see signal.h.
#include "ch-store/signal.h"

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

constexpr std::string_view kDissolved = "dissolved";
constexpr std::string_view kProposal = "active-proposal-to-strike-off";

}  // namespace

void AppendSignalJson(std::string* out, const Signal& s) {
  out->append("{\"signal_id\":");
  out->append(std::to_string(s.id));
  out->append(",\"signal\":");
  AppendJsonString(out, s.signal);
  out->append(",\"stream\":");
  AppendJsonString(out, s.stream);
  out->append(",\"company_number\":");
  AppendOptionalText(out, s.company_number);
  out->append(",\"company_name\":");
  AppendOptionalText(out, s.company_name);
  out->append(",\"occurred_on\":");
  AppendOptionalText(out, s.occurred_on);
  out->append(",\"published_at\":");
  AppendOptionalText(out, s.published_at);
  out->append(",\"detail\":");
  AppendOptionalText(out, s.detail);
  out->append(",\"resource_uri\":");
  AppendOptionalText(out, s.resource_uri);
  out->append(",\"timepoint\":");
  out->append(s.timepoint ? std::to_string(*s.timepoint) : "null");
  out->push_back('}');
}

std::optional<std::string_view> StatusChangeSignal(std::optional<std::string_view> old_status,
                                                   std::optional<std::string_view> old_detail,
                                                   std::optional<std::string_view> new_status,
                                                   std::optional<std::string_view> new_detail) {
  if (new_status == kDissolved && old_status != kDissolved) return "dissolved";
  if (new_detail == kProposal && old_detail != kProposal) return "proposal-to-strike-off";
  return std::nullopt;
}

}  // namespace ch
