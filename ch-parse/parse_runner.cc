// ParseRunner: see parse_runner.h.
#include "ch-parse/parse_runner.h"

#include <unistd.h>

#include "ch-parse/bulk_row_mapper.h"
#include "ch-parse/csv_reader.h"
#include "ch-parse/event_parser.h"
#include "ch-parse/psc_snapshot_parser.h"
#include "common/line_reader.h"
#include "common/log.h"
#include "common/signals.h"

namespace ch {

namespace {

// Lines between two looks at the clock for metrics and progress.
constexpr uint64_t kCheckEvery = 4096;
constexpr auto kProgressInterval = std::chrono::seconds(1);
constexpr int kIdleWakeMs = 1000;

LineReader::Options ReaderOptions(const ParseOptions& options) {
  LineReader::Options reader_options;
  reader_options.max_line_bytes = static_cast<size_t>(options.max_line_bytes);
  return reader_options;
}

}  // namespace

ParseRunner::ParseRunner(const ParseOptions& options, int in_fd, int out_fd, ParseMetrics* metrics)
    : options_(options),
      in_fd_(in_fd),
      out_(out_fd),
      metrics_(metrics),
      progress_(options.format != InputFormat::kStream &&
                (options.progress || isatty(STDERR_FILENO) == 1)),
      until_check_(kCheckEvery),
      started_(std::chrono::steady_clock::now()),
      last_progress_(started_) {
  if (metrics_->enabled()) {
    // Blocked on ch-store: keep the metrics fresh and say so.
    out_.SetBlockedHandler([this](double seconds) {
      metrics_->SetOutputBlocked(seconds);
      MaybeWriteMetrics(/*now=*/true);
    });
  }
}

Status ParseRunner::Run() {
  MaybeWriteMetrics(/*now=*/true);
  Status s;
  switch (options_.format) {
    case InputFormat::kStream:
      s = RunStream();
      break;
    case InputFormat::kBulkCsv:
      s = RunBulk();
      break;
    case InputFormat::kPscSnapshot:
      s = RunPscSnapshot();
      break;
  }
  if (!output_failed_) {
    // Records already made are valid whatever stopped the run: pass them on.
    Status flushed = Flush();
    if (s.ok()) s = flushed;
  }
  MaybeReportProgress(/*final_report=*/true);
  MaybeWriteMetrics(/*now=*/true);
  return s;
}

Status ParseRunner::Emit(const JsonLine& line) {
  Status s = out_.WriteLine(line.view());
  if (!s.ok()) output_failed_ = true;
  return s;
}

Status ParseRunner::Flush() {
  Status s = out_.Flush();
  if (!s.ok()) output_failed_ = true;
  return s;
}

void ParseRunner::MaybeWriteMetrics(bool now) {
  Status s = now ? metrics_->Write() : metrics_->MaybeWrite();
  if (!s.ok() && !metrics_warned_) {
    metrics_warned_ = true;
    LogWarn("cannot write metrics (further failures are not logged)", {{"error", s.message()}});
  }
}

void ParseRunner::MaybeReportProgress(bool final_report) {
  if (!progress_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!final_report && now - last_progress_ < kProgressInterval) return;
  last_progress_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const uint64_t rows = metrics_->bulk_rows();
  LogInfo(final_report ? "bulk progress: done" : "bulk progress",
          {{"rows", rows},
           {"rows_per_second",
            seconds > 0 ? static_cast<int64_t>(static_cast<double>(rows) / seconds) : int64_t{0}},
           {"rejects", metrics_->rejects()},
           {"seconds", seconds}});
}

Status ParseRunner::OnIdle() {
  Status s = Flush();
  if (!s.ok()) return s;
  MaybeWriteMetrics(/*now=*/false);
  MaybeReportProgress(/*final_report=*/false);
  return Status::Ok();
}

StatusOr<LineReader::Result> ParseRunner::NextLine(LineReader* reader, LineReader::Line* line,
                                                   int wake_ms) {
  LineReader::Result r = reader->Next(line, 0);
  if (r != LineReader::Result::kWouldBlock) return r;
  Status s = OnIdle();
  if (!s.ok()) return s;
  // kInterrupted makes the caller look at the stop flag.
  if (StopRequested()) return LineReader::Result::kInterrupted;
  return reader->Next(line, wake_ms);
}

void ParseRunner::CheckEveryFewLines(uint64_t bytes_read) {
  if (--until_check_ != 0) return;
  until_check_ = kCheckEvery;
  metrics_->SetInputBytes(bytes_read);
  MaybeWriteMetrics(/*now=*/false);
  MaybeReportProgress(/*final_report=*/false);
}

Status ParseRunner::RunStream() {
  LineReader reader(in_fd_, ReaderOptions(options_));
  EventParser parser(options_.stream);
  JsonLine line_out;
  while (!StopRequested()) {
    LineReader::Line line;
    // Wake at least every second while idle: OnIdle rewrites the metrics
    // file every 2 s, the heartbeat by which status and pipeline.sh's
    // watchdog tell an idle ch-parse from a stopped or hung one.
    StatusOr<LineReader::Result> next = NextLine(&reader, &line, kIdleWakeMs);
    if (!next.ok()) return next.status();
    const LineReader::Result r = *next;
    EventParser::Outcome outcome = EventParser::Outcome::kHeartbeat;
    line_out.clear();
    switch (r) {
      case LineReader::Result::kLine:
        outcome = parser.Parse(line.bytes, &line_out);
        break;
      case LineReader::Result::kOversized:
        outcome = parser.ParseOversized(line.bytes, line.full_length, &line_out);
        break;
      case LineReader::Result::kEof:
        metrics_->SetInputBytes(reader.bytes_read());
        LogInfo("end of input", {{"lines", metrics_->lines()},
                                 {"records", metrics_->records()},
                                 {"rejects", metrics_->rejects()},
                                 {"control_lines", metrics_->control_lines()}});
        return Status::Ok();
      case LineReader::Result::kWouldBlock:
      case LineReader::Result::kInterrupted:
        continue;  // the loop looks at the stop flag
      case LineReader::Result::kError:
        return reader.status();
    }
    metrics_->CountLine();
    switch (outcome) {
      case EventParser::Outcome::kCompany:
        metrics_->CountRecord();
        if (parser.unknown_status()) metrics_->CountUnknownStatus();
        break;
      case EventParser::Outcome::kResource:
        metrics_->CountResourceRecord(
            parser.resource_kind() != nullptr ? parser.resource_kind()->table : nullptr);
        break;
      case EventParser::Outcome::kReject:
        metrics_->CountReject(parser.reject_class());
        break;
      case EventParser::Outcome::kControl:
        metrics_->CountControlLine();
        break;
      case EventParser::Outcome::kHeartbeat:
        break;
    }
    if (outcome != EventParser::Outcome::kHeartbeat) {
      Status s = Emit(line_out);
      if (!s.ok()) return s;
    }
    CheckEveryFewLines(reader.bytes_read());
  }
  metrics_->SetInputBytes(reader.bytes_read());
  LogInfo("stopped by signal", {{"signal", StopSignal()}, {"lines", metrics_->lines()}});
  return Status::Ok();
}

Status ParseRunner::RunBulk() {
  LineReader reader(in_fd_, ReaderOptions(options_));
  CsvReader csv(&reader, static_cast<size_t>(options_.max_line_bytes));
  BulkRowMapper mapper(options_.stream, *options_.as_of);
  const RecordWriter& writer = mapper.writer();
  JsonLine line_out;
  bool header_seen = false;
  bool truncated = false;
  uint64_t lines_counted = 0;
  while (!StopRequested()) {
    CsvReader::Result r = csv.Next(0);
    if (r == CsvReader::Result::kWouldBlock) {
      Status s = OnIdle();
      if (!s.ok()) return s;
      if (StopRequested()) break;
      r = csv.Next(-1);
    }
    // Physical lines, whatever records they made.
    for (; lines_counted < csv.lines_read(); ++lines_counted) metrics_->CountLine();
    line_out.clear();
    std::optional<RejectClass> reject;
    std::string reason;
    switch (r) {
      case CsvReader::Result::kRecord: {
        const auto& fields = csv.fields();
        if (!header_seen || IsBulkHeader(fields)) {
          // The first line, or a part file's header repeated mid-input.
          Status s = CheckBulkHeader(fields);
          if (!s.ok()) return s;
          header_seen = true;
          continue;
        }
        metrics_->CountBulkRow();
        if (mapper.Map(fields, &line_out)) {
          metrics_->CountRecord();
          if (mapper.unknown_status()) metrics_->CountUnknownStatus();
          if (mapper.unknown_type()) metrics_->CountUnknownType();
        } else {
          reject = mapper.reject_class();
          reason = mapper.reason();
        }
        break;
      }
      case CsvReader::Result::kTooLong:
        if (!header_seen)
          return Status::DataError(
              "bulk CSV header: the first line is longer than --max-line-bytes");
        metrics_->CountBulkRow();
        reject = RejectClass::kLineTooLong;
        reason = "CSV record too long (" + std::to_string(csv.raw_length()) + " bytes)";
        break;
      case CsvReader::Result::kMalformed:
        if (!header_seen) return Status::DataError("bulk CSV header: not valid CSV");
        metrics_->CountBulkRow();
        reject = RejectClass::kCsvRow;
        reason = "malformed CSV: a closing quote is followed by other text";
        break;
      case CsvReader::Result::kTruncated:
        if (!header_seen)
          return Status::DataError("bulk CSV header: not valid CSV (unclosed quote)");
        metrics_->CountBulkRow();
        truncated = true;
        reject = RejectClass::kCsvRow;
        reason = "unterminated quoted field at end of input (input cut short)";
        break;
      case CsvReader::Result::kEof: {
        metrics_->SetInputBytes(reader.bytes_read());
        if (!header_seen) return Status::DataError("bulk CSV input is empty: no header line");
        if (truncated) {
          LogWarn("bulk input ended inside a quoted field: no snapshot_end written",
                  {{"rows", metrics_->bulk_rows()}});
          return Status::Ok();
        }
        writer.AppendSnapshotEnd(options_.as_of->view(), metrics_->bulk_rows(), &line_out);
        Status s = Emit(line_out);
        if (!s.ok()) return s;
        metrics_->CountControlLine();
        snapshot_complete_ = true;
        LogInfo("bulk snapshot read", {{"rows", metrics_->bulk_rows()},
                                       {"records", metrics_->records()},
                                       {"rejects", metrics_->rejects()},
                                       {"unknown_status", metrics_->unknown_status()},
                                       {"unknown_type", metrics_->unknown_type()},
                                       {"as_of", options_.as_of->view()}});
        return Status::Ok();
      }
      case CsvReader::Result::kWouldBlock:
      case CsvReader::Result::kInterrupted:
        continue;
      case CsvReader::Result::kError:
        return csv.status();
    }
    if (reject) {
      metrics_->CountReject(*reject);
      writer.AppendReject(std::nullopt, reason, csv.raw(), csv.raw_length(), &line_out);
    }
    Status s = Emit(line_out);
    if (!s.ok()) return s;
    CheckEveryFewLines(reader.bytes_read());
  }
  metrics_->SetInputBytes(reader.bytes_read());
  LogWarn("stopped by signal before the end of the bulk input: no snapshot_end written",
          {{"signal", StopSignal()}, {"rows", metrics_->bulk_rows()}});
  return Status::Ok();
}

Status ParseRunner::RunPscSnapshot() {
  LineReader reader(in_fd_, ReaderOptions(options_));
  PscSnapshotParser parser(*options_.as_of);
  JsonLine line_out;
  while (!StopRequested()) {
    LineReader::Line line;
    StatusOr<LineReader::Result> next = NextLine(&reader, &line, -1);
    if (!next.ok()) return next.status();
    const LineReader::Result r = *next;
    PscSnapshotParser::Outcome outcome = PscSnapshotParser::Outcome::kBlank;
    line_out.clear();
    switch (r) {
      case LineReader::Result::kLine:
        outcome = parser.Parse(line.bytes, &line_out);
        break;
      case LineReader::Result::kOversized:
        outcome = parser.ParseOversized(line.bytes, line.full_length, &line_out);
        break;
      case LineReader::Result::kEof: {
        metrics_->SetInputBytes(reader.bytes_read());
        parser.AppendSnapshotEnd(&line_out);
        Status s = Emit(line_out);
        if (!s.ok()) return s;
        metrics_->CountControlLine();
        snapshot_complete_ = true;
        const PscSnapshotCounts& n = parser.counts();
        const auto& totals = parser.totals();
        LogInfo("PSC snapshot read", {{"as_of", options_.as_of->view()},
                                      {"rows", parser.rows()},
                                      {"pscs", n.pscs},
                                      {"statements", n.statements},
                                      {"exemptions", n.exemptions},
                                      {"other_kinds", n.other},
                                      {"rejects", n.rejects},
                                      {"totals_line", totals ? "read" : "missing"}});
        return Status::Ok();
      }
      case LineReader::Result::kWouldBlock:
      case LineReader::Result::kInterrupted:
        continue;  // the loop looks at the stop flag
      case LineReader::Result::kError:
        return reader.status();
    }
    metrics_->CountLine();
    switch (outcome) {
      case PscSnapshotParser::Outcome::kResource:
        metrics_->CountBulkRow();
        metrics_->CountResourceRecord(
            parser.resource_kind() != nullptr ? parser.resource_kind()->table : nullptr);
        break;
      case PscSnapshotParser::Outcome::kReject:
        metrics_->CountBulkRow();
        metrics_->CountReject(parser.reject_class());
        break;
      case PscSnapshotParser::Outcome::kTotals:
      case PscSnapshotParser::Outcome::kBlank:
        break;
    }
    if (outcome == PscSnapshotParser::Outcome::kResource ||
        outcome == PscSnapshotParser::Outcome::kReject) {
      Status s = Emit(line_out);
      if (!s.ok()) return s;
    }
    CheckEveryFewLines(reader.bytes_read());
  }
  metrics_->SetInputBytes(reader.bytes_read());
  LogWarn("stopped by signal before the end of the PSC snapshot: no snapshot_end written",
          {{"signal", StopSignal()}, {"rows", parser.rows()}});
  return Status::Ok();
}

}  // namespace ch
