// RetryAfter: see retry_after.h. The date form is parsed by curl_getdate,
// which understands the three date formats HTTP has used.
#include "ch-fetch/retry_after.h"

#include <curl/curl.h>

#include <string>

namespace ch {

namespace {

// A day; a longer wait is more likely a misreading than an instruction.
constexpr double kMaxRetryAfterSeconds = 86400;

}  // namespace

std::optional<double> ParseRetryAfter(std::string_view value, std::time_t now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  // delay-seconds; a fraction is not in the RFC but costs nothing to honour.
  bool number = value.front() != '.' && value.back() != '.';
  int dots = 0;
  for (char c : value) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      number = false;
    }
  }
  if (number && dots <= 1) {
    if (value.size() > 12) return kMaxRetryAfterSeconds;
    const double seconds = std::stod(std::string(value));
    return seconds > kMaxRetryAfterSeconds ? kMaxRetryAfterSeconds : seconds;
  }
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  if (when <= now) return 0.0;
  const double seconds = static_cast<double>(when - now);
  return seconds > kMaxRetryAfterSeconds ? kMaxRetryAfterSeconds : seconds;
}

}  // namespace ch
