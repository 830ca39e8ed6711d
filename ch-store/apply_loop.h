// ApplyLoop: takes records from a RecordSource (stdin, read and decoded on a
// second thread) and applies them in batched transactions. The batching rule is what makes both a
// trickle and a replay fast: commit as soon as the next read would block (the input is idle), else
// at the latest when the oldest uncommitted record is 200 ms old or the batch
// holds 20,000 records. A batch of bulk records only may grow to 50,000
// records and 5 s: a snapshot import has no reader waiting on each row, and
// big transactions are what makes it fast. A batch does not end when its
// changed pages outgrow SQLite's page cache: SQLite then writes the least
// recently used ones (mostly the appended rows, never needed again) to the
// WAL before the commit. Committing at the first spill instead made batches
// of about 2,500 filing records, each rewriting every index page the
// batch touched: 100,000 filing records wrote a 212 MB WAL instead of
// 152 MB, and ch-store took 1.12 s instead of 0.93 s (median of 6
// alternating runs). For the same reason a backlog's batches end at 200 ms
// rather than at 5,000 records, as they first did: each commit writes every
// page its batch changed, and a page a later batch changes again is
// written again. The bench's 100,000-record replays, 5,000 against 20,000
// records a batch: WAL 214 -> 135 MB (companies), 159 -> 94 MB (filings),
// 279 -> 176 MB (officers); the companies replay through ch-parse took
// 1.100 s against 0.892 s (wall medians, 9 alternating pairs), at the same
// CPU and RSS. A trickle commits as soon as its input pauses, and a writer
// that another one waits for commits within min_turn (below), so neither
// waits on the larger batch.
//
// "Idle" means nothing arrived for idle_grace_ms (2 ms), not a single empty
// read: see Options.
//
// A stop signal (SIGTERM, SIGINT, SIGHUP) commits the records already applied
// and ends the loop; an error rolls the open transaction back, so the
// database always holds exactly a prefix of the input up to its checkpoint.
// Several ch-store processes may write one database (one per stream): with
// a writer queue, a transaction at least Options::min_turn old that learns
// another writer waits commits early, and any commit lets a waiting writer
// in before beginning the next (see writer_queue.h), so a backlog on one
// stream cannot starve a trickle on another.
//
// With --emit-changes each committed status change (first member "id") and
// then each new signal of the same commit (first member "signal_id") is
// written to stdout as one NDJSON line, after its COMMIT, and flushed.
#ifndef CH_STORE_APPLY_LOOP_H_
#define CH_STORE_APPLY_LOOP_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include "ch-store/record_applier.h"
#include "ch-store/record_source.h"
#include "ch-store/wal_watch.h"
#include "common/metrics.h"
#include "common/output_writer.h"
#include "common/status.h"

namespace ch {

class ApplyLoop {
 public:
  struct Options {
    size_t stream_batch_records = 20000;
    std::chrono::milliseconds stream_batch_age{200};
    size_t bulk_batch_records = 50000;
    std::chrono::milliseconds bulk_batch_age{5000};
    /// How long an idle wait lasts before the stop flag is looked at again.
    int idle_poll_ms = 100;
    /// With a transaction open, how long the input may pause before it
    /// counts as idle. A writer refilling a pipe pauses for microseconds;
    /// waiting this little keeps a replay in full batches instead of a
    /// commit per pipe-full, and a trickle still commits within milliseconds.
    int idle_grace_ms = 2;
    /// With other writers of the database (RecordApplier::writer_queue()):
    /// how often, in records, the open transaction asks whether one waits,
    /// once it is min_turn old; when one does it commits and lets it in
    /// first. A transaction that commits because it is due (age, size, a
    /// full page cache) asks too, whatever its age: one that begins again at
    /// once keeps the lock, turn after turn. Asking is two flock(2) calls,
    /// 2.5 us here, about 1.5 % of a lone replay's applying thread; asking
    /// every 64 records instead gained that replay about 1 %, but the
    /// ten-day catch-up of nine streams took 56.3 and 52.5 s against 49.1
    /// and 51.7 s with 16 (alternating runs, 2026-12-07): its waiting
    /// writers poll while they wait.
    size_t writer_probe_records = 16;
    /// The least a transaction keeps the lock before it makes way. SQLite
    /// drops a connection's page cache when another one wrote, so each turn
    /// starts cold: backlogs on several streams giving way every 16 records
    /// took 2-3 times the CPU of the same streams one by one (ten-day
    /// catch-up of every stream, 2 cores: 62.9 s with none, 48.3 s with
    /// 10 ms). A trickle waits at most about this long behind a backlog
    /// (38_store_fair_writers: p99 27.5 ms with 10 ms, 25.7 ms with 20).
    std::chrono::milliseconds min_turn{10};
    /// While another writer has waited within the last second, a
    /// transaction of stream records commits at this age at the latest:
    /// a writer that starts waiting waits for the commit of everything the
    /// open transaction wrote, so short transactions keep its wait short.
    std::chrono::milliseconds shared_batch_age{10};
  };

  // `changes_out` is null unless --emit-changes. None is owned.
  ApplyLoop(RecordSource* source, RecordApplier* applier, OutputWriter* changes_out,
            Metrics* metrics, const Options& options);
  ApplyLoop(RecordSource* source, RecordApplier* applier, OutputWriter* changes_out,
            Metrics* metrics)
      : ApplyLoop(source, applier, changes_out, metrics, Options()) {}

  // Runs until end of input (Ok), a stop signal (Ok) or an error.
  Status Run();

  uint64_t commits() const { return commits_; }

  // Polled after each commit and while the input is idle (not owned; may
  // stay null, as for an in-memory database).
  void set_wal_watch(WalWatch* watch) { wal_watch_ = watch; }
  // Called while the input is idle and the WAL watch is in trouble (a WAL
  // not reset for too long): BackgroundCheckpointer::CheckpointWhileIdle.
  void set_idle_checkpoint(std::function<void()> checkpoint) {
    idle_checkpoint_ = std::move(checkpoint);
  }

 private:
  bool BatchDue() const;
  // True when another writer waits for the database: asked when the batch
  // is due, else every writer_probe_records records once min_turn is over.
  bool OthersWaiting(bool batch_due) const;
  Status CommitIfOpen();
  // The input ended or a stop came: CommitIfOpen(), then what the end means
  // to the records (RecordApplier::EndOfInput()).
  Status Finish();
  Status EmitChanges();
  void UpdateMetrics(size_t batch_records);

  RecordSource* source_;
  RecordApplier* applier_;
  OutputWriter* changes_out_;
  Metrics* metrics_;
  Options options_;
  WalWatch* wal_watch_ = nullptr;
  std::function<void()> idle_checkpoint_;
  std::chrono::steady_clock::time_point batch_started_{};
  uint64_t commits_ = 0;
  std::string line_;  // an emitted change, reused
};

}  // namespace ch

#endif  // CH_STORE_APPLY_LOOP_H_
