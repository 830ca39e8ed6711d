// RecordApplier: see record_applier.h.
#include "ch-store/record_applier.h"

#include <chrono>
#include <utility>

#include "ch-store/deferred_psc_index.h"
#include "common/log.h"
#include "common/signals.h"

namespace ch {

StatusOr<std::unique_ptr<RecordApplier>> RecordApplier::Create(SqliteDb* db, Options options) {
  std::unique_ptr<RecordApplier> applier(new RecordApplier());
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(db);
  if (!txn.ok()) return txn.status();
  applier->txn_ = std::move(txn).value();
  applier->txn_->set_writer_queue(options.writer_queue);
  applier->bulk_cache_kib_ = options.bulk_cache_kib;
  StatusOr<std::unique_ptr<SignalWriter>> signals =
      SignalWriter::Create(applier->txn_.get(), options.collect_changes);
  if (!signals.ok()) return signals.status();
  applier->signals_ = std::move(signals).value();
  CompanyApplier::Options company_options;
  company_options.collect_changes = options.collect_changes;
  company_options.bulk_cache_kib = options.bulk_cache_kib;
  company_options.state_cache_entries = options.state_cache_entries;
  StatusOr<std::unique_ptr<CompanyApplier>> company =
      CompanyApplier::Create(applier->txn_.get(), applier->signals_.get(), company_options);
  if (!company.ok()) return company.status();
  applier->company_ = std::move(company).value();
  StatusOr<std::unique_ptr<ResourceApplier>> resource = ResourceApplier::Create(
      applier->txn_.get(), applier->signals_.get(), options.resource_id_buckets);
  if (!resource.ok()) return resource.status();
  applier->resource_ = std::move(resource).value();
  StatusOr<std::unique_ptr<ControlApplier>> control = ControlApplier::Create(applier->txn_.get());
  if (!control.ok()) return control.status();
  applier->control_ = std::move(control).value();
  return applier;
}

RecordApplier::~RecordApplier() { Rollback(); }

Status RecordApplier::Begin() {
  for (UnfinishedImport& u : unfinished_) u.pending = false;
  Status s = txn_->Begin();
  // What the company applier remembers is stale when another connection
  // wrote in between (and after a failed Begin, which rolled back).
  if (!s.ok() || txn_->others_wrote()) company_->ForgetRemembered();
  // Another writer may have completed a snapshot since the last answer.
  resource_->ForgetNewerSnapshot();
  return s;
}

Status RecordApplier::Commit() {
  for (UnfinishedImport& u : unfinished_) {
    if (!u.pending || u.as_of_date.empty()) continue;
    // So that an import stopped where it could not say so (kill -9, a full
    // disk) still shows in `status`: the lines and this mark commit
    // together, and the snapshot_end or the end of the input replaces it.
    Status s = control_->RecordSnapshotRunning(u.import, u.as_of_date, u.lines);
    if (!s.ok()) {
      Rollback();
      return s;
    }
    u.pending = false;
  }
  Status s = txn_->Commit();
  // A failed commit rolled back: the remembered states may never have been.
  if (!s.ok()) company_->ForgetRemembered();
  return s;
}

void RecordApplier::Rollback() {
  for (UnfinishedImport& u : unfinished_) u.pending = false;
  if (txn_ != nullptr) txn_->Rollback();
  if (company_ != nullptr) company_->ForgetRemembered();
  if (resource_ != nullptr) resource_->ForgetNewerSnapshot();
}

void RecordApplier::NoteSnapshotLine(SnapshotImport import, std::string_view as_of) {
  UnfinishedImport& u = Unfinished(import);
  const std::string_view date = as_of.substr(0, 10);
  if (date != u.as_of_date) {
    u.as_of_date.assign(date);
    u.lines = 0;
  }
  ++u.lines;
  u.pending = true;
}

Status RecordApplier::EndOfInput() {
  for (UnfinishedImport& u : unfinished_) {
    if (u.as_of_date.empty()) continue;
    Status s = Begin();
    if (!s.ok()) return s;
    s = control_->RecordSnapshotCutOff(u.import, u.as_of_date, u.lines);
    if (!s.ok()) {
      Rollback();
      return s;
    }
    s = Commit();
    if (!s.ok()) return s;
    u.as_of_date.clear();
  }
  // Whether this process or another deferred it, the schema says (one
  // read when nothing is missing).
  return EnsurePscIndex();
}

Status RecordApplier::EnsurePscIndex() {
  // Read first: nearly always the index is there, and a write lock taken
  // for nothing would make the other writers wait.
  StatusOr<bool> missing = PscIndexMissing(txn_->db());
  if (!missing.ok() || !*missing) return missing.status();
  // A stop must be prompt, without waiting even for the write lock: the
  // next start of a writer builds the index.
  const auto stopped = [] {
    LogInfo("index pscs_company_number not built: stop requested", {});
    return Status::Ok();
  };
  if (StopRequested()) return stopped();
  Status s = Begin();
  if (!s.ok()) return s;
  missing = PscIndexMissing(txn_->db());  // another writer may have built it
  if (!missing.ok() || !*missing) {
    Rollback();
    return missing.status();
  }
  const auto started = std::chrono::steady_clock::now();
  s = BuildPscIndex(txn_->db(), kPscIndexSortCacheKib);
  if (s.ok()) s = Commit();
  if (!s.ok()) {
    Rollback();
    return StopRequested() ? stopped() : s;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  LogInfo("index pscs_company_number built", {{"seconds", seconds}});
  return Status::Ok();
}

Status RecordApplier::Apply(const Record& record) {
  if (!txn_->open()) return Status::Internal("Apply() outside a transaction");
  switch (record.kind) {
    case RecordKind::kBlank:
      return Status::Ok();
    case RecordKind::kCompany: {
      const CompanyRecord& c = record.company;
      StatusOr<bool> rejected = CountAndScreen(c.stream, c.bulk, c.timepoint, c.line);
      if (!rejected.ok() || *rejected) return rejected.status();
      if (c.bulk) NoteSnapshotLine(SnapshotImport::kCompanyBulk, *c.as_of);
      return company_->Apply(c);
    }
    case RecordKind::kResource: {
      const ResourceRecord& r = record.resource;
      StatusOr<bool> rejected = CountAndScreen(r.stream, r.bulk, r.timepoint, r.line);
      if (!rejected.ok() || *rejected) return rejected.status();
      if (r.bulk && !resource_bulk_tuned_) {
        // As for company bulk rows (CompanyApplier): a snapshot writes all
        // over its tables' b-trees, and with the stream's small cache a
        // transaction spills to the WAL every few hundred records.
        resource_bulk_tuned_ = true;
        Status s = txn_->db()->Exec("PRAGMA cache_size = -" + std::to_string(bulk_cache_kib_));
        if (!s.ok()) return s;
        StatusOr<bool> deferred = DeferPscIndexForFirstSnapshot(txn_->db());
        if (!deferred.ok()) return deferred.status();
      }
      if (r.bulk) NoteSnapshotLine(SnapshotImport::kPscSnapshot, *r.as_of);
      Status s = resource_->Apply(r, &reject_reason_);
      if (!s.ok() || reject_reason_.empty()) return s;
      return StoreReject(r.stream, r.bulk, r.timepoint, r.line);
    }
    case RecordKind::kReject:
      txn_->CountRecord(/*stream=*/true);
      return control_->ApplyReject(record.reject);
    case RecordKind::kGap:
      txn_->CountRecord(/*stream=*/true);
      return control_->ApplyGap(record.gap);
    case RecordKind::kSnapshotEnd:
      txn_->CountRecord(/*stream=*/false);
      Unfinished(record.snapshot_end.psc_snapshot ? SnapshotImport::kPscSnapshot
                                                  : SnapshotImport::kCompanyBulk)
          .as_of_date.clear();
      // It may record a complete snapshot: the next line must ask again.
      resource_->ForgetNewerSnapshot();
      return control_->ApplySnapshotEnd(
          record.snapshot_end, resource_->RepeatedSnapshotLines(record.snapshot_end.as_of_date));
  }
  return Status::Internal("unknown record kind");
}

StatusOr<bool> RecordApplier::CountAndScreen(std::string_view stream, bool bulk,
                                             std::optional<int64_t> timepoint,
                                             std::string_view line) {
  txn_->CountRecord(/*stream=*/!bulk);
  if (bulk) return false;  // a snapshot line has no timepoint
  return RejectedAsImplausible(stream, *timepoint, line);
}

StatusOr<bool> RecordApplier::RejectedAsImplausible(std::string_view stream, int64_t timepoint,
                                                    std::string_view line) {
  StatusOr<ApplyTransaction::StreamState*> state = txn_->State(stream);
  if (!state.ok()) return state.status();
  const std::optional<int64_t>& checkpoint = (*state)->checkpoint;
  const int64_t from = checkpoint.value_or(0);
  if (WithinTimepointJump(timepoint, from)) return false;
  reject_reason_ = "ch-store: timepoint " + std::to_string(timepoint) + " is more than 2^32 past " +
                   (checkpoint ? "the checkpoint " + std::to_string(*checkpoint) + " of its stream"
                               : std::string("0, and its stream has no checkpoint yet")) +
                   ": not trusted";
  Status s = StoreReject(stream, /*bulk=*/false, timepoint, line);
  if (!s.ok()) return s;
  return true;
}

Status RecordApplier::StoreReject(std::string_view stream, bool bulk,
                                  std::optional<int64_t> timepoint, std::string_view line) {
  RejectRecord reject;
  reject.stream = stream;
  reject.source = bulk ? "bulk" : "stream";
  reject.timepoint = timepoint;
  reject.reason = reject_reason_;
  reject.raw = line.substr(0, kMaxRejectRawBytes);
  reject.raw_length = line.size();
  return control_->ApplyReject(reject);
}

}  // namespace ch
