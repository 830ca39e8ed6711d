// StreamUrl: the base URL of the streaming service, checked once at start
// (http or https only, no credentials, query or fragment in it), and the one
// place that builds the request URL `{base}/{stream}[?timepoint=N]`. The
// key travels in the Authorization header, never in the URL; still, logs
// show the URL without its query (the timepoint is a field of its own), and
// an error message never echoes a query (redact.h).
#ifndef CH_FETCH_STREAM_URL_H_
#define CH_FETCH_STREAM_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

struct StreamUrl {
  /// The URL as given, without trailing slashes.
  std::string base;
  /// "http" or "https".
  std::string scheme;
  /// Host name or address as written in the URL ("[::1]" for IPv6).
  std::string host;
  /// True for localhost, 127.0.0.0/8 and ::1.
  bool loopback = false;
};

// Parses and checks `url`. A Config status names `option_name` (for
// example "--url/CH_STREAM_URL"); the URL itself is echoed only when it
// carries no user information, which might be a key.
StatusOr<StreamUrl> ParseStreamUrl(const std::string& url, const std::string& option_name);

// True for stream names that are safe as one path segment: 1-64 of
// A-Z a-z 0-9 '-' '_'.
bool IsValidStreamName(std::string_view stream);

// True for "localhost", an IPv4 address in 127.0.0.0/8 and "::1" / "[::1]".
bool IsLoopbackHost(std::string_view host);

// "{base}/{stream}" plus "?timepoint=N" when a timepoint is given.
// REQUIRES: IsValidStreamName(stream)
std::string RequestUrl(const StreamUrl& url, std::string_view stream,
                       std::optional<int64_t> timepoint);

}  // namespace ch

#endif  // CH_FETCH_STREAM_URL_H_
