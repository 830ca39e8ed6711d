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
    case ConnectionResult::End::kTlsCertificate:
      return "tls-certificate";
    case ConnectionResult::End::kTlsError:
      return "tls-error";
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

std::string TlsProblemOf(std::string_view error) {
  std::string lower(error);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  const auto has = [&lower](const char* part) { return lower.find(part) != std::string::npos; };
  if (has("expired")) return "certificate-expired";
  if (has("subject name") || has("host name") || has("hostname")) return "host-name-mismatch";
  if (has("issuer") || has("self-signed") || has("self signed") || has("unknown ca") ||
      has("untrusted")) {
    return "untrusted-issuer";
  }
  return "";
}

bool HandshakeCutOff(std::string_view error) {
  // libcurl 7.88 with OpenSSL 3 (measured against a listener that closes
  // or resets each connection, tests/e2e/49_fetch_tls.sh): a close gives
  // SSL_ERROR_SYSCALL, a reset "Recv failure: Connection reset by peer".
  // OpenSSL names an orderly close mid-record "unexpected eof".
  for (const char* part : {"SSL_ERROR_SYSCALL", "Connection reset by peer", "Recv failure",
                           "Send failure", "unexpected eof"}) {
    if (error.find(part) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace ch
