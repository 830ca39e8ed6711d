// Status and category texts mapped to the stream's keys.
//
// The stream sends keys (`active`, `active-proposal-to-strike-off`), the bulk
// CSV sends human text (`Active - Proposal to Strike off`), and third-party
// data mixes them up (a detail key in company_status, a label in the detail).
// Every source goes through these functions so that a strike-off proposal is
// spelt the same way in the database whatever brought it. Matching is
// case-insensitive after trimming ASCII blanks (PROTOCOL.md). An unknown text
// is never turned into a guess: the caller keeps it raw and leaves the key
// null.
#ifndef CH_PARSE_STATUS_MAPPING_H_
#define CH_PARSE_STATUS_MAPPING_H_

#include <optional>
#include <string_view>

namespace ch {

inline constexpr std::string_view kStrikeOffDetail = "active-proposal-to-strike-off";

struct StatusKeys {
  // Empty optional: the text is unknown.
  std::optional<std::string_view> status;
  // The detail the status text itself implies (the strike-off label or key),
  // else none.
  std::optional<std::string_view> detail;
};

// A company_status key or CompanyStatus text -> keys. Known: the twelve
// status keys of PROTOCOL.md, the CSV texts of its table, and the strike-off
// detail key or label (-> active + active-proposal-to-strike-off).
StatusKeys MapCompanyStatus(std::string_view text);

// A company_status_detail value -> its key: a known detail key (any case) or
// the strike-off label. nullopt when unknown; the caller decides what an
// unknown detail becomes.
std::optional<std::string_view> MapStatusDetail(std::string_view text);

// A CSV CompanyCategory text -> company type key (`ltd`, `plc`, ...);
// nullopt when unknown.
std::optional<std::string_view> MapCompanyCategory(std::string_view text);

// ASCII blanks trimmed from both ends.
std::string_view TrimBlanks(std::string_view text);

}  // namespace ch

#endif  // CH_PARSE_STATUS_MAPPING_H_
