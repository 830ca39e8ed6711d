// EventTimepoint: reads event.timepoint from one stream line without
// building a DOM. ch-fetch needs only this one number per line (to know
// where to resume) and sees every line of a backlog replay, so it walks the
// line's structure once, jumping over strings with memchr, instead of
// parsing it fully; ch-parse does the full validation downstream.
//
// The walk still checks the outline of the line (one object, balanced
// brackets, closed strings, nothing after it), so a cut-off or garbled line
// never yields a timepoint and never moves the resume point.
#ifndef CH_FETCH_EVENT_TIMEPOINT_H_
#define CH_FETCH_EVENT_TIMEPOINT_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace ch {

// The first top-level "event" member's "timepoint", when it is a
// non-negative integer (a JSON number without fraction or exponent, or a
// string of digits, as ch-parse also accepts) and the line is a well-formed
// object as far as the outline goes; nullopt otherwise.
std::optional<int64_t> ScanEventTimepoint(std::string_view line);

}  // namespace ch

#endif  // CH_FETCH_EVENT_TIMEPOINT_H_
