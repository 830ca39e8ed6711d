// FetchOptions: see fetch_options.h. Boost.Program_options does the type
// conversion (a non-number is its invalid-value error, exit 78); the checks
// that need more than a type live in ValidateFetchOptions.
#include "ch-fetch/fetch_options.h"

#include <cmath>

#include "ch-fetch/ca_bundle.h"
#include "ch-fetch/stream_url.h"
#include "common/exit_code.h"
#include "common/log.h"

namespace ch {

namespace {

constexpr const char* kSynopsis = "[--url URL] [--stream NAME] [--timepoint N] [options]";
constexpr const char* kDescription =
    "Follows a Companies House stream and writes its event lines to stdout exactly as\n"
    "received, one per line, plus gap control lines; logs go to stderr. The key comes\n"
    "from CH_STREAM_KEY, or from the file named by CH_STREAM_KEY_FILE (re-read at each\n"
    "connection), never from the command line.";

// The timepoint is read as text so that an empty CH_TIMEPOINT (as a cron
// line or a script may leave it) means "unset" rather than an error.
Status ParseTimepoint(const std::string& text, std::optional<int64_t>* out) {
  if (text.empty()) {
    out->reset();
    return Status::Ok();
  }
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10) {
      return Status::Config("invalid value for --timepoint/CH_TIMEPOINT: '" + text +
                            "' (a non-negative integer)");
    }
    value = value * 10 + (c - '0');
  }
  *out = value;
  return Status::Ok();
}

Status CheckPositive(double value, const char* name) {
  if (!std::isfinite(value) || value <= 0) {
    return Status::Config(std::string("invalid value for ") + name + ": must be a number above 0");
  }
  return Status::Ok();
}

}  // namespace

std::optional<int> ParseFetchOptions(int argc, char** argv, FetchOptions* options) {
  OptionParser parser("ch-fetch", kSynopsis, kDescription);
  const FetchOptions defaults;
  std::string timepoint_text;
  std::string on_gap_text;
  parser.Add("url", "CH_STREAM_URL", &options->url, defaults.url,
             "base URL of the streaming service");
  parser.Add("stream", "CH_STREAM", &options->stream, defaults.stream,
             "stream name (the path requested)");
  parser.Add("timepoint", "CH_TIMEPOINT", &timepoint_text, std::string(),
             "first timepoint to ask for; unset: start live (and emit a started-live gap)");
  parser.Add("idle-timeout", "CH_IDLE_TIMEOUT", &options->idle_timeout, defaults.idle_timeout,
             "seconds without a byte (heartbeats count) before reconnecting");
  parser.Add("first-byte-timeout", "CH_FIRST_BYTE_TIMEOUT", &options->first_byte_timeout,
             defaults.first_byte_timeout,
             "seconds allowed for the first byte of a response (never less than --idle-timeout)");
  parser.Add("connect-timeout", "CH_CONNECT_TIMEOUT", &options->connect_timeout,
             defaults.connect_timeout, "seconds for the TCP and TLS handshakes");
  parser.Add("backoff-initial", "CH_BACKOFF_INITIAL", &options->backoff_initial,
             defaults.backoff_initial, "first reconnect delay in seconds (fractions allowed)");
  parser.Add("backoff-max", "CH_BACKOFF_MAX", &options->backoff_max, defaults.backoff_max,
             "cap on the reconnect delay in seconds");
  parser.Add("retry-429", "CH_RETRY_429", &options->retry_429, defaults.retry_429,
             "seconds to wait after a 429 without Retry-After");
  parser.Add(
      "breaker-threshold", "CH_BREAKER_THRESHOLD", &options->breaker_threshold,
      defaults.breaker_threshold,
      "consecutive failed connections before the circuit breaker opens (waits --backoff-max)");
  parser.Add("max-line-bytes", "CH_MAX_LINE_BYTES", &options->max_line_bytes,
             defaults.max_line_bytes,
             "longest line passed on; longer lines are dropped, logged and counted");
  parser.Add("cacert", "CH_CACERT", &options->cacert, defaults.cacert,
             "CA bundle (PEM) for a private CA; certificates are always verified");
  parser.Add("on-gap", "CH_ON_GAP", &on_gap_text, std::string("continue"),
             "on a 416 (timepoint gone): 'continue' live after a gap line, or 'exit' 65 after it");
  parser.Add("key-file-wait", "CH_KEY_FILE_WAIT", &options->key_file_wait, defaults.key_file_wait,
             "1: when CH_STREAM_KEY_FILE yields no key at start (missing, unreadable, empty), "
             "wait for it instead of exiting 78 (pipeline.sh sets it after its first chain)");
  parser.AddSwitch("check-config", &options->check_config,
                   "check the options and the stream key, then exit: 0, or 78 with the error; "
                   "nothing is fetched");
  if (auto exit = parser.Parse(argc, argv)) return exit;
  options->common = parser.common();

  Status s = ParseTimepoint(timepoint_text, &options->timepoint);
  if (s.ok()) {
    if (on_gap_text == "continue") {
      options->on_gap = OnGap::kContinue;
    } else if (on_gap_text == "exit") {
      options->on_gap = OnGap::kExit;
    } else {
      s = Status::Config("invalid value for --on-gap/CH_ON_GAP: '" + on_gap_text +
                         "' (use continue or exit)");
    }
  }
  if (!s.ok()) {
    LogError(s.message(), {{"exit_code", kExitConfig}});
    return kExitConfig;
  }
  return std::nullopt;
}

Status ValidateFetchOptions(const FetchOptions& options) {
  StatusOr<StreamUrl> url = ParseStreamUrl(options.url, "--url/CH_STREAM_URL");
  if (!url.ok()) return url.status();
  if (!IsValidStreamName(options.stream)) {
    return Status::Config("invalid value for --stream/CH_STREAM: '" + options.stream +
                          "' (1-64 of letters, digits, '-', '_')");
  }
  Status s = CheckPositive(options.idle_timeout, "--idle-timeout/CH_IDLE_TIMEOUT");
  if (s.ok())
    s = CheckPositive(options.first_byte_timeout, "--first-byte-timeout/CH_FIRST_BYTE_TIMEOUT");
  if (s.ok()) s = CheckPositive(options.connect_timeout, "--connect-timeout/CH_CONNECT_TIMEOUT");
  if (s.ok()) s = CheckPositive(options.backoff_initial, "--backoff-initial/CH_BACKOFF_INITIAL");
  if (s.ok()) s = CheckPositive(options.backoff_max, "--backoff-max/CH_BACKOFF_MAX");
  if (!s.ok()) return s;
  if (options.backoff_initial > options.backoff_max) {
    return Status::Config(
        "invalid value for --backoff-initial/CH_BACKOFF_INITIAL: above "
        "--backoff-max/CH_BACKOFF_MAX");
  }
  if (!std::isfinite(options.retry_429) || options.retry_429 < 0) {
    return Status::Config(
        "invalid value for --retry-429/CH_RETRY_429: must be a number of seconds >= 0");
  }
  if (options.breaker_threshold < 1) {
    return Status::Config(
        "invalid value for --breaker-threshold/CH_BREAKER_THRESHOLD: must be at least 1");
  }
  if (options.max_line_bytes < 1) {
    return Status::Config(
        "invalid value for --max-line-bytes/CH_MAX_LINE_BYTES: must be at least 1");
  }
  if (!options.cacert.empty()) return CheckCaBundleFile(options.cacert, "--cacert/CH_CACERT");
  return Status::Ok();
}

}  // namespace ch
