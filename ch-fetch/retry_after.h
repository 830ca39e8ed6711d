// RetryAfter: the value of a 429's Retry-After header as a wait in seconds.
// RFC 9110 allows delay-seconds ("120") or an HTTP-date; both are read.
//
// The server says how long to wait, but one bogus header must not pause
// ingestion for a day: the wait is capped at RetryAfterCap(), the longer of
// the two waits ch-fetch would choose by itself (--backoff-max, 300 s by
// default, and --retry-429, 60 s), and the fetch loop logs each cap.
#ifndef CH_FETCH_RETRY_AFTER_H_
#define CH_FETCH_RETRY_AFTER_H_

#include <ctime>
#include <optional>
#include <string_view>

namespace ch {

// Seconds the server asked for, or nullopt when `value` is neither form. A
// date in the past means 0. `now` is the current wall-clock time (for the
// date form). Not capped (see RetryAfterWait).
std::optional<double> ParseRetryAfter(std::string_view value, std::time_t now);

// The most a Retry-After is honoured: max(backoff_max, retry_429).
double RetryAfterCap(double backoff_max, double retry_429);

struct RateLimitWait {
  /// Seconds to wait before the next connection.
  double seconds = 0;
  /// What Retry-After asked for, when it was present and readable.
  std::optional<double> requested;
  /// The request was longer than the cap, so `seconds` is the cap.
  bool capped = false;
};

// The wait after a 429: Retry-After (`retry_after`, when sent and readable)
// up to `cap`, else `default_wait` (--retry-429).
RateLimitWait RetryAfterWait(const std::optional<std::string_view>& retry_after, std::time_t now,
                             double default_wait, double cap);

}  // namespace ch

#endif  // CH_FETCH_RETRY_AFTER_H_
