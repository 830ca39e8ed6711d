// Connector: see connector.h.
#include "ch-fetch/connector.h"

namespace ch {

const char* EndName(ConnectionResult::End end) {
  switch (end) {
    case ConnectionResult::End::kCleanEnd:
      return "clean-end";
    case ConnectionResult::End::kHttpStatus:
      return "http-status";
    case ConnectionResult::End::kNetworkError:
      return "network-error";
    case ConnectionResult::End::kFirstByteTimeout:
      return "first-byte-timeout";
    case ConnectionResult::End::kIdleTimeout:
      return "stall";
    case ConnectionResult::End::kStopped:
      return "stopped";
    case ConnectionResult::End::kSinkFailed:
      return "output-failed";
  }
  return "unknown";
}

}  // namespace ch
