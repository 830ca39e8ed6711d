// ResourceApplier: applies resource records (every stream's resources but
// company profiles: filings, officers, PSCs, charges, insolvency cases...)
// inside the transaction an ApplyTransaction owns, as DESIGN.md's "Every
// stream" and phase2-spec section 3 say:
//
//  * dedupe by the stream's checkpoint, exactly as company records;
//  * the newest state per resource_uri wins: between two stream records of
//    the same stream the higher timepoint, otherwise `as_of` (a tie goes to
//    the stream; an older or equal snapshot changes nothing, and a snapshot
//    not newer than its stream's last complete one adds no resource
//    either: what it holds and the newer one lacked was removed from the
//    register in between). The resource is found by the hash of its URI
//    (a SELECT), then inserted, or updated by an UPDATE whose WHERE is the
//    rule; a stream record whose resource this process met lately skips the
//    SELECT and updates it by the id the ResourceIdCache remembers (an
//    UPDATE that also matches the URI: the id is a hint, and when it
//    changes nothing the SELECT decides). A `deleted` event sets the mark and
//    keeps the stored data when it carries none; a resource never seen
//    before is created, marked;
//  * the winner's typed rows: with `data`, the rows of that resource_uri are
//    replaced by the record's rows (deleted as the event says); without,
//    the stored rows get the event's mark, or the record's identity-only
//    stub rows are inserted when there are none;
//  * the winner's signals are added once (SignalWriter: INSERT OR IGNORE on
//    the unique key); a `deleted` event adds none, a record that lost adds
//    none.
//
// Typed tables are found in the schema, not in the code: a table whose
// columns include resource_uri, company_number, deleted and resource_rowid
// (`resources` aside) takes rows, and its INSERT is built from its columns
// (PRAGMA table_info), so a new typed table needs a migration and no C++.
// Typed rows are found by resource_rowid, the `id` the upsert of
// `resources` returns (migrations/0003_resources.sql says why not by URI).
// A record that names a table the schema does not have, or a row member
// that is not a column of its table (or is one of the four ch-store fills
// in), means
// ch-parse and ch-store disagree about the schema: the record is not
// applied, and the caller stores it as a reject (its bytes kept, the
// checkpoint not moved by it) rather than keep a row that silently lost a
// value.
//
// Derived tables: a typed table may be a view over `resources` instead
// (migrations/0008_typed_views.sql: filings and officers). Its one row per
// resource is then stored in the resource's own row, as `typed_row`: a JSON
// array of the row's cells in the order of the view's columns (all but the
// four above), NULL where the record has none; the view reads them back by
// position. The upsert of `resources` writes it with the rest: a newer
// record's row replaces it, a deletion without data keeps it (as `data`),
// and a resource never seen takes the record's stub row. A record with
// more than one row for such a table is a reject like the ones above; one
// with none leaves its resource out of the view.
// Why: a typed row in a table of its own is a second page at a random place
// rewritten by every commit that changes the resource; for the busiest
// streams that was half of ch-store's work (README.md "Performance").
#ifndef CH_STORE_RESOURCE_APPLIER_H_
#define CH_STORE_RESOURCE_APPLIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-store/apply_transaction.h"
#include "ch-store/record_decoder.h"
#include "ch-store/resource_id_cache.h"
#include "ch-store/signal_writer.h"
#include "ch-store/snapshot_line_tally.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

class ResourceApplier {
 public:
  // Prepares the statements. REQUIRES: `txn` and `signals` outliving the
  // applier.
  // `id_cache_buckets` sizes the ResourceIdCache (0: none).
  static StatusOr<std::unique_ptr<ResourceApplier>> Create(
      ApplyTransaction* txn, SignalWriter* signals,
      size_t id_cache_buckets = ResourceIdCache::kDefaultBuckets);
  ResourceApplier(const ResourceApplier&) = delete;
  ResourceApplier& operator=(const ResourceApplier&) = delete;

  // Applies one resource record. REQUIRES: txn->open(). When the record
  // disagrees with the schema (see the top of this file) nothing is written
  // and `*reject_reason` says why; else it is left empty.
  Status Apply(const ResourceRecord& r, std::string* reject_reason);
  // The lines of the PSC snapshot of `as_of_date` applied so far that named
  // a resource an earlier one had named (snapshot_line_tally.h).
  PscSnapshotReceived RepeatedSnapshotLines(std::string_view as_of_date) const {
    return snapshot_lines_.repeated(as_of_date);
  }
  // Forgets whether a complete snapshot newer than a snapshot line is
  // recorded (the answer it keeps while nothing writes stream_state's
  // snapshot columns): RecordApplier calls it at every transaction
  // boundary and after every snapshot_end.
  void ForgetNewerSnapshot() { newer_snapshot_.reset(); }

 private:
  // A typed table: its columns and the statements that write its rows.
  struct Table {
    std::string name;
    std::vector<std::string> columns;  // in the table's order
    int resource_uri = -1;             // column indexes
    int company_number = -1;
    int deleted = -1;
    int resource_rowid = -1;
    // resource_rowid is the table's whole key: it holds one row per resource.
    bool one_row_per_resource = false;
    // A view over resources: rows go to resources.typed_row (see the top of
    // this file), and none of the statements below is prepared.
    bool view = false;
    // For each column: its element in typed_row (view only), else -1.
    std::vector<int> row_position;
    int row_width = 0;  // elements of typed_row
    // The row columns declared NOT NULL (a table's only): a row must give
    // each a value, or its record is a reject. Inserting it would fail the
    // whole transaction, again at every restart.
    std::vector<int> required;
    Statement insert;  // every column, ?N = column N-1
    // one_row_per_resource: the row columns and deleted of the row of
    // resource_rowid, when its resource_uri and company_number are the
    // record's (?N as for insert).
    Statement update;
    Statement remove;  // the rows of resource_rowid ?1
    Statement mark;    // deleted = ?2 on the rows of resource_rowid ?1
  };

  ResourceApplier(ApplyTransaction* txn, SignalWriter* signals, size_t id_cache_buckets)
      : txn_(txn), signals_(signals), known_ids_(id_cache_buckets) {}
  Status Prepare();
  // The typed table `name`, read from the schema on first use; null when
  // the schema has no such typed table.
  StatusOr<Table*> FindTable(std::string_view name);
  // Maps every cell of `r` to a column of `table` (cell_columns_); false
  // with the reason when one is not a row column, or a row lacks a value
  // for a required column.
  bool MapCells(const ResourceRecord& r, const Table& table, std::string* reject_reason);
  // A record that won: its resource's id, whether the resource was stored
  // before it (then its typed row can be rewritten in place), and whether
  // the record changed its stored kind or company number.
  struct Winner {
    int64_t id;
    bool was_stored;
    bool keys_changed = false;
  };
  // Upserts `resources`, with `typed_row` for a derived table: the winner
  // when the record won, else nullopt.
  StatusOr<std::optional<Winner>> UpsertResource(const ResourceRecord& r,
                                                 std::optional<std::string_view> typed_row);
  // Binds the record to the insert (?13 the URI's hash) or an update (?13
  // the stored id) of `resources`, and runs it.
  Status WriteResource(Statement* stmt, const ResourceRecord& r,
                       std::optional<std::string_view> typed_row, int64_t id_or_hash);
  // The record's one row as the typed_row of view `table` (in typed_row_,
  // valid until the next call).
  std::string_view EncodeTypedRow(const ResourceRecord& r, const Table& table);
  // The winner's rows, in the typed rows of its resource.
  Status WriteRows(const ResourceRecord& r, const Winner& winner, Table* table);
  // Deletes the rows of resource `id` from every typed table but `keep`
  // (null: from all): a resource that changed kind leaves its old table.
  Status RemoveRowsOfOtherTables(int64_t id, const Table* keep);
  Status InsertRows(const ResourceRecord& r, int64_t id, Table* table);
  // Binds the row of `r` whose cells start at `first_cell` (`size` of them)
  // to `stmt` (?N = column N-1 of `table`) and runs it.
  Status RunRow(Statement* stmt, const ResourceRecord& r, int64_t id, const Table& table,
                size_t first_cell, uint32_t size);
  Status AddSignals(const ResourceRecord& r);
  // Whether a complete snapshot of `stream` at least as new as `as_of` is
  // recorded: the snapshot line changes nothing then.
  StatusOr<bool> NewerSnapshotRecorded(std::string_view stream, std::string_view as_of);

  ApplyTransaction* txn_;
  SignalWriter* signals_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<int> cell_columns_;          // for each cell of the record: its column index
  std::vector<const RowCell*> row_cells_;  // EncodeTypedRow's cells by position
  std::string typed_row_;
  Statement select_resource_;
  Statement select_newer_snapshot_;  // a complete snapshot at least as new (stream, as_of)
  Statement insert_resource_;
  // Of the row with id ?13 AND the record's URI, kind and company number
  // (the id may come from known_ids_, which is only a hint).
  Statement update_resource_;
  Statement update_resource_keys_;  // of the row with id ?13, setting kind and company number
  Statement select_table_;
  Statement select_columns_;
  SnapshotLineTally snapshot_lines_;
  // Ids of the resources stream records wrote or found (not bulk records:
  // a snapshot names each resource once).
  ResourceIdCache known_ids_;
  // The last answer of select_newer_snapshot_: every line of a snapshot
  // asks the same question (100,000 lines, 5 alternating runs: 0.95 s
  // with the query per line, 0.87 s without it; within the noise at
  // 500,000 lines through ch-parse | ch-store).
  struct NewerSnapshot {
    std::string stream;
    std::string as_of_date;
    bool recorded;
  };
  std::optional<NewerSnapshot> newer_snapshot_;
};

}  // namespace ch

#endif  // CH_STORE_RESOURCE_APPLIER_H_
