// FetchMetricsReader: what `ch-store status` learns about ch-fetch from
// CH_METRICS_DIR/ch-fetch.prom, the Prometheus textfile that a running
// ch-fetch replaces atomically about every 2 seconds (and at once on a
// connection's start and end).
//
// Liveness is judged by local clocks only, never by the events' published_at
// (whose time zone is uncertain): the file's mtime says when ch-fetch last
// wrote it, and the ages inside were measured by ch-fetch at that moment, so
// the time since the last byte received is now = file age + the age inside.
// A file that has not been rewritten for long means ch-fetch is not running.
#ifndef CH_STORE_FETCH_METRICS_READER_H_
#define CH_STORE_FETCH_METRICS_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

/// The file ch-fetch writes in the metrics directory.
inline constexpr const char* kFetchMetricsFile = "ch-fetch.prom";

/// A ch-fetch.prom older than this (seconds) is a ch-fetch that is not
/// running: a running one rewrites it about every 2 s.
inline constexpr double kFetchMetricsStaleSeconds = 30;

/// One reading of ch-fetch.prom. Each metric is unset when the file lacks it.
struct FetchMetricsReading {
  /// When ch-fetch wrote the file (its mtime, seconds since the epoch).
  double written_at = 0;
  /// Seconds between that write and the reading (never negative).
  double file_age_seconds = 0;
  /// chstream_connected: a 200 stream is open.
  std::optional<bool> connected;
  /// chstream_breaker_open: the circuit breaker is open.
  std::optional<bool> breaker_open;
  /// chstream_consecutive_failures: connections in a row without a 200.
  std::optional<int64_t> consecutive_failures;
  /// Seconds since ch-fetch last received a byte of a 200 stream (error
  /// answers do not count), at the time of the reading: file_age_seconds +
  /// chstream_last_byte_age_seconds.
  std::optional<double> last_byte_age_seconds;
  /// Seconds since a 200 stream was last open (0 while one is), at the time
  /// of the reading: file_age_seconds + chstream_disconnected_seconds.
  std::optional<double> disconnected_seconds;
  /// The reason label of chstream_last_attempt: how the last connection
  /// attempt ended ("rate-limited", "server-error", ...).
  std::optional<std::string> last_attempt;
  /// Its detail label, set for a TLS certificate failure
  /// ("certificate-expired", "host-name-mismatch", "untrusted-issuer").
  std::optional<std::string> last_attempt_detail;
  /// chstream_last_http_status: that attempt's HTTP status (0: none).
  std::optional<int64_t> last_http_status;
  /// chstream_events_total: event lines ch-fetch has written since it started.
  std::optional<double> events_total;
  /// chstream_last_event_timepoint: the last timepoint ch-fetch flushed.
  std::optional<int64_t> last_event_timepoint;
};

// The samples of a Prometheus text exposition, by metric name without its
// labels ("chstream_connected{program=\"ch-fetch\"} 1" -> {"chstream_connected", 1});
// samples of one name with different labels are summed. Comments, blank and
// malformed lines are skipped.
std::map<std::string, double> ParsePromSamples(std::string_view text);

// The value of label `label` of the first sample of `metric` (a full name,
// "chstream_last_attempt") in a Prometheus text exposition; unset when
// there is no such sample or label.
std::optional<std::string> FindPromLabel(std::string_view text, std::string_view metric,
                                         std::string_view label);

// The reading of a ch-fetch.prom text written at `written_at` and read at
// `now` (both seconds since the epoch). Pure.
FetchMetricsReading InterpretFetchMetrics(std::string_view text, double written_at, double now);

// Reads `stream`'s ch-fetch file in `dir` (ch-fetch.prom for companies,
// ch-fetch-<stream>.prom for another: common/metrics.h) now. Unset when the
// file does not exist; an error when it exists but cannot be read.
StatusOr<std::optional<FetchMetricsReading>> ReadFetchMetrics(
    const std::string& dir, const std::string& stream = "companies");

/// What status learns of any stage (ch-fetch, ch-parse, ch-store) from its
/// metrics file: its heartbeat and whether its output is blocked. Every
/// stage rewrites its file about every 2 s while it runs, idle or busy,
/// and every second while its output is blocked, so an old file is a stage
/// that has stopped making progress (stopped, hung or gone).
struct StageReading {
  /// Seconds since the stage last wrote the file (never negative).
  double file_age_seconds = 0;
  /// How long its output has been blocked, waiting for the next stage to
  /// read, at the time of the reading: 0 when not blocked, else
  /// chstream_output_blocked_seconds plus the file's age (a stage stopped
  /// while blocked stops rewriting the file, and its wait goes on). Unset
  /// when the file has no such sample (an older stage).
  std::optional<double> output_blocked_seconds;
};

// The reading of a stage's file text written at `written_at`, read at
// `now` (seconds since the epoch). Pure.
StageReading InterpretStageMetrics(std::string_view text, double written_at, double now);

// Reads `program`'s file for `stream` in `dir` (MetricsFileName). Unset when
// the file is missing or unreadable: a stage not judged.
std::optional<StageReading> ReadStageMetrics(const std::string& dir, const std::string& program,
                                             const std::string& stream);

// Events per minute between two readings of the same ch-fetch (by their
// write times). Unset when it cannot be told: no counter, no time between
// them, or a counter that went back (ch-fetch restarted in between).
std::optional<double> EventsPerMinute(const FetchMetricsReading& earlier,
                                      const FetchMetricsReading& later);

// Reads ch-fetch.prom and, when it is fresh, waits (at most `max_wait_seconds`)
// for a rewrite by ch-fetch at least a second later, to measure the events
// per minute between the two (ch-fetch keeps no rate itself). Returns the
// newer reading. `*events_per_minute` stays unset when the file is missing
// or stale or was not rewritten in time.
StatusOr<std::optional<FetchMetricsReading>> ReadFetchMetricsWithRate(
    const std::string& dir, const std::string& stream, double max_wait_seconds,
    std::optional<double>* events_per_minute);

}  // namespace ch

#endif  // CH_STORE_FETCH_METRICS_READER_H_
