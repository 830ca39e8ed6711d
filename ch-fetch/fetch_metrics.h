// FetchMetrics: what ch-fetch reports in CH_METRICS_DIR/ch-fetch.prom (the
// file is written by common/metrics.h, atomically, every few seconds). One
// named setter per metric keeps the names in one place:
//   chstream_connected                      1 while a 200 stream is open
//   chstream_reconnects_total{reason=...}   connections ended, by reason
//   chstream_events_total                   event lines written
//   chstream_bytes_total                    bytes received (any answer)
//   chstream_last_event_timepoint           resume point (last flushed timepoint)
//   chstream_last_byte_age_seconds          seconds since the last byte of a 200
//                                           stream (heartbeats included; error
//                                           answers never count)
//   chstream_disconnected_seconds           0 while a 200 stream is open, else
//                                           seconds since the last one closed
//   chstream_last_attempt{reason=...}       1, labelled with how the last
//                                           connection attempt ended (and
//                                           detail=... for a TLS certificate)
//   chstream_last_http_status               its HTTP status (0: none)
//   chstream_breaker_open                   1 while the circuit breaker is open
//   chstream_consecutive_failures           connections in a row without a 200
//   chstream_gaps_total{reason=...}         gap lines written
//   chstream_oversized_lines_total          lines dropped for exceeding the cap
//   chstream_partial_lines_dropped_total    lines cut off by a disconnect
#ifndef CH_FETCH_FETCH_METRICS_H_
#define CH_FETCH_FETCH_METRICS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"

namespace ch {

class FetchMetrics {
 public:
  // `dir` empty: everything is a no-op. `interval_ms`: least time between
  // two writes of the file.
  // `stream` names the file and labels the samples (common/metrics.h).
  explicit FetchMetrics(std::string dir, int interval_ms = 2000, std::string stream = "companies");

  void SetConnected(bool connected);
  void CountReconnect(std::string_view reason);
  void AddEvents(uint64_t n);
  void AddBytes(uint64_t n);
  void SetLastEventTimepoint(int64_t timepoint);
  void SetBreaker(bool open, int consecutive_failures);
  void CountGap(std::string_view reason);
  void CountOversizedLine();
  // An event whose timepoint the resume point did not follow (too far ahead).
  void CountImplausibleTimepoint();
  void CountPartialLineDropped();
  // How the last connection attempt ended: a reason as in reconnects_total
  // ("rate-limited", "server-error", "stall", ...), its HTTP status, and for
  // a certificate failure what went wrong (a `detail` label when not empty).
  void SetLastAttempt(std::string_view reason, long http_status, std::string_view detail = "");
  // No attempt to tell of (the key file, waited for, yielded a key).
  void ClearLastAttempt();
  // How long the current write to stdout has waited for ch-parse (0: none).
  void SetOutputBlocked(double seconds);

  // Writes the file if the interval has passed; the ages (seconds since
  // the last byte of a 200 stream, and since a 200 stream was last open, 0
  // while one is) are computed by the caller, who owns the clock.
  Status MaybeWrite(double last_byte_age, double disconnected_for);
  // Writes the file now (state changes, exit).
  Status Write(double last_byte_age, double disconnected_for);

 private:
  void SetAges(double last_byte_age, double disconnected_for);

  Metrics metrics_;
  std::string last_attempt_sample_;
};

}  // namespace ch

#endif  // CH_FETCH_FETCH_METRICS_H_
