// Signal: one row of `signals`, an event a lead team acts on (a strike-off
// application, a Gazette notice, a dissolution, an insolvency case, a status
// change into a strike-off proposal...), as ch-store reports it with
// --emit-changes: one NDJSON line per signal after the transaction holding
// it has committed. Also the rule that turns a status change into a signal.
#ifndef CH_STORE_SIGNAL_H_
#define CH_STORE_SIGNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

struct Signal {
  int64_t id = 0;
  std::string signal;
  std::string stream;
  std::optional<std::string> company_number;
  std::optional<std::string> company_name;  // the stored company's, when known
  std::optional<std::string> occurred_on;
  std::optional<std::string> published_at;
  std::optional<std::string> detail;
  std::optional<std::string> resource_uri;
  std::optional<int64_t> timepoint;
};

// Appends the signal as one JSON object (no newline), "signal_id" first so
// that a reader of --emit-changes tells it from a status change ("id"):
// {"signal_id":..,"signal":..,"stream":..,"company_number":..,"company_name":..,
//  "occurred_on":..,"published_at":..,"detail":..,"resource_uri":..,"timepoint":..};
// absent values are null.
void AppendSignalJson(std::string* out, const Signal& signal);

// The signal a status change gives, if any (the phase-1 leads view's rule):
// "dissolved" when the new status is dissolved and the old one is not;
// else "proposal-to-strike-off" when the new detail is
// active-proposal-to-strike-off and the old one is not. At most one.
std::optional<std::string_view> StatusChangeSignal(std::optional<std::string_view> old_status,
                                                   std::optional<std::string_view> old_detail,
                                                   std::optional<std::string_view> new_status,
                                                   std::optional<std::string_view> new_detail);

}  // namespace ch

#endif  // CH_STORE_SIGNAL_H_
