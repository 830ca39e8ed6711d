// RetryAfter: see retry_after.h. The date form is parsed by curl_getdate,
// which understands the three date formats HTTP has used.
#include "ch-fetch/retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace ch {

namespace {

// Longer numbers are absurd anyway; reading them would only risk overflow.
constexpr size_t kMaxDigits = 12;
constexpr double kAbsurdSeconds = 1e12;

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
    if (value.size() > kMaxDigits) return kAbsurdSeconds;
    return std::stod(std::string(value));
  }
  const std::string text(value);
  const std::time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  if (when <= now) return 0.0;
  return static_cast<double>(when - now);
}

double RetryAfterCap(double backoff_max, double retry_429) {
  return std::max(backoff_max, retry_429);
}

RateLimitWait RetryAfterWait(const std::optional<std::string_view>& retry_after, std::time_t now,
                             double default_wait, double cap) {
  RateLimitWait wait;
  wait.seconds = default_wait;
  if (retry_after) wait.requested = ParseRetryAfter(*retry_after, now);
  if (wait.requested) {
    wait.capped = *wait.requested > cap;
    wait.seconds = wait.capped ? cap : *wait.requested;
  }
  return wait;
}

}  // namespace ch
