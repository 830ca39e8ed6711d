// ApplyLoop: see apply_loop.h.
#include "ch-store/apply_loop.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>

#include "common/log.h"
#include "common/signals.h"

namespace ch {

namespace {

double UnixNow() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// The wall clock as "1795510657.932": a log field's double would keep only
// six digits, and tests/bench/latency.py needs milliseconds.
std::string UnixNowText() {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", UnixNow());
  return text;
}

// Milliseconds since `start`, for the debug log.
int64_t MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

ApplyLoop::ApplyLoop(RecordSource* source, RecordApplier* applier, OutputWriter* changes_out,
                     Metrics* metrics, const Options& options)
    : source_(source),
      applier_(applier),
      changes_out_(changes_out),
      metrics_(metrics),
      options_(options) {}

bool ApplyLoop::BatchDue() const {
  const bool stream = applier_->pending_has_stream_records();
  const size_t max_records = stream ? options_.stream_batch_records : options_.bulk_batch_records;
  if (applier_->pending_records() >= max_records) return true;
  auto max_age = stream ? options_.stream_batch_age : options_.bulk_batch_age;
  const WriterQueue* queue = applier_->writer_queue();
  if (queue != nullptr && queue->SharedWithin(std::chrono::seconds(1)))
    max_age = std::min(max_age, options_.shared_batch_age);
  return std::chrono::steady_clock::now() - batch_started_ >= max_age;
}

bool ApplyLoop::OthersWaiting(bool batch_due) const {
  WriterQueue* queue = applier_->writer_queue();
  if (queue == nullptr || options_.writer_probe_records == 0) return false;
  if (batch_due) return queue->OthersWaiting();
  return applier_->pending_records() % options_.writer_probe_records == 0 &&
         std::chrono::steady_clock::now() - batch_started_ >= options_.min_turn &&
         queue->OthersWaiting();
}

Status ApplyLoop::Run() {
  for (;;) {
    if (StopRequested()) {
      LogInfo("stop requested", {{"signal", StopSignal()}});
      return Finish();
    }
    // With a transaction open, wait only a moment: no more input then means
    // commit.
    const int timeout_ms =
        applier_->in_transaction() ? options_.idle_grace_ms : options_.idle_poll_ms;
    const Record* record = nullptr;
    switch (source_->Next(&record, timeout_ms)) {
      case RecordSource::Event::kRecord: {
        if (!applier_->in_transaction()) {
          Status s = applier_->Begin();
          // Stopped while waiting for the write lock (WriterQueue): the
          // record is not applied (the checkpoint says where to resume);
          // the top of the loop stops as on any stop.
          if (!s.ok() && StopRequested()) continue;
          if (!s.ok()) return s;
          batch_started_ = std::chrono::steady_clock::now();
        }
        Status s = applier_->Apply(*record);
        if (!s.ok()) {
          applier_->Rollback();
          return s.Annotate("apply record");
        }
        const bool batch_due = BatchDue();
        if (OthersWaiting(batch_due)) {
          // Make way: commit what we have, and begin again only once the
          // waiting writers have had their turn.
          s = CommitIfOpen();
          if (!s.ok()) return s;
          applier_->writer_queue()->LetOthersIn();
        } else if (batch_due) {
          s = CommitIfOpen();
          if (!s.ok()) return s;
        }
        break;
      }
      case RecordSource::Event::kIdle: {
        Status s = CommitIfOpen();
        if (!s.ok()) return s;
        if (wal_watch_ != nullptr) {
          wal_watch_->Poll();
          if (idle_checkpoint_ && wal_watch_->in_trouble()) idle_checkpoint_();
        }
        (void)metrics_->MaybeWrite();
        break;
      }
      case RecordSource::Event::kEnd:
        return Finish();
      case RecordSource::Event::kError: {
        // The records applied so far are whole: keep them, then report.
        Status s = Finish();
        if (!s.ok()) return s;
        return source_->status();
      }
    }
  }
}

Status ApplyLoop::Finish() {
  Status s = CommitIfOpen();
  if (!s.ok()) return s;
  return applier_->EndOfInput();
}

Status ApplyLoop::CommitIfOpen() {
  if (!applier_->in_transaction()) return Status::Ok();
  const size_t records = applier_->pending_records();
  const uint64_t changes_before = applier_->totals().status_changes;
  const auto commit_started = std::chrono::steady_clock::now();
  Status s = applier_->Commit();
  if (!s.ok()) return s;
  ++commits_;
  const std::optional<int64_t> checkpoint = applier_->last_committed_checkpoint();
  if (LogEnabled(LogLevel::kDebug)) {
    // tests/bench/latency.py matches commits to events by these fields.
    const auto changes = static_cast<int64_t>(applier_->totals().status_changes - changes_before);
    if (checkpoint) {
      LogDebug("committed", {{"records", static_cast<int64_t>(records)},
                             {"checkpoint", *checkpoint},
                             {"commit_unix", UnixNowText()},
                             {"transaction_ms", MillisSince(batch_started_)},
                             {"commit_ms", MillisSince(commit_started)},
                             {"status_changes", changes}});
    } else {
      LogDebug("committed", {{"records", static_cast<int64_t>(records)},
                             {"commit_unix", UnixNowText()},
                             {"status_changes", changes}});
    }
  }
  if (wal_watch_ != nullptr) wal_watch_->Poll();
  UpdateMetrics(records);
  return EmitChanges();
}

Status ApplyLoop::EmitChanges() {
  if (changes_out_ == nullptr) return Status::Ok();
  if (applier_->committed_changes().empty() && applier_->committed_signals().empty())
    return Status::Ok();
  for (const StatusChange& change : applier_->committed_changes()) {
    line_.clear();
    AppendStatusChangeJson(&line_, change);
    Status s = changes_out_->WriteLine(line_);
    if (!s.ok()) return s;
  }
  for (const Signal& signal : applier_->committed_signals()) {
    line_.clear();
    AppendSignalJson(&line_, signal);
    Status s = changes_out_->WriteLine(line_);
    if (!s.ok()) return s;
  }
  return changes_out_->Flush();
}

void ApplyLoop::UpdateMetrics(size_t batch_records) {
  if (!metrics_->enabled()) return;
  const ApplyCounters& t = applier_->totals();
  metrics_->Set("records_applied_total", static_cast<double>(t.stream_applied + t.bulk_applied),
                "records that changed the database or its checkpoint");
  metrics_->Set("records_skipped_total", static_cast<double>(t.skipped),
                "stream records at or below the checkpoint (duplicates)");
  metrics_->Set("records_superseded_total", static_cast<double>(t.superseded),
                "records older than the stored state");
  metrics_->Set("rejects_total", static_cast<double>(t.rejects), "reject records received");
  metrics_->Set("status_changes_total", static_cast<double>(t.status_changes),
                "status changes recorded");
  metrics_->Set("signals_total", static_cast<double>(t.signals), "signals added");
  metrics_->Set("gaps_total", static_cast<double>(t.gaps), "gaps recorded");
  metrics_->Set("commits_total", static_cast<double>(commits_), "transactions committed");
  metrics_->Set("batch_records", static_cast<double>(batch_records),
                "records in the last transaction");
  metrics_->Set("last_commit_timestamp_seconds", UnixNow(), "wall clock of the last commit");
  if (applier_->last_committed_checkpoint()) {
    metrics_->Set("checkpoint", static_cast<double>(*applier_->last_committed_checkpoint()),
                  "last timepoint committed");
  }
  (void)metrics_->MaybeWrite();
}

}  // namespace ch
