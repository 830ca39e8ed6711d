// ParseRunner: ch-parse's main loop, input to output, for either format.
//
// It owns the rhythm of the stage: read lines as long as input is buffered,
// flush stdout the moment the next read would block (so a single event
// reaches ch-store within milliseconds while a backlog still moves in large
// writes), poll the stop flag between lines, keep the metrics file fresh,
// and in bulk mode (the company CSV, the PSC snapshot) vouch for a complete
// snapshot with snapshot_end only after reading the input to its natural
// end. Everything bad in the input
// becomes a reject record; only output failures (exit 74), read errors and
// an unusable bulk header (exit 65) end the run early.
#ifndef CH_PARSE_PARSE_RUNNER_H_
#define CH_PARSE_PARSE_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "ch-parse/json_line.h"
#include "ch-parse/parse_metrics.h"
#include "ch-parse/parse_options.h"
#include "common/line_reader.h"
#include "common/output_writer.h"
#include "common/status.h"

namespace ch {

class ParseRunner {
 public:
  // Reads `in_fd`, writes `out_fd`; neither is closed. `metrics` must
  // outlive the runner.
  ParseRunner(const ParseOptions& options, int in_fd, int out_fd, ParseMetrics* metrics);
  ParseRunner(const ParseRunner&) = delete;
  ParseRunner& operator=(const ParseRunner&) = delete;

  // Runs to the end of input or a stop request (both OK), or an error.
  // Whatever was produced is flushed before returning, unless the output
  // itself failed.
  Status Run();

  // Bulk (both formats): whether the input was read to its end and
  // snapshot_end written.
  bool snapshot_complete() const { return snapshot_complete_; }

 private:
  Status RunStream();
  Status RunBulk();
  Status RunPscSnapshot();
  // Input would block: flush, refresh metrics and progress.
  Status OnIdle();
  // The next line of `reader`; when the input pauses, OnIdle() first, then
  // a wait of up to wake_ms (-1: until input comes). kInterrupted when a
  // stop was requested meanwhile; OnIdle's error (the output failed).
  StatusOr<LineReader::Result> NextLine(LineReader* reader, LineReader::Line* line, int wake_ms);
  // Every kCheckEvery lines (or bulk records): the input bytes, the
  // metrics file and the progress line, which otherwise change only when
  // the input pauses.
  void CheckEveryFewLines(uint64_t bytes_read);
  // Output goes through these two, which remember a failed write.
  Status Emit(const JsonLine& line);
  Status Flush();
  void MaybeWriteMetrics(bool now);
  void MaybeReportProgress(bool final_report);

  const ParseOptions& options_;
  int in_fd_;
  OutputWriter out_;
  ParseMetrics* metrics_;
  bool progress_ = false;
  uint64_t until_check_;  // lines before the next CheckEveryFewLines does something
  bool metrics_warned_ = false;
  bool output_failed_ = false;  // stdout is gone or full: do not try again
  bool snapshot_complete_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace ch

#endif  // CH_PARSE_PARSE_RUNNER_H_
