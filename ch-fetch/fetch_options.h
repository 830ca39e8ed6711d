// FetchOptions: everything ch-fetch can be told, from flags or CH_* variables
// (the flag wins), parsed and checked in one place so that a bad value stops
// the program with one clear line and exit 78 before any network work.
// The stream key is deliberately not here: it never comes from argv (see
// stream_key.h).
#ifndef CH_FETCH_FETCH_OPTIONS_H_
#define CH_FETCH_FETCH_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/options.h"
#include "common/status.h"

namespace ch {

/// What to do when the server answers 416 (the timepoint asked for is gone).
enum class OnGap {
  kContinue,  ///< emit a gap line and carry on live (default)
  kExit,      ///< emit a gap line and exit 65
};

struct FetchOptions {
  /// Base URL of the streaming service (--url, CH_STREAM_URL).
  std::string url = "https://stream.companieshouse.gov.uk";
  /// Stream name, the path requested (--stream, CH_STREAM).
  std::string stream = "companies";
  /// First timepoint wanted; unset = start live (--timepoint, CH_TIMEPOINT).
  std::optional<int64_t> timepoint;
  /// Seconds without a single byte, once the response has started, before
  /// the connection is replaced (--idle-timeout, CH_IDLE_TIMEOUT).
  double idle_timeout = 90;
  /// Seconds allowed for the first byte of a response; the effective limit
  /// is never below idle_timeout (--first-byte-timeout, CH_FIRST_BYTE_TIMEOUT).
  double first_byte_timeout = 60;
  /// Seconds for the TCP and TLS handshakes (--connect-timeout, CH_CONNECT_TIMEOUT).
  double connect_timeout = 20;
  /// First reconnect delay, seconds (--backoff-initial, CH_BACKOFF_INITIAL).
  double backoff_initial = 1;
  /// Cap on the reconnect delay (--backoff-max, CH_BACKOFF_MAX).
  double backoff_max = 300;
  /// Wait after a 429 without Retry-After (--retry-429, CH_RETRY_429).
  double retry_429 = 60;
  /// Consecutive failed connections that open the circuit breaker
  /// (--breaker-threshold, CH_BREAKER_THRESHOLD).
  int breaker_threshold = 5;
  /// Longest line passed on; longer ones are dropped and counted
  /// (--max-line-bytes, CH_MAX_LINE_BYTES).
  int64_t max_line_bytes = 8 << 20;
  /// CA bundle for private CAs; empty = the system store (--cacert, CH_CACERT).
  std::string cacert;
  /// Policy for a 416 (--on-gap, CH_ON_GAP).
  OnGap on_gap = OnGap::kContinue;
  /// With CH_STREAM_KEY_FILE: when the file yields no key at start (missing,
  /// unreadable, a directory, empty), wait for it instead of exiting 78
  /// (--key-file-wait, CH_KEY_FILE_WAIT). pipeline.sh sets it for every
  /// chain after its first, so only its first start treats such a file as
  /// a configuration error.
  bool key_file_wait = false;
  /// --check-config: check the options and the stream key, then exit (0,
  /// or 78 with the one error line) without fetching. pipeline.sh asks it
  /// before any database or network work.
  bool check_config = false;
  /// Log level and metrics directory, shared by every program.
  CommonOptions common;
};

// Parses argv and the environment into `options`. Returns nullopt to carry
// on, or the exit code to return now: 0 after --help/--version, 64 for a
// usage error, 78 for an invalid value (reported on stderr, naming the flag
// and its variable).
std::optional<int> ParseFetchOptions(int argc, char** argv, FetchOptions* options);

// Checks values that parse but make no sense (negative timeouts, initial
// backoff above the maximum, a URL that is not http(s), ...). A Config
// status names the flag and variable.
Status ValidateFetchOptions(const FetchOptions& options);

}  // namespace ch

#endif  // CH_FETCH_FETCH_OPTIONS_H_
