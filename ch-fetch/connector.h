// Connector: one HTTP request to the stream, from the request line to the
// end of the response, as seen by the fetch loop. The loop (fetcher.h)
// decides what to ask for and what to do next; a Connector only carries one
// attempt out and says how it ended. The interface is the seam where unit
// tests put a scripted fake instead of the network.
#ifndef CH_FETCH_CONNECTOR_H_
#define CH_FETCH_CONNECTOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ch {

struct ConnectionRequest {
  /// The full request URL; carries no credentials, but its query is not
  /// logged (see redact.h).
  std::string url;
  /// The stream key (HTTP Basic user name, empty password).
  std::string key;
  /// CA bundle; empty = the system store.
  std::string cacert;
  /// Never use a proxy (set for loopback URLs: a proxy from the environment
  /// cannot reach our own 127.0.0.1).
  bool no_proxy = false;
  double connect_timeout = 20;
  /// Seconds until the first byte of the response.
  double first_byte_timeout = 90;
  /// Seconds without a byte once the response has started.
  double idle_timeout = 90;
  size_t max_line_bytes = 8u << 20;
};

// Where a connection delivers what it reads. Every method returns false to
// abort the transfer (stdout failed), which ends it with kSinkFailed.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // The response is a 200 and its headers are complete: the stream starts.
  virtual bool OnStreamStart() = 0;
  // One complete, non-blank line of the body, without its '\n'.
  virtual bool OnEventLine(std::string_view line) = 0;
  // Bytes of a line longer than max_line_bytes, in order, as they come;
  // then OnOversizedLine ends it (also when the connection cut it off).
  virtual bool OnOversizedPiece(std::string_view bytes) {
    (void)bytes;
    return true;
  }
  // A line longer than max_line_bytes ended; `length` is its size.
  virtual bool OnOversizedLine(uint64_t length) = 0;
  // Everything received so far has been handed over and nothing more is
  // waiting: the moment to flush.
  virtual bool OnDrained() = 0;
  // `n` bytes arrived (status line, headers, body, heartbeats: any byte
  // proves the connection alive, though only a 200 stream's prove the
  // stream alive). Cannot fail.
  virtual void OnBytes(uint64_t n) = 0;
  // Called about every 100 ms while the connection is open.
  virtual bool OnTick() = 0;
};

struct ConnectionResult {
  enum class End {
    kCleanEnd,          ///< a 200 body ended with its terminating chunk
    kHttpStatus,        ///< the answer was not 200 (see http_status)
    kNetworkError,      ///< connect failure, reset, body cut off (see error)
    kTlsCertificate,    ///< the server's certificate failed verification (see
                        ///< error and tls_problem); never a fallback
    kTlsError,          ///< another TLS failure: handshake, the CA bundle (see error)
    kFirstByteTimeout,  ///< nothing arrived within first_byte_timeout
    kIdleTimeout,       ///< the response started, then idle_timeout without a byte
    kStopped,           ///< a stop signal arrived
    kSinkFailed,        ///< the sink returned false
  };
  End end = End::kNetworkError;
  /// True once a 200's headers were complete.
  bool stream_started = false;
  /// The final status code; 0 when no status line arrived.
  long http_status = 0;
  /// Retry-After as sent, when it was.
  std::optional<std::string> retry_after;
  /// libcurl's description of a network error (redacted like body_excerpt).
  std::string error;
  /// kTlsCertificate: "certificate-expired", "host-name-mismatch",
  /// "untrusted-issuer", or empty when libcurl's message says none of these.
  std::string tls_problem;
  /// The first bytes of a non-200 body, for the log (credentials and URL
  /// queries already redacted: see redact.h).
  std::string body_excerpt;
  /// Bytes received: headers and body (heartbeats included).
  uint64_t bytes = 0;
  /// Lines passed to OnEventLine.
  uint64_t lines = 0;
  /// Blank lines received (heartbeats); not passed on.
  uint64_t heartbeats = 0;
  /// Bytes of a last line cut off without its '\n'; never passed on.
  uint64_t dropped_partial_bytes = 0;
  /// Seconds from the start of the attempt to its end.
  double duration = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual ConnectionResult Connect(const ConnectionRequest& request, StreamSink* sink) = 0;
};

// A short name for an end, for logs and metric labels ("clean-end", ...).
const char* EndName(ConnectionResult::End end);

// What a certificate failure's message (libcurl's, from OpenSSL) says went
// wrong: "certificate-expired", "host-name-mismatch", "untrusted-issuer", or
// empty.
std::string TlsProblemOf(std::string_view error);

// Whether a failed TLS handshake's message (libcurl's, from OpenSSL) says
// the peer closed or reset the connection during the handshake, rather than
// that the two sides disagreed. A server that is restarting does that: it is
// a network error to retry quietly, not a TLS problem someone must fix.
bool HandshakeCutOff(std::string_view error);

}  // namespace ch

#endif  // CH_FETCH_CONNECTOR_H_
