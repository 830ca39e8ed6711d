// ApplyTransaction: the one owner of ch-store's write transaction and of
// everything that lives and dies with it. The appliers (one per record kind:
// company_applier.h, control_applier.h) write their rows
// through it; it holds what they share:
//
//  * the immediate transaction (BEGIN IMMEDIATE holds SQLite's write lock
//    until Commit() or Rollback());
//  * the per-stream checkpoints (StreamState): read from stream_state inside
//    the transaction on first use, moved in memory by each stream record
//    applied (Advance()), written back by Commit() in the same transaction as
//    the data they cover, forgotten at every Begin() (another writer may have
//    moved them) and at Rollback();
//  * the counters of the open transaction, added to the totals only when it
//    commits, and the status changes and signals collected for
//    --emit-changes, handed over only when they are durable.
#ifndef CH_STORE_APPLY_TRANSACTION_H_
#define CH_STORE_APPLY_TRANSACTION_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-store/record_decoder.h"
#include "ch-store/signal.h"
#include "ch-store/status_change.h"
#include "ch-store/writer_queue.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// What the appliers did, for metrics and logs. Totals count committed work only.
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
  uint64_t records = 0;    // every non-blank record handled
  uint64_t resources = 0;  // resource records applied (winning or not)
  uint64_t signals = 0;    // signals added (not seen before)

  void Add(const ApplyCounters& other);
};

class ApplyTransaction {
 public:
  // The checkpoint and gap state of one stream, as this transaction sees it.
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

  // Prepares the statements. REQUIRES: `db` migrated to the latest schema
  // and outliving this object.
  static StatusOr<std::unique_ptr<ApplyTransaction>> Create(SqliteDb* db);
  ApplyTransaction(const ApplyTransaction&) = delete;
  ApplyTransaction& operator=(const ApplyTransaction&) = delete;
  ~ApplyTransaction();

  // BEGIN IMMEDIATE; forgets every checkpoint held in memory. On failure
  // nothing is open.
  Status Begin();
  bool open() const { return txn_.has_value(); }
  // True when another connection committed between our previous transaction
  // and this one (PRAGMA data_version moved): anything an applier remembers
  // of the database is then stale. Valid after a successful Begin().
  bool others_wrote() const { return others_wrote_; }

  // Writes the checkpoints that moved and commits. On failure everything
  // since Begin() is rolled back.
  Status Commit();
  // Rolls back everything since Begin() (also safe when nothing is open).
  void Rollback();

  // The state of `stream`, read inside the transaction on first use.
  // REQUIRES: open().
  StatusOr<StreamState*> State(std::string_view stream);
  // True (and counted as skipped) when a stream record at `timepoint` is at
  // or below the checkpoint of `st`: it must change nothing.
  bool Seen(const StreamState& st, int64_t timepoint);
  // A stream record at `timepoint` was applied (or lost to a newer state):
  // moves the checkpoint, and fills the resumed_timepoint of a gap waiting
  // for one.
  Status Advance(StreamState* st, int64_t timepoint, OptText published_at);

  // Counts a record handled in this transaction (`stream`: it came from a
  // stream, which keeps batches small).
  void CountRecord(bool stream) {
    ++pending_.records;
    if (stream) pending_stream_ = true;
  }
  ApplyCounters& pending() { return pending_; }
  bool pending_has_stream_records() const { return pending_stream_; }
  const ApplyCounters& totals() const { return totals_; }

  // Collected for --emit-changes; handed over by Commit().
  std::vector<StatusChange>& pending_changes() { return pending_changes_; }
  std::vector<Signal>& pending_signals() { return pending_signals_; }
  const std::vector<StatusChange>& committed_changes() const { return committed_changes_; }
  const std::vector<Signal>& committed_signals() const { return committed_signals_; }
  std::optional<int64_t> last_committed_checkpoint() const { return last_committed_checkpoint_; }

  // UTC wall clock "YYYY-MM-DDTHH:MM:SSZ", formatted once per second.
  std::string_view Now();

  SqliteDb* db() const { return db_; }

  // Other writers of the database, if any (writer_queue.h): a blocked
  // Begin() then queues. Not owned; null: none.
  void set_writer_queue(WriterQueue* queue) { queue_ = queue; }
  WriterQueue* writer_queue() const { return queue_; }

 private:
  explicit ApplyTransaction(SqliteDb* db) : db_(db) {}
  Status Prepare();
  void ClearPending();

  SqliteDb* db_;
  WriterQueue* queue_ = nullptr;
  std::optional<Transaction> txn_;
  std::vector<StreamState> streams_;
  // PRAGMA data_version at the last Begin(): it moves only when another
  // connection commits.
  std::optional<int64_t> data_version_;
  bool others_wrote_ = false;
  bool pending_stream_ = false;
  ApplyCounters pending_;
  ApplyCounters totals_;
  std::vector<StatusChange> pending_changes_;
  std::vector<StatusChange> committed_changes_;
  std::vector<Signal> pending_signals_;
  std::vector<Signal> committed_signals_;
  std::optional<int64_t> last_committed_checkpoint_;
  std::time_t now_second_ = 0;
  std::string now_text_;

  Statement select_state_;
  Statement select_awaiting_resume_;
  Statement update_resumed_;
  Statement upsert_state_;
};

}  // namespace ch

#endif  // CH_STORE_APPLY_TRANSACTION_H_
