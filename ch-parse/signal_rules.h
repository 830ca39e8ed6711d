// Signal rules: which filings and insolvency cases are events a lead team
// acts on, and under which signal name (DESIGN.md "Every stream", the table
// of signals; /work/phase2-spec.md section 4). The filings and insolvency
// extractors ask here; the rules are data, one line per form type,
// description or case type, so that adding one is adding a line.
//
// Status-change signals (proposal-to-strike-off, dissolved from the
// companies stream) are ch-store's: they need the stored previous status.
#ifndef CH_PARSE_SIGNAL_RULES_H_
#define CH_PARSE_SIGNAL_RULES_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace ch {

// The signal of a filing's form type. REQUIRES: `type` trimmed and
// upper-cased ("GAZ1(A)"); see NormalizeFilingType.
std::optional<std::string_view> SignalForFilingType(std::string_view type);

// The signal of a filing that has no type, by its description key
// ("gazette-notice-voluntary"), matched exactly after trimming blanks.
std::optional<std::string_view> SignalForFilingDescription(std::string_view description);

// The signal of an insolvency case, by its type ("in-administration"),
// matched exactly.
std::optional<std::string_view> SignalForCaseType(std::string_view case_type);

// `type` with ASCII blanks trimmed and a-z upper-cased, into `buffer` (of
// `capacity` bytes); nullopt when it does not fit (form types are short: a
// longer text matches nothing anyway). A blank type gives "".
std::optional<std::string_view> NormalizeFilingType(std::string_view type, char* buffer,
                                                    size_t capacity);

}  // namespace ch

#endif  // CH_PARSE_SIGNAL_RULES_H_
