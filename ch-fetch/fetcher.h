// Fetcher: the fetch loop. It connects, writes what arrives, and decides
// after each connection what to ask for next and how long to wait first:
//
// - Resume: it remembers the highest timepoint among the lines it has
//   written *and flushed* ("emit, then advance"), and every reconnect asks
//   for that + 1. Until a line has been written it asks for --timepoint, or
//   for nothing (live).
// - Gaps: a start without --timepoint emits a started-live gap line when
//   the first live stream opens (before any event); a 416 emits a
//   timepoint-out-of-range gap (after_timepoint = the timepoint asked - 1)
//   and carries on live, or exits 65 under --on-gap=exit. A gap stays open
//   until the next event, so later live reconnects add no new gap line.
// - 404: the service has no such stream; exit 78 after that one request.
// - 401/403: the key is wrong; exit 78 after that one request (unless the
//   key file changed meanwhile: then one more try with the new key).
// - No key yet (--key-file-wait, and the key file yielded none at start):
//   the key file is read again every second, with a warn line at first and
//   whenever the reason changes or a minute passes, until it yields a key;
//   the metrics say so meanwhile (last attempt "key-file-unreadable").
// - Waits between connections come from ReconnectPolicy.
// - Stop signal: flush what is complete, return Ok. stdout failing (EPIPE,
//   ENOSPC) returns the IoError at once.
//
// One structured log line per connection attempt records what happened, and
// the metrics (fetch_metrics.h) say how the last attempt ended and how long
// ago a 200 stream last delivered a byte: only a 200 stream's bytes count,
// so a storm of 429 or 503 answers shows as silence.
#ifndef CH_FETCH_FETCHER_H_
#define CH_FETCH_FETCHER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "ch-fetch/connector.h"
#include "ch-fetch/fetch_metrics.h"
#include "ch-fetch/fetch_options.h"
#include "ch-fetch/reconnect_policy.h"
#include "ch-fetch/stream_key.h"
#include "ch-fetch/stream_url.h"
#include "ch-fetch/waiter.h"
#include "common/log.h"
#include "common/output_writer.h"
#include "common/status.h"

namespace ch {

class Fetcher : private StreamSink {
 public:
  // Nothing is owned; everything must outlive the Fetcher. `key` is the key
  // already loaded (main checks it before any network work), or empty when
  // a key file is to be waited for (--key-file-wait); with a key file it is
  // read again before each connection. `out_fd` is the fd
  // behind `out`, watched for a reader that has gone.
  // REQUIRES: ValidateFetchOptions(options).ok()
  Fetcher(const FetchOptions& options, const KeySource& key_source, std::string key,
          Connector* connector, ReconnectPolicy* policy, Waiter* waiter, OutputWriter* out,
          int out_fd, FetchMetrics* metrics);

  // The output has waited `seconds` for ch-parse (0: the write went
  // through): recorded in the metrics, written at once (OutputWriter's
  // blocked handler), so the file stays fresh while ch-fetch waits.
  void OnOutputBlocked(double seconds);

  // Runs until stopped (Ok) or a fatal condition: Config for a rejected key,
  // DataError for a gap under --on-gap=exit, IoError when stdout fails.
  Status Run();

  // The timepoint the next connection would ask for (nullopt: live).
  std::optional<int64_t> NextRequestTimepoint() const;

 private:
  // StreamSink, called by the connector during a connection.
  bool OnStreamStart() override;
  bool OnEventLine(std::string_view line) override;
  bool OnOversizedPiece(std::string_view bytes) override;
  bool OnOversizedLine(uint64_t length) override;
  bool OnDrained() override;
  void OnBytes(uint64_t n) override;
  bool OnTick() override;

  // What to do after a connection: wait `delay` seconds and reconnect
  // (delay < 0: do not), or stop with `fatal`.
  struct Next {
    double delay = -1;
    Status fatal;
  };
  Next Decide(const ConnectionResult& result, std::optional<int64_t> asked);
  // A 416 for `asked`: the gap line, then live or exit.
  Next AfterTimepointGone(int64_t asked);
  void LogAttempt(LogLevel level, const std::string& url, std::optional<int64_t> asked,
                  const ConnectionResult& r, const std::string& reason, double delay);

  // Flushes stdout, then moves the resume point over what was flushed.
  Status FlushOutput();
  // Writes one control line and flushes it.
  Status WriteGap(std::optional<int64_t> after_timepoint, std::string_view reason);
  // Re-reads a key file; keeps the previous key if it cannot be read.
  void RefreshKey();
  // Waits until the key file yields a key (see above); false when stopped
  // (or stdout failed: see output_status_) first.
  bool WaitForKey();
  // Sleeps `seconds` while keeping metrics fresh and watching stdout;
  // false when stopped (or stdout failed: see output_status_).
  bool Wait(double seconds);
  // stdout's reader has gone (POLLERR on a pipe): sets output_status_.
  bool OutputAlive();
  void WriteMetrics(bool now);
  // Seconds since the last byte of a 200 stream (since the start before
  // the first): the silence health judges. Error answers never count.
  double LastByteAge();
  // 0 while a 200 stream is open, else seconds since one was (or since
  // the start).
  double DisconnectedFor();

  const FetchOptions& options_;
  const KeySource& key_source_;
  std::string key_;
  Connector* connector_;
  ReconnectPolicy* policy_;
  Waiter* waiter_;
  OutputWriter* out_;
  int out_fd_;
  FetchMetrics* metrics_;
  StreamUrl url_;

  /// The timepoint of the first request; cleared by a 416.
  std::optional<int64_t> initial_timepoint_;
  /// Highest timepoint written and flushed: the resume point.
  std::optional<int64_t> last_flushed_;
  /// Highest timepoint written but maybe not yet flushed.
  std::optional<int64_t> last_written_;
  /// A started-live gap line is owed on the next live stream.
  bool started_live_gap_owed_ = false;
  /// Whether the current connection asked for no timepoint.
  bool asking_live_ = false;
  /// Event lines written on the current connection.
  uint64_t connection_events_ = 0;
  Status output_status_;
  double start_time_ = 0;
  /// A 200 stream is open (between OnStreamStart and the end of Connect).
  bool stream_open_ = false;
  std::optional<double> last_stream_byte_time_;
  std::optional<double> last_open_time_;
  bool metrics_warned_ = false;
  /// A 401 has already been retried once with a rotated key.
  bool auth_retried_with_new_key_ = false;
};

}  // namespace ch

#endif  // CH_FETCH_FETCHER_H_
