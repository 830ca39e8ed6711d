// ControlApplier: applies the records that are about the stream rather than
// a company or a resource, inside the transaction an ApplyTransaction owns:
//
//  * rejects are stored once (by the hash of their bytes, per stream) and
//    never move a checkpoint (their timepoint cannot be trusted);
//  * a gap is recorded once while it is open (a repeated 416 for the same
//    timepoint adds nothing), and the next stream record stored after it
//    fills its resumed_timepoint (ApplyTransaction::Advance);
//  * a snapshot_end line heals the stream's gaps detected before the
//    snapshot's date and records the snapshot in stream_state;
//  * a PSC snapshot's snapshot_end does so for the three streams the
//    snapshot covers, only when its counts say it was complete
//    (psc_snapshot_check.h); an incomplete one heals nothing, logs what was
//    missing and records it in stream_state for `ch-store status`;
//  * an import of either kind (the company bulk file, the PSC snapshot)
//    still without its snapshot_end is recorded as incomplete at each of
//    its commits, and at the end of an input that lacked it, so that
//    `status` tells an import stopped half-way (kill -9, a full disk).
#ifndef CH_STORE_CONTROL_APPLIER_H_
#define CH_STORE_CONTROL_APPLIER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ch-store/apply_transaction.h"
#include "ch-store/record_decoder.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// The two bulk imports: their stream_state rows are those of
// kPscSnapshotStreams (the PSC snapshot) or of `companies` (the company bulk
// file).
enum class SnapshotImport { kCompanyBulk, kPscSnapshot };

class ControlApplier {
 public:
  // Prepares the statements. REQUIRES: `txn` outliving the applier.
  static StatusOr<std::unique_ptr<ControlApplier>> Create(ApplyTransaction* txn);
  ControlApplier(const ControlApplier&) = delete;
  ControlApplier& operator=(const ControlApplier&) = delete;

  // Each REQUIRES: txn->open().
  Status ApplyReject(const RejectRecord& r);
  Status ApplyGap(const GapRecord& g);
  // A snapshot's end. A PSC snapshot's is complete (healing) only when the
  // lines received, less those that named a resource again (`repeated`),
  // match its totals; a company bulk file's `repeated` is unused.
  Status ApplySnapshotEnd(const SnapshotEndRecord& e, const PscSnapshotReceived& repeated);
  // Records the snapshot of `as_of_date` as incomplete, `missing` saying
  // why (for `status`), and logs it; heals nothing.
  Status RecordSnapshotIncomplete(SnapshotImport import, std::string_view as_of_date,
                                  const std::string& missing, std::optional<int64_t> rows);
  // Records the snapshot of `as_of_date`, of which `lines` lines were
  // applied and no snapshot_end yet, as incomplete with the wall clock of
  // this commit (snapshot_running_at): an import still running, or one that
  // stopped where nothing could say so (kill -9, a full disk). Not logged:
  // it is written at every commit of an import.
  Status RecordSnapshotRunning(SnapshotImport import, std::string_view as_of_date, int64_t lines);
  // Records that the input ended after `lines` lines of the snapshot of
  // `as_of_date` and without its snapshot_end (ch-parse died, or this
  // process was stopped): incomplete, logged.
  Status RecordSnapshotCutOff(SnapshotImport import, std::string_view as_of_date, int64_t lines);

 private:
  explicit ControlApplier(ApplyTransaction* txn) : txn_(txn) {}
  Status Prepare();
  // The incomplete snapshot's columns of the import's streams' rows;
  // `running_at` unset: the import is over.
  Status UpsertIncomplete(SnapshotImport import, std::string_view as_of_date,
                          const std::string& missing, std::optional<std::string_view> running_at);

  Status ApplyPscSnapshotEnd(const SnapshotEndRecord& e, const PscSnapshotReceived& repeated);
  // Heals the open gaps of `stream` detected before 00:00Z of `as_of_date`;
  // returns how many.
  StatusOr<int> HealGaps(std::string_view stream, std::string_view as_of_date);

  ApplyTransaction* txn_;
  Statement insert_reject_;
  Statement select_open_gap_;
  Statement insert_gap_;
  Statement heal_gaps_;
  Statement upsert_snapshot_state_;
  Statement upsert_psc_complete_;
  Statement upsert_incomplete_;
};

}  // namespace ch

#endif  // CH_STORE_CONTROL_APPLIER_H_
