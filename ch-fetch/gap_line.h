// GapLine: the in-band control line by which ch-fetch says "events are
// missing here" (DESIGN.md). It travels on stdout between event lines so it
// is ordered and committed with the data: ch-parse passes it on and ch-store
// records it in `gaps`.
//   {"gap":{"stream":"companies","after_timepoint":N,"reason":"timepoint-out-of-range"}}
//   {"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}}
#ifndef CH_FETCH_GAP_LINE_H_
#define CH_FETCH_GAP_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

inline constexpr std::string_view kGapTimepointOutOfRange = "timepoint-out-of-range";
inline constexpr std::string_view kGapStartedLive = "started-live";

// The gap line, without its '\n'. `after_timepoint` is the last timepoint
// known to be delivered (null when there is none).
std::string GapLine(std::string_view stream, std::optional<int64_t> after_timepoint,
                    std::string_view reason);

}  // namespace ch

#endif  // CH_FETCH_GAP_LINE_H_
