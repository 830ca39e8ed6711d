// RetryAfter: the value of a 429's Retry-After header as a wait in seconds.
// RFC 9110 allows delay-seconds ("120") or an HTTP-date; both are read. The
// wait is what the server asked for, so it is never capped by --backoff-max.
#ifndef CH_FETCH_RETRY_AFTER_H_
#define CH_FETCH_RETRY_AFTER_H_

#include <ctime>
#include <optional>
#include <string_view>

namespace ch {

// Seconds to wait, or nullopt when `value` is neither form. A date in the
// past means 0. `now` is the current wall-clock time (for the date form).
std::optional<double> ParseRetryAfter(std::string_view value, std::time_t now);

}  // namespace ch

#endif  // CH_FETCH_RETRY_AFTER_H_
