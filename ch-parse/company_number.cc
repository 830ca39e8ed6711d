// Company numbers: see company_number.h.
#include "ch-parse/company_number.h"

namespace ch {

namespace {

constexpr size_t kPaddedDigits = 8;

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

}  // namespace

std::optional<CompanyNumber> NormalizeCompanyNumber(std::string_view text, bool pad_all_digits) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  if (text.empty() || text.size() > CompanyNumber::kMaxLength) return std::nullopt;
  CompanyNumber number;
  bool all_digits = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c >= '0' && c <= '9') {
      // A digit.
    } else if (c >= 'A' && c <= 'Z') {
      all_digits = false;
    } else {
      return std::nullopt;
    }
    number.text_[i] = c;
  }
  number.length_ = text.size();
  if (pad_all_digits && all_digits && number.length_ < kPaddedDigits) {
    const size_t pad = kPaddedDigits - number.length_;
    for (size_t i = number.length_; i-- > 0;) number.text_[i + pad] = number.text_[i];
    for (size_t i = 0; i < pad; ++i) number.text_[i] = '0';
    number.length_ = kPaddedDigits;
  }
  return number;
}

std::string_view JurisdictionForNumber(std::string_view number) {
  if (number.size() >= 2) {
    const std::string_view prefix = number.substr(0, 2);
    if (prefix == "SC") return "scotland";
    if (prefix == "NI") return "northern-ireland";
  }
  return "england-wales";
}

}  // namespace ch
