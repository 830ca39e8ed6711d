// RecordApplier: the write path of ch-store. It applies decoded records to
// the database inside one immediate transaction at a time, exactly as
// DESIGN.md's "Delivery guarantees" and "Database" sections say. It is the
// front of three parts:
//
//  * ApplyTransaction (apply_transaction.h), the one owner of the
//    transaction and of the per-stream checkpoints: dedupe on the checkpoint
//    (read inside the write transaction, written back in the same transaction
//    as the data it covers, so two writers by mistake cannot apply a record
//    twice and a crash loses data and checkpoint together or not at all),
//    the counters, and the changes collected for --emit-changes;
//  * one applier per record kind, each in its own file, holding that kind's
//    rules and statements: CompanyApplier (company_applier.h),
//    ResourceApplier (resource_applier.h: every other kind of resource) and
//    ControlApplier (control_applier.h: rejects, gaps, snapshot_end), with
//    the SignalWriter (signal_writer.h) they add signals through;
//  * this class, which hands each record to its applier.
#ifndef CH_STORE_RECORD_APPLIER_H_
#define CH_STORE_RECORD_APPLIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-store/apply_transaction.h"
#include "ch-store/company_applier.h"
#include "ch-store/control_applier.h"
#include "ch-store/record_decoder.h"
#include "ch-store/resource_applier.h"
#include "ch-store/resource_id_cache.h"
#include "ch-store/signal.h"
#include "ch-store/signal_writer.h"
#include "ch-store/status_change.h"
#include "common/sqlite_db.h"
#include "common/status.h"
#include "common/timepoint_jump.h"

namespace ch {

class RecordApplier {
 public:
  struct Options {
    /// Collect each status change and each new signal for --emit-changes.
    bool collect_changes = false;
    /// PRAGMA cache_size (KiB) once bulk records arrive: a snapshot touches
    /// every page of the table, a stream replay only a few.
    int bulk_cache_kib = 32768;
    /// Other ch-store processes writing the same database take turns
    /// through this (writer_queue.h); not owned, null: none.
    WriterQueue* writer_queue = nullptr;
    /// Companies whose stored state is remembered (see company_state_cache.h).
    size_t state_cache_entries = CompanyStateCache::kDefaultMaxEntries;
    /// Buckets of the resource ids remembered (see resource_id_cache.h).
    size_t resource_id_buckets = ResourceIdCache::kDefaultBuckets;
  };

  // Prepares the statements. REQUIRES: `db` migrated to the latest schema and
  // outliving the applier.
  static StatusOr<std::unique_ptr<RecordApplier>> Create(SqliteDb* db, Options options);
  RecordApplier(const RecordApplier&) = delete;
  RecordApplier& operator=(const RecordApplier&) = delete;
  ~RecordApplier();

  // BEGIN IMMEDIATE; forgets every checkpoint held in memory.
  Status Begin();
  bool in_transaction() const { return txn_->open(); }

  // Applies one record. REQUIRES: in_transaction(). On error the caller must
  // Rollback(): the transaction may hold part of the record.
  Status Apply(const Record& record);

  // Writes the checkpoints that moved and commits. On failure everything since
  // Begin() is rolled back.
  Status Commit();
  // Rolls back everything since Begin() (also safe when not in a transaction).
  void Rollback();
  // At the end of the input (or a stop), after the last Commit(): a PSC
  // snapshot or company bulk file whose lines came without their
  // snapshot_end (ch-parse died, or this process was stopped) is recorded
  // as incomplete, in a transaction of its own, so that `status` says the
  // import is short.
  // REQUIRES: !in_transaction().
  // Then builds the pscs index when it is missing: a first PSC snapshot
  // import deferred it (deferred_psc_index.h).
  Status EndOfInput();
  // Builds the pscs(company_number) index in a transaction of its own when
  // it is missing (an import that deferred it stopped before its end); a
  // stop signal cancels it. At every writer's start, and by EndOfInput().
  // REQUIRES: !in_transaction().
  Status EnsurePscIndex();

  // Records handled in the open transaction.
  uint64_t pending_records() const { return txn_->pending().records; }
  bool pending_has_stream_records() const { return txn_->pending_has_stream_records(); }
  // Totals over committed transactions.
  const ApplyCounters& totals() const { return txn_->totals(); }
  // Changes committed by the last Commit() (collect_changes only).
  const std::vector<StatusChange>& committed_changes() const { return txn_->committed_changes(); }
  // Signals (new ones) committed by the last Commit() (collect_changes only).
  const std::vector<Signal>& committed_signals() const { return txn_->committed_signals(); }
  // The queue of writers given in Options (null: none).
  WriterQueue* writer_queue() const { return txn_->writer_queue(); }
  // The checkpoint of the stream whose checkpoint the last Commit() moved.
  std::optional<int64_t> last_committed_checkpoint() const {
    return txn_->last_committed_checkpoint();
  }

 private:
  RecordApplier() = default;
  // Counts a line of the snapshot of `as_of` (see EndOfInput()).
  void NoteSnapshotLine(SnapshotImport import, std::string_view as_of);
  // Stores a record ch-store turned down (why: reject_reason_), its line
  // kept, as a reject.
  Status StoreReject(std::string_view stream, bool bulk, std::optional<int64_t> timepoint,
                     std::string_view line);
  // Counts a company or resource record, then screens it: true, after
  // storing it as a reject, when it must not be applied
  // (RejectedAsImplausible).
  StatusOr<bool> CountAndScreen(std::string_view stream, bool bulk,
                                std::optional<int64_t> timepoint, std::string_view line);
  // True, after storing it as a reject, when a stream record's timepoint is
  // more than kMaxTimepointJump past its stream's checkpoint
  // (common/timepoint_jump.h).
  StatusOr<bool> RejectedAsImplausible(std::string_view stream, int64_t timepoint,
                                       std::string_view line);

  std::unique_ptr<ApplyTransaction> txn_;
  std::unique_ptr<SignalWriter> signals_;
  std::unique_ptr<CompanyApplier> company_;
  std::unique_ptr<ResourceApplier> resource_;
  std::unique_ptr<ControlApplier> control_;
  int bulk_cache_kib_ = 0;
  bool resource_bulk_tuned_ = false;  // the page cache raised for bulk resources
  // A snapshot whose lines are coming, until its snapshot_end.
  struct UnfinishedImport {
    SnapshotImport import;
    std::string as_of_date;  // empty: none
    int64_t lines = 0;       // how many came
    // Lines of it applied in the open transaction: its commit records the
    // import as running (ControlApplier::RecordSnapshotRunning).
    bool pending = false;
  };
  UnfinishedImport unfinished_[2] = {{SnapshotImport::kCompanyBulk, {}, 0, false},
                                     {SnapshotImport::kPscSnapshot, {}, 0, false}};
  UnfinishedImport& Unfinished(SnapshotImport import) {
    return unfinished_[import == SnapshotImport::kPscSnapshot ? 1 : 0];
  }
  std::string reject_reason_;  // why ch-store turned a record down
  std::string reject_raw_;
};

}  // namespace ch

#endif  // CH_STORE_RECORD_APPLIER_H_
