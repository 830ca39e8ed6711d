// Status and category texts: see status_mapping.h. Tables are small, so a
// lookup lower-cases into a stack buffer and scans an array: no allocation,
// and the common texts ("Active", "active") match on the first entry.
#include "ch-parse/status_mapping.h"

#include <cstddef>

namespace ch {

namespace {

struct StatusEntry {
  std::string_view text;  // lower case
  std::string_view status;
  std::string_view detail;  // empty: none
};

// Keys first (the stream), then PROTOCOL.md's CompanyStatus texts (the CSV).
constexpr StatusEntry kStatusTable[] = {
    {"active", "active", ""},
    {"dissolved", "dissolved", ""},
    {"liquidation", "liquidation", ""},
    {"receivership", "receivership", ""},
    {"converted-closed", "converted-closed", ""},
    {"voluntary-arrangement", "voluntary-arrangement", ""},
    {"insolvency-proceedings", "insolvency-proceedings", ""},
    {"administration", "administration", ""},
    {"open", "open", ""},
    {"closed", "closed", ""},
    {"registered", "registered", ""},
    {"removed", "removed", ""},
    // A detail key or label where the status belongs (third-party data).
    {"active-proposal-to-strike-off", "active", kStrikeOffDetail},
    {"active - proposal to strike off", "active", kStrikeOffDetail},
    {"in administration", "administration", ""},
    {"administration order", "administration", ""},
    {"in administration/receiver manager", "administration", ""},
    // Sources disagree on the next two; PROTOCOL.md picks these.
    {"in administration/administrative receiver", "administration", ""},
    {"live but receiver manager on at least one charge", "receivership", ""},
    {"receiver manager / administrative receiver", "receivership", ""},
    {"administrative receiver", "receivership", ""},
    {"voluntary arrangement", "voluntary-arrangement", ""},
    {"voluntary arrangement / administrative receiver", "voluntary-arrangement", ""},
    {"voluntary arrangement / receiver manager", "voluntary-arrangement", ""},
    {"converted/closed", "converted-closed", ""},
};

struct DetailEntry {
  std::string_view text;  // lower case
  std::string_view detail;
};

constexpr DetailEntry kDetailTable[] = {
    {"active-proposal-to-strike-off", kStrikeOffDetail},
    {"active - proposal to strike off", kStrikeOffDetail},
    {"petition-to-restore-dissolved", "petition-to-restore-dissolved"},
    {"transferred-from-uk", "transferred-from-uk"},
    {"transformed-to-se", "transformed-to-se"},
    {"converted-to-plc", "converted-to-plc"},
    {"converted-to-uk-societas", "converted-to-uk-societas"},
    {"converted-to-ukeig", "converted-to-ukeig"},
    // Rare, but seen in the API's detail field.
    {"active", "active"},
    {"dissolved", "dissolved"},
    {"converted-closed", "converted-closed"},
};

struct CategoryEntry {
  std::string_view text;  // lower case
  std::string_view type;
};

// PROTOCOL.md's table. The guarantee category carries a parenthesised
// explanation in the CSV ("PRI/LTD BY GUAR/NSC (Private, limited by
// guarantee, no share capital)"): the text before " (" is matched too.
constexpr CategoryEntry kCategoryTable[] = {
    {"private limited company", "ltd"},
    {"public limited company", "plc"},
    {"limited liability partnership", "llp"},
    {"limited partnership", "limited-partnership"},
    {"pri/ltd by guar/nsc", "private-limited-guarant-nsc"},
    {"private unlimited company", "private-unlimited"},
    {"charitable incorporated organisation", "charitable-incorporated-organisation"},
    {"other company type", "other"},
};

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

constexpr size_t kMaxKeyText = 96;  // longer than any table entry

// Lower-cases trimmed `text` into `buf`; false when it cannot be in a table.
bool LowerInto(std::string_view text, char (&buf)[kMaxKeyText], std::string_view* out) {
  text = TrimBlanks(text);
  if (text.empty() || text.size() > kMaxKeyText) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  *out = std::string_view(buf, text.size());
  return true;
}

}  // namespace

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

StatusKeys MapCompanyStatus(std::string_view text) {
  char buf[kMaxKeyText];
  std::string_view lower;
  if (!LowerInto(text, buf, &lower)) return {};
  for (const StatusEntry& e : kStatusTable) {
    if (e.text == lower) {
      StatusKeys keys;
      keys.status = e.status;
      if (!e.detail.empty()) keys.detail = e.detail;
      return keys;
    }
  }
  return {};
}

std::optional<std::string_view> MapStatusDetail(std::string_view text) {
  char buf[kMaxKeyText];
  std::string_view lower;
  if (!LowerInto(text, buf, &lower)) return std::nullopt;
  for (const DetailEntry& e : kDetailTable) {
    if (e.text == lower) return e.detail;
  }
  return std::nullopt;
}

std::optional<std::string_view> MapCompanyCategory(std::string_view text) {
  char buf[kMaxKeyText];
  std::string_view lower;
  if (!LowerInto(text, buf, &lower)) return std::nullopt;
  for (const CategoryEntry& e : kCategoryTable) {
    if (e.text == lower) return e.type;
  }
  const size_t paren = lower.find(" (");
  if (paren == std::string_view::npos || lower.back() != ')') return std::nullopt;
  lower = lower.substr(0, paren);
  for (const CategoryEntry& e : kCategoryTable) {
    if (e.text == lower) return e.type;
  }
  return std::nullopt;
}

}  // namespace ch
