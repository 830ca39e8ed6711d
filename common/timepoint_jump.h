// The farthest a stream's timepoint may jump ahead of the point a program
// resumes from, shared by ch-fetch (its resume point) and ch-store (its
// checkpoint).
//
// A stream's timepoints count its events (the busiest, filings, was at about
// 1.4e8 in 2023, after years): no outage or live restart moves one by 2^32.
// An event that does (a corrupt or hostile line; 2^63-1 is a valid JSON
// integer) would become the resume point, and every real event after it
// would be skipped as already seen, for good. So it is not trusted: ch-store
// stores it as a reject, which moves no checkpoint (DESIGN.md: "no usable
// timepoint"), and ch-fetch passes it on without asking the service to
// resume after it. With nothing to resume from, the count starts at 0: the
// first event is trusted up to 2^32, so that a far timepoint cannot poison a
// new database either (the real streams start in the millions).
#ifndef CH_COMMON_TIMEPOINT_JUMP_H_
#define CH_COMMON_TIMEPOINT_JUMP_H_

#include <cstdint>

namespace ch {

inline constexpr uint64_t kMaxTimepointJump = uint64_t{1} << 32;

// True when `timepoint` is at most kMaxTimepointJump past `from` (or not
// past it at all).
inline bool WithinTimepointJump(int64_t timepoint, int64_t from) {
  // As unsigned: the distance between any two int64 values fits.
  return timepoint <= from ||
         static_cast<uint64_t>(timepoint) - static_cast<uint64_t>(from) <= kMaxTimepointJump;
}

}  // namespace ch

#endif  // CH_COMMON_TIMEPOINT_JUMP_H_
