// RecordApplier: the write path of ch-store. It applies decoded records to
// the database inside one immediate transaction at a time, exactly as
// DESIGN.md's "Delivery guarantees" and "Database" sections say:
//
//  * dedupe on the checkpoint: a stream record whose timepoint is not above
//    stream_state.timepoint changes nothing. The checkpoint is read inside
//    the write transaction (BEGIN IMMEDIATE holds the write lock), kept in
//    memory for the rest of it, and written back in the same transaction as
//    the data it covers, so two writers by mistake cannot apply a record
//    twice and a crash loses data and checkpoint together or not at all;
//  * an older state never overwrites a newer one: among stream records the
//    timepoint decides; between a snapshot and anything else `as_of` decides
//    and a tie goes to the stream (a stream record still advances the
//    checkpoint when a newer snapshot state wins);
//  * a status_changes row exactly when the stored (status, detail) pair
//    changes, a stream first sighting included; a snapshot is the baseline
//    (a company first seen in bulk writes none); a null status keeps the
//    stored pair; a `deleted` event only sets the mark;
//  * rejects are stored once (by hash), gaps once per open gap, and a
//    snapshot_end line heals the gaps its snapshot covers.
//
// Statements are prepared once and reused; texts are bound without copies.
#ifndef CH_STORE_RECORD_APPLIER_H_
#define CH_STORE_RECORD_APPLIER_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-store/company_state_cache.h"
#include "ch-store/record_decoder.h"
#include "ch-store/status_change.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// What the applier did, for metrics and logs. Totals count committed work only.
struct ApplyCounters {
  uint64_t stream_applied = 0;  // stream records past the checkpoint
  uint64_t bulk_applied = 0;    // bulk records (winning or not)
  uint64_t skipped = 0;         // stream records at or below the checkpoint
  uint64_t superseded = 0;      // records that lost to a newer stored state
  uint64_t rejects = 0;         // reject records seen
  uint64_t rejects_stored = 0;  // of which new (not seen before)
  uint64_t status_changes = 0;
  uint64_t gaps = 0;  // gap rows added
  uint64_t gaps_healed = 0;
  uint64_t records = 0;  // every non-blank record handled

  void Add(const ApplyCounters& other);
};

class RecordApplier {
 public:
  struct Options {
    /// Collect each status change for --emit-changes.
    bool collect_changes = false;
    /// PRAGMA cache_size (KiB) once bulk records arrive: a snapshot touches
    /// every page of the table, a stream replay only a few.
    int bulk_cache_kib = 32768;
    /// Companies whose stored state is remembered (see company_state_cache.h).
    size_t state_cache_entries = CompanyStateCache::kDefaultMaxEntries;
  };

  // Prepares the statements. REQUIRES: `db` migrated to the latest schema and
  // outliving the applier.
  static StatusOr<std::unique_ptr<RecordApplier>> Create(SqliteDb* db, Options options);
  RecordApplier(const RecordApplier&) = delete;
  RecordApplier& operator=(const RecordApplier&) = delete;
  ~RecordApplier();

  // BEGIN IMMEDIATE; forgets every checkpoint held in memory.
  Status Begin();
  bool in_transaction() const { return txn_.has_value(); }

  // Applies one record. REQUIRES: in_transaction(). On error the caller must
  // Rollback(): the transaction may hold part of the record.
  Status Apply(const Record& record);

  // Writes the checkpoints that moved and commits. On failure everything since
  // Begin() is rolled back.
  Status Commit();
  // Rolls back everything since Begin() (also safe when not in a transaction).
  void Rollback();

  // Records handled in the open transaction.
  uint64_t pending_records() const { return pending_.records; }
  bool pending_has_stream_records() const { return pending_stream_; }
  // True once SQLite had to write dirty pages of the open transaction to the
  // WAL before its commit because the page cache is full. Committing then is
  // cheaper than going on: pages changed again after being spilled make
  // SQLite rewrite the checksums of every later frame at commit.
  bool cache_spilled() const;
  // Totals over committed transactions.
  const ApplyCounters& totals() const { return totals_; }
  // Changes committed by the last Commit() (collect_changes only).
  const std::vector<StatusChange>& committed_changes() const { return committed_changes_; }
  // The checkpoint of the stream whose checkpoint the last Commit() moved.
  std::optional<int64_t> last_committed_checkpoint() const { return last_committed_checkpoint_; }

 private:
  struct StreamState {
    std::string stream;
    bool loaded = false;
    std::optional<int64_t> checkpoint;
    std::string last_published_at;
    bool has_last_published_at = false;
    bool dirty = false;            // checkpoint moved in this transaction
    bool awaiting_resume = false;  // a gap waits for its resumed_timepoint

    // Drops what was read from the database (keeps the name).
    void Forget() {
      loaded = false;
      checkpoint.reset();
      has_last_published_at = false;
      dirty = false;
      awaiting_resume = false;
    }
  };

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

  RecordApplier(SqliteDb* db, Options options);
  Status Prepare();
  StatusOr<StreamState*> State(std::string_view stream);
  Status ApplyCompany(const CompanyRecord& c);
  Status ApplyReject(const RejectRecord& r);
  Status ApplyGap(const GapRecord& g);
  Status ApplySnapshotEnd(const SnapshotEndRecord& e);
  // Fills stored_ from the row or (`use_cache`: for a stream record) from
  // the cache.
  Status LoadStored(std::string_view company_number, bool use_cache);
  // Inserts (insert_company_) or updates the stored row (update_company_).
  Status WriteCompany(Statement* stmt, const CompanyRecord& c, OptText status, OptText detail);
  Status InsertDeletedStub(const CompanyRecord& c);
  Status MarkDeleted();  // the stored company
  Status RecordChange(const CompanyRecord& c, OptText new_status, OptText new_detail);
  // UTC wall clock "YYYY-MM-DDTHH:MM:SSZ", formatted once per second.
  std::string_view Now();

  SqliteDb* db_;
  Options options_;
  std::optional<Transaction> txn_;
  std::vector<StreamState> streams_;
  Stored stored_;
  // Off with collect_changes, which also needs the stored name.
  bool cache_enabled_ = true;
  CompanyStateCache cache_;
  // PRAGMA data_version at the last Begin(): it moves only when another
  // connection commits, which makes the cache stale.
  std::optional<int64_t> data_version_;
  bool bulk_tuned_ = false;
  bool bulk_rows_are_new_ = true;  // the last bulk record was a new company
  bool pending_stream_ = false;
  ApplyCounters pending_;
  ApplyCounters totals_;
  std::vector<StatusChange> pending_changes_;
  std::vector<StatusChange> committed_changes_;
  std::optional<int64_t> last_committed_checkpoint_;
  std::time_t now_second_ = 0;
  std::string now_text_;

  Statement select_company_;
  Statement insert_company_;
  Statement insert_new_company_;  // insert_company_ unless the number exists
  Statement update_company_;
  Statement insert_deleted_stub_;
  Statement mark_deleted_;
  Statement insert_change_;
  Statement select_state_;
  Statement select_awaiting_resume_;
  Statement update_resumed_;
  Statement upsert_state_;
  Statement insert_reject_;
  Statement select_open_gap_;
  Statement insert_gap_;
  Statement heal_gaps_;
  Statement upsert_snapshot_state_;
};

}  // namespace ch

#endif  // CH_STORE_RECORD_APPLIER_H_
