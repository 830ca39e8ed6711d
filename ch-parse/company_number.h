// Company numbers: the key of every company row, so every source must spell
// a number the same way. DESIGN.md: text of 1-10 characters A-Z0-9 after
// trimming and upper-casing; leading zeros and prefixes (SC, NI, OC, FC, ...)
// are part of the number. The bulk snapshot also drops leading zeros now and
// then, so all-digit bulk numbers are left-padded to the real 8 digits.
#ifndef CH_PARSE_COMPANY_NUMBER_H_
#define CH_PARSE_COMPANY_NUMBER_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace ch {

// A valid company number, held inline (no allocation on the hot path).
class CompanyNumber {
 public:
  static constexpr size_t kMaxLength = 10;
  std::string_view view() const { return std::string_view(text_, length_); }

 private:
  friend std::optional<CompanyNumber> NormalizeCompanyNumber(std::string_view text,
                                                             bool pad_all_digits);
  char text_[kMaxLength] = {};
  size_t length_ = 0;
};

// Trims ASCII blanks, upper-cases a-z and checks 1-10 characters of A-Z0-9.
// With pad_all_digits (bulk), an all-digit number shorter than 8 gets leading
// zeros up to 8. nullopt when the text is not a valid number.
std::optional<CompanyNumber> NormalizeCompanyNumber(std::string_view text, bool pad_all_digits);

// The jurisdiction implied by a number's prefix, for sources that do not
// say (the bulk CSV): SC -> scotland, NI -> northern-ireland, else
// england-wales. REQUIRES: a normalised number.
std::string_view JurisdictionForNumber(std::string_view number);

}  // namespace ch

#endif  // CH_PARSE_COMPANY_NUMBER_H_
