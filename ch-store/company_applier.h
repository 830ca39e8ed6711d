// CompanyApplier: applies company records (the companies stream and the bulk
// snapshot) inside the transaction an ApplyTransaction owns, as DESIGN.md's
// "Database" section says:
//
//  * an older state never overwrites a newer one: among stream records the
//    timepoint decides (the checkpoint has already ordered them); between a
//    snapshot and anything else `as_of` decides and a tie goes to the stream
//    (a stream record still advances the checkpoint when a newer snapshot
//    state wins);
//  * a status_changes row exactly when the stored (status, detail) pair
//    changes, a stream first sighting included; a snapshot is the baseline
//    (a company first seen in bulk writes none); a null status keeps the
//    stored pair; a `deleted` event only sets the mark;
//  * a status change into dissolved or into a strike-off proposal adds its
//    signal (signal.h), keyed by the status_changes row, in the same
//    transaction.
//
// It remembers the state of companies it wrote (CompanyStateCache), so a
// stream record for a company seen a moment ago needs no SELECT; the owner
// tells it to forget (ForgetRemembered()) whenever that memory may be stale.
#ifndef CH_STORE_COMPANY_APPLIER_H_
#define CH_STORE_COMPANY_APPLIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ch-store/apply_transaction.h"
#include "ch-store/company_state_cache.h"
#include "ch-store/record_decoder.h"
#include "ch-store/signal_writer.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

class CompanyApplier {
 public:
  struct Options {
    /// Collect each status change for --emit-changes (also reads the stored
    /// name, and turns the remembered state off).
    bool collect_changes = false;
    /// PRAGMA cache_size (KiB) once bulk records arrive.
    int bulk_cache_kib = 32768;
    /// Companies whose stored state is remembered (see company_state_cache.h).
    size_t state_cache_entries = CompanyStateCache::kDefaultMaxEntries;
  };

  // Prepares the statements. REQUIRES: `txn` and `signals` outliving the
  // applier.
  static StatusOr<std::unique_ptr<CompanyApplier>> Create(ApplyTransaction* txn,
                                                          SignalWriter* signals, Options options);
  CompanyApplier(const CompanyApplier&) = delete;
  CompanyApplier& operator=(const CompanyApplier&) = delete;

  // Applies one company record. REQUIRES: txn->open().
  Status Apply(const CompanyRecord& c);

  // Forgets the remembered company states (a rollback, another writer).
  void ForgetRemembered() { cache_.Clear(); }

 private:
  // A nullable text that keeps its buffer between uses (no allocation per record).
  struct OptString {
    bool has = false;
    std::string text;
    OptText view() const { return has ? OptText(text) : std::nullopt; }
  };

  // The stored state of one company, copied out of the SELECT.
  struct Stored {
    bool exists = false;
    bool from_stream = false;
    bool deleted = false;
    int64_t rowid = 0;
    OptString status;
    OptString detail;
    OptString as_of;
    OptString name;  // read only when collecting changes
  };

  // Whether `c` replaces the stored state (see the top of this file).
  static bool Wins(const CompanyRecord& c, const Stored& stored);

  CompanyApplier(ApplyTransaction* txn, SignalWriter* signals, Options options);
  Status Prepare();
  // Fills stored_ from the row or (`use_cache`: for a stream record) from
  // the cache.
  Status LoadStored(std::string_view company_number, bool use_cache);
  // Inserts (insert_company_) or updates the stored row (update_company_).
  Status WriteCompany(Statement* stmt, const CompanyRecord& c, OptText status, OptText detail);
  Status InsertDeletedStub(const CompanyRecord& c);
  Status MarkDeleted();  // the stored company
  Status RecordChange(const CompanyRecord& c, OptText new_status, OptText new_detail);
  // The signal of the status change `change_id`, if it is one.
  Status RecordSignal(const CompanyRecord& c, int64_t change_id, OptText published_at,
                      OptText old_status, OptText old_detail, OptText new_status,
                      OptText new_detail);

  ApplyTransaction* txn_;
  SignalWriter* signals_;
  SqliteDb* db_;
  Options options_;
  Stored stored_;
  // Off with collect_changes, which also needs the stored name.
  bool cache_enabled_ = true;
  CompanyStateCache cache_;
  bool bulk_tuned_ = false;
  bool bulk_rows_are_new_ = true;  // the last bulk record was a new company
  std::string signal_key_;         // "status:<id>", reused
  std::string signal_uri_;         // "/company/<number>", reused

  Statement select_company_;
  Statement insert_company_;
  Statement insert_new_company_;  // insert_company_ unless the number exists
  Statement update_company_;
  Statement insert_deleted_stub_;
  Statement mark_deleted_;
  Statement insert_change_;
};

}  // namespace ch

#endif  // CH_STORE_COMPANY_APPLIER_H_
