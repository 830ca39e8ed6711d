// ValidStreamName: what ch-parse and ch-store accept as a stream name
// (--stream/CH_STREAM). The name keys stream_state and names the stages'
// metrics files (ch-store-<stream>.prom), so nothing that could leave the
// metrics directory: letters, digits, '-', '_' and '.', at most 100 bytes.
// ch-fetch is stricter (a URL path segment: ch-fetch/stream_url.h).
#ifndef COMMON_STREAM_NAME_H_
#define COMMON_STREAM_NAME_H_

#include <string_view>

namespace ch {

bool ValidStreamName(std::string_view name);

// The rule above in words, for error messages.
inline constexpr const char* kStreamNameRule = "letters, digits, '-', '_' and '.'";

}  // namespace ch

#endif  // COMMON_STREAM_NAME_H_
