// Signal rules: see signal_rules.h. The spellings are Companies House's own
// (STREAMS.md Q2: the filing-history transform rules; the insolvency case
// type enumeration).
#include "ch-parse/signal_rules.h"

#include <cstddef>

namespace ch {

namespace {

struct Rule {
  std::string_view match;
  std::string_view signal;
};

constexpr std::string_view kApplied = "strike-off-applied";
constexpr std::string_view kGazetted = "strike-off-gazetted";
constexpr std::string_view kHalted = "strike-off-halted";
constexpr std::string_view kDissolved = "dissolved";

constexpr Rule kFilingTypes[] = {
    {"DS01", kApplied},        {"LLDS01", kApplied},    //
    {"GAZ1", kGazetted},       {"GAZ1(A)", kGazetted},  //
    {"DS02", kHalted},         {"LLDS02", kHalted},     //
    {"SOAS(A)", kHalted},      {"SOAD(A)", kHalted},    //
    {"DISS16(SOAS)", kHalted}, {"DISS40", kHalted},     //
    {"GAZ2", kDissolved},      {"GAZ2(A)", kDissolved},
};

// For a filing without a type. "compulsary" is a misspelt key that the
// description enumeration keeps beside the right one.
constexpr Rule kFilingDescriptions[] = {
    {"dissolution-application-strike-off-company", kApplied},
    {"dissolution-application-strike-off-limited-liability-partnership", kApplied},
    {"gazette-notice-voluntary", kGazetted},
    {"gazette-notice-compulsory", kGazetted},
    {"gazette-notice-compulsary", kGazetted},
    {"dissolution-withdrawal-application-strike-off-company", kHalted},
    {"dissolution-withdrawal-application-strike-off-limited-liability-partnership", kHalted},
    {"dissolution-voluntary-strike-off-suspended", kHalted},
    {"dissolution-voluntary-strike-off-discontinued", kHalted},
    {"dissolved-compulsory-strike-off-suspended", kHalted},
    {"gazette-filings-brought-up-to-date", kHalted},
    {"gazette-dissolved-voluntary", kDissolved},
    {"gazette-dissolved-compulsory", kDissolved},
    {"gazette-dissolved-liquidation", kDissolved},
    {"gazette-dissolved-statutory-instrument", kDissolved},
};

// members-voluntary-liquidation is a solvent wind-up: a signal of its own,
// which the leads view leaves out.
constexpr Rule kCaseTypes[] = {
    {"compulsory-liquidation", "liquidation"},
    {"creditors-voluntary-liquidation", "liquidation"},
    {"in-administration", "administration"},
    {"administration-order", "administration"},
    {"administrative-receiver", "receivership"},
    {"receiver-manager", "receivership"},
    {"scottish-administrative-receiver", "receivership"},
    {"corporate-voluntary-arrangement", "voluntary-arrangement"},
    {"corporate-voluntary-arrangement-moratorium", "voluntary-arrangement"},
    {"moratorium", "voluntary-arrangement"},
    {"members-voluntary-liquidation", "members-voluntary-liquidation"},
};

template <size_t N>
std::optional<std::string_view> Find(const Rule (&rules)[N], std::string_view text) {
  for (const Rule& rule : rules) {
    if (rule.match == text) return rule.signal;
  }
  return std::nullopt;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> SignalForFilingType(std::string_view type) {
  return Find(kFilingTypes, type);
}

std::optional<std::string_view> SignalForFilingDescription(std::string_view description) {
  return Find(kFilingDescriptions, Trim(description));
}

std::optional<std::string_view> SignalForCaseType(std::string_view case_type) {
  return Find(kCaseTypes, case_type);
}

std::optional<std::string_view> NormalizeFilingType(std::string_view type, char* buffer,
                                                    size_t capacity) {
  type = Trim(type);
  if (type.size() > capacity) return std::nullopt;
  for (size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    buffer[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return std::string_view(buffer, type.size());
}

}  // namespace ch
