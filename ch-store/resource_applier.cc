// ResourceApplier: see resource_applier.h.
#include "ch-store/resource_applier.h"

#include <charconv>
#include <string>
#include <utility>

#include "ch-store/statement_binder.h"
#include "common/json.h"

namespace ch {

namespace {

// A resource is found by the hash of its URI (an integer index, see
// migrations/0003_resources.sql) and then its URI.
// A snapshot not newer than the last complete one of its stream changes
// nothing, not even by adding a resource: one it holds that the newer
// snapshot lacks was removed from the register in between. ?1 stream,
// ?2 the date of as_of.
constexpr const char* kSelectNewerSnapshotSql =
    "SELECT 1 FROM stream_state WHERE stream = ?1 AND last_snapshot_as_of >= ?2";
// The stored resource's id, and whether its resource_kind and
// company_number are ?3 and ?4 (the update below that keeps them is then
// the one to run): the row is read anyway, to compare the URI.
constexpr const char* kSelectResourceSql =
    "SELECT id, resource_kind = ?3 AND company_number IS ?4 FROM resources"
    " WHERE uri_hash = ?1 AND resource_uri = ?2";
// ?1 resource_uri, ?2 stream, ?3 resource_kind, ?4 resource_id,
// ?5 company_number, ?6 timepoint, ?7 published_at, ?8 as_of, ?9 source,
// ?10 deleted, ?11 data, ?12 updated_at, ?13 uri_hash, ?14 typed_row.
constexpr const char* kInsertResourceSql =
    "INSERT INTO resources(resource_uri, stream, resource_kind, resource_id, company_number,"
    " timepoint, published_at, as_of, source, deleted, data, updated_at, uri_hash, typed_row)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
// The update that decides precedence and writes in one statement: it
// changes the stored resource (?13 its id; the other parameters as above)
// only WHERE the record is newer than it (the rule at the top of
// resource_applier.h), so Changes() says whether it won. The WHERE reads
// the stored values, before the SET. It comes in two: the first leaves
// resource_kind and company_number as they are, for a stored resource whose
// are the record's (they come from the URI, so they never differ in
// practice; kSelectResourceSql says which), because SQLite rewrites the
// entry of every index on a column an UPDATE sets, here the partial
// indexes on company_number of 0008_typed_views.sql: a page at a random
// place per re-published filing (100,000 filing records, ch-store alone
// 1.11-1.20 s -> 0.82-0.92 s, 2 runs each). The second sets them.
constexpr const char* kUpdateResourceSet =
    "UPDATE resources SET stream = ?2, resource_id = coalesce(?4, resource_id),"
    " timepoint = ?6, published_at = ?7, as_of = ?8, source = ?9,"
    " deleted = ?10, data = coalesce(?11, data), updated_at = ?12,"
    // The typed row goes with the data: kept by a record without data (a
    // deletion), unless there is none yet.
    " typed_row = CASE WHEN ?11 IS NULL THEN coalesce(typed_row, ?14) ELSE ?14 END";
// The first also matches the URI, so that ?13 may be an id from the
// ResourceIdCache, which may name another resource by now.
constexpr const char* kSameKeysWhere =
    " WHERE id = ?13 AND resource_uri = ?1 AND resource_kind = ?3 AND company_number IS ?5";
constexpr const char* kNewKeysWhere = ", resource_kind = ?3, company_number = ?5 WHERE id = ?13";
constexpr const char* kUpdatePrecedence =
    " AND CASE"
    // A snapshot replaces only an older state.
    "  WHEN ?9 = 'bulk' THEN as_of IS NULL OR ?8 > as_of"
    // Two records of the same stream: the timepoint (the checkpoint has
    // already ordered them; this also holds against a checkpoint set back).
    "  WHEN source = 'stream' AND stream = ?2 THEN timepoint IS NULL OR ?6 > timepoint"
    // Another stream's record: as_of, a tie to the newcomer; unknown dates
    // do not hold it back.
    "  WHEN source = 'stream' THEN as_of IS NULL OR ?8 IS NULL OR ?8 >= as_of"
    // A stream record against a snapshot: as_of, a tie to the stream; an
    // unknown date does not hold it back either (tests/oracle.py alike).
    "  ELSE as_of IS NULL OR ?8 IS NULL OR ?8 >= as_of"
    " END";

std::string QuotedName(std::string_view name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

StatusOr<std::unique_ptr<ResourceApplier>> ResourceApplier::Create(ApplyTransaction* txn,
                                                                   SignalWriter* signals,
                                                                   size_t id_cache_buckets) {
  std::unique_ptr<ResourceApplier> applier(new ResourceApplier(txn, signals, id_cache_buckets));
  Status s = applier->Prepare();
  if (!s.ok()) return s;
  return applier;
}

Status ResourceApplier::Prepare() {
  const std::string update_same_keys =
      std::string(kUpdateResourceSet) + kSameKeysWhere + kUpdatePrecedence;
  const std::string update_new_keys =
      std::string(kUpdateResourceSet) + kNewKeysWhere + kUpdatePrecedence;
  struct {
    Statement* stmt;
    const char* sql;
  } const statements[] = {
      {&select_resource_, kSelectResourceSql},
      {&select_newer_snapshot_, kSelectNewerSnapshotSql},
      {&insert_resource_, kInsertResourceSql},
      {&update_resource_, update_same_keys.c_str()},
      {&update_resource_keys_, update_new_keys.c_str()},
      {&select_table_,
       "SELECT type = 'view' FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?1"},
      {&select_columns_, "SELECT name, pk, \"notnull\" FROM pragma_table_info(?1) ORDER BY cid"},
  };
  for (const auto& s : statements) {
    StatusOr<Statement> stmt = txn_->db()->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  return Status::Ok();
}

StatusOr<ResourceApplier::Table*> ResourceApplier::FindTable(std::string_view name) {
  for (const std::unique_ptr<Table>& t : tables_) {
    if (t->name == name) return t.get();
  }
  // `resources` has the three columns too, but is no typed table; neither
  // is anything of SQLite's own.
  if (name == "resources" || name.substr(0, 7) == "sqlite_") return nullptr;
  auto table = std::make_unique<Table>();
  {
    ResetOnExit reset(&select_table_);
    Status s = select_table_.BindText(1, name, false);
    if (!s.ok()) return s;
    StatusOr<bool> row = select_table_.Step();
    if (!row.ok()) return row.status();
    if (!*row) return nullptr;
    table->view = select_table_.ColumnInt64(0) != 0;
  }
  table->name.assign(name);
  int key_columns = 0;
  bool keyed_by_resource = false;
  std::vector<bool> not_null;
  {
    ResetOnExit reset(&select_columns_);
    Status s = select_columns_.BindText(1, name, false);
    if (!s.ok()) return s;
    for (;;) {
      StatusOr<bool> row = select_columns_.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      table->columns.emplace_back(select_columns_.ColumnText(0));
      not_null.push_back(select_columns_.ColumnInt64(2) != 0);
      if (select_columns_.ColumnInt64(1) > 0) {
        ++key_columns;
        keyed_by_resource = table->columns.back() == "resource_rowid";
      }
    }
  }
  for (size_t i = 0; i < table->columns.size(); ++i) {
    const std::string& c = table->columns[i];
    if (c == "resource_uri") table->resource_uri = static_cast<int>(i);
    if (c == "company_number") table->company_number = static_cast<int>(i);
    if (c == "deleted") table->deleted = static_cast<int>(i);
    if (c == "resource_rowid") table->resource_rowid = static_cast<int>(i);
  }
  if (table->resource_uri < 0 || table->company_number < 0 || table->deleted < 0 ||
      table->resource_rowid < 0)
    return nullptr;
  table->one_row_per_resource = key_columns == 1 && keyed_by_resource;
  for (size_t i = 0; i < table->columns.size(); ++i) {
    const int c = static_cast<int>(i);
    if (not_null[i] && c != table->resource_uri && c != table->company_number &&
        c != table->deleted && c != table->resource_rowid)
      table->required.push_back(c);
  }
  if (table->view) {
    for (size_t i = 0; i < table->columns.size(); ++i) {
      const int c = static_cast<int>(i);
      const bool row_column = c != table->resource_uri && c != table->company_number &&
                              c != table->deleted && c != table->resource_rowid;
      table->row_position.push_back(row_column ? table->row_width++ : -1);
    }
    tables_.push_back(std::move(table));
    return tables_.back().get();
  }
  const std::string quoted = QuotedName(name);
  std::string columns;
  std::string values;
  for (size_t i = 0; i < table->columns.size(); ++i) {
    if (i > 0) {
      columns += ", ";
      values += ", ";
    }
    columns += QuotedName(table->columns[i]);
    values += "?" + std::to_string(i + 1);
  }
  // The stored row of a resource is rewritten in place (UPDATE), not
  // replaced: a replacement deletes and inserts the row's entry in every
  // index of the table, at the same place, which dirties an index page for
  // nothing; in a daily PSC snapshot over millions of rows that was a page
  // read and written per line. Its resource_uri and company_number are
  // compared, not set, so that the company_number index is left alone; a
  // row whose differ (none does: both come from the URI) is replaced.
  std::string sets;
  const auto param = [](int column) { return "?" + std::to_string(column + 1); };
  for (size_t i = 0; i < table->columns.size(); ++i) {
    const int c = static_cast<int>(i);
    if (c == table->resource_uri || c == table->company_number || c == table->resource_rowid)
      continue;
    if (!sets.empty()) sets += ", ";
    sets += QuotedName(table->columns[i]) + " = " + param(c);
  }
  const std::string update_sql = "UPDATE " + quoted + " SET " + sets +
                                 " WHERE resource_rowid = " + param(table->resource_rowid) +
                                 " AND resource_uri = " + param(table->resource_uri) +
                                 " AND company_number IS " + param(table->company_number);
  // OR REPLACE: two rows of one record with the same key (a bug upstream)
  // leave the last one instead of failing the transaction again and again;
  // in a table keyed by resource_rowid alone it also replaces the stored row.
  struct {
    Statement* stmt;
    std::string sql;
  } const statements[] = {
      {&table->insert,
       "INSERT OR REPLACE INTO " + quoted + "(" + columns + ") VALUES(" + values + ")"},
      {&table->remove, "DELETE FROM " + quoted + " WHERE resource_rowid = ?1"},
      {&table->mark, "UPDATE " + quoted + " SET deleted = ?2 WHERE resource_rowid = ?1"},
      // Only a table with one row per resource rewrites rows in place.
      {table->one_row_per_resource ? &table->update : nullptr, update_sql},
  };
  for (const auto& s : statements) {
    if (s.stmt == nullptr) continue;
    StatusOr<Statement> stmt = txn_->db()->Prepare(s.sql);
    if (!stmt.ok()) return stmt.status();
    *s.stmt = std::move(stmt).value();
  }
  tables_.push_back(std::move(table));
  return tables_.back().get();
}

bool ResourceApplier::MapCells(const ResourceRecord& r, const Table& table,
                               std::string* reject_reason) {
  cell_columns_.clear();
  const int count = static_cast<int>(table.columns.size());
  size_t cell = 0;
  for (const uint32_t size : r.row_sizes) {
    for (uint32_t k = 0; k < size; ++k, ++cell) {
      const std::string_view name = r.cells[cell].column;
      // Rows come in the table's column order, after resource_uri and
      // company_number: look there first.
      int column = static_cast<int>(k) + 2;
      if (column >= count || table.columns[column] != name) {
        column = -1;
        for (int i = 0; i < count; ++i) {
          if (table.columns[i] == name) {
            column = i;
            break;
          }
        }
      }
      if (column < 0 || column == table.resource_uri || column == table.company_number ||
          column == table.deleted || column == table.resource_rowid) {
        *reject_reason = "ch-store: row member \"" + std::string(name.substr(0, 60)) +
                         "\" is not a row column of table " + table.name;
        return false;
      }
      cell_columns_.push_back(column);
    }
    // Every required column has a value in this row (a few columns: a
    // scan of the row's cells for each).
    for (const int required : table.required) {
      bool given = false;
      for (size_t c = cell - size; c < cell && !given; ++c)
        given = cell_columns_[c] == required && r.cells[c].type != RowCell::Type::kNull;
      if (!given) {
        *reject_reason = "ch-store: a row of table " + table.name + " has no value for " +
                         table.columns[static_cast<size_t>(required)];
        return false;
      }
    }
  }
  return true;
}

Status ResourceApplier::Apply(const ResourceRecord& r, std::string* reject_reason) {
  reject_reason->clear();
  ApplyTransaction::StreamState* st = nullptr;
  if (!r.bulk) {
    StatusOr<ApplyTransaction::StreamState*> state = txn_->State(r.stream);
    if (!state.ok()) return state.status();
    st = *state;
    if (txn_->Seen(*st, *r.timepoint)) return Status::Ok();
  }
  Table* table = nullptr;
  if (r.table) {
    StatusOr<Table*> found = FindTable(*r.table);
    if (!found.ok()) return found.status();
    table = *found;
    if (table == nullptr) {
      *reject_reason = "ch-store: no typed table \"" + std::string(r.table->substr(0, 60)) + "\"";
      return Status::Ok();
    }
    if (!MapCells(r, *table, reject_reason)) return Status::Ok();
    if (table->view && r.row_sizes.size() > 1) {
      *reject_reason = "ch-store: table " + table->name +
                       " is a view over resources: " + std::to_string(r.row_sizes.size()) +
                       " rows for one resource";
      return Status::Ok();
    }
  }

  ++txn_->pending().resources;
  // A record without a row leaves its resource out of the view, as it
  // would leave a table without its row.
  std::optional<std::string_view> typed_row;
  if (table != nullptr && table->view && !r.row_sizes.empty()) {
    typed_row = EncodeTypedRow(r, *table);
  }
  StatusOr<std::optional<Winner>> won = UpsertResource(r, typed_row);
  if (!won.ok()) return won.status();
  if (won->has_value()) {
    if ((*won)->keys_changed) {
      Status s = RemoveRowsOfOtherTables((*won)->id, table);
      if (!s.ok()) return s;
    }
    if (table != nullptr && !table->view) {
      Status s = WriteRows(r, **won, table);
      if (!s.ok()) return s;
    }
    // A deletion is no event to act on (phase2-spec: its signals are []).
    if (!r.deleted) {
      Status s = AddSignals(r);
      if (!s.ok()) return s;
    }
  } else {
    ++txn_->pending().superseded;
  }
  if (r.bulk) {
    ++txn_->pending().bulk_applied;
    return Status::Ok();
  }
  return txn_->Advance(st, *r.timepoint, r.published_at);
}

std::string_view ResourceApplier::EncodeTypedRow(const ResourceRecord& r, const Table& table) {
  row_cells_.assign(static_cast<size_t>(table.row_width), nullptr);
  for (size_t cell = 0; cell < r.cells.size(); ++cell)
    row_cells_[static_cast<size_t>(table.row_position[cell_columns_[cell]])] = &r.cells[cell];
  typed_row_.assign(1, '[');
  for (size_t i = 0; i < row_cells_.size(); ++i) {
    if (i > 0) typed_row_.push_back(',');
    const RowCell* c = row_cells_[i];
    if (c == nullptr || c->type == RowCell::Type::kNull) {
      typed_row_.append("null");
    } else if (c->type == RowCell::Type::kInteger) {
      char digits[24];
      const std::to_chars_result end = std::to_chars(digits, digits + sizeof digits, c->integer);
      typed_row_.append(digits, end.ptr);
    } else if (!c->json.empty()) {
      typed_row_.append(c->json);  // the string as written: no second encoding
    } else {
      AppendJsonString(&typed_row_, c->text);
    }
  }
  typed_row_.push_back(']');
  return typed_row_;
}

StatusOr<std::optional<ResourceApplier::Winner>> ResourceApplier::UpsertResource(
    const ResourceRecord& r, std::optional<std::string_view> typed_row) {
  if (r.bulk) {
    StatusOr<bool> newer = NewerSnapshotRecorded(r.stream, *r.as_of);
    if (!newer.ok()) return newer.status();
    if (*newer) return std::optional<Winner>();
  }
  const int64_t uri_hash = r.uri_hash;
  std::optional<int64_t> known;
  if (!r.bulk) known = known_ids_.Find(uri_hash);
  if (known) {
    // A re-published resource: straight to its row. No change means the id
    // no longer names it, or the record lost; the lookup below decides.
    Status s = WriteResource(&update_resource_, r, typed_row, *known);
    if (!s.ok()) return s;
    if (txn_->db()->Changes() > 0) return std::optional<Winner>(Winner{*known, true});
  }
  std::optional<int64_t> stored;
  bool same_keys = false;
  {
    ResetOnExit reset(&select_resource_);
    Binder b(&select_resource_);
    b.Int(1, uri_hash);
    b.Text(2, r.resource_uri);
    b.Text(3, r.resource_kind);
    b.Text(4, r.company_number);
    if (!b.status().ok()) return b.status();
    StatusOr<bool> row = select_resource_.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      stored = select_resource_.ColumnInt64(0);
      same_keys = select_resource_.ColumnInt64(1) != 0;
    }
  }
  // The update just tried by the known id, with the same keys, lost.
  if (stored && same_keys && stored == known) return std::optional<Winner>();
  Statement* stmt = !stored     ? &insert_resource_
                    : same_keys ? &update_resource_
                                : &update_resource_keys_;
  Status s = WriteResource(stmt, r, typed_row, stored ? *stored : uri_hash);
  if (!s.ok()) return s;
  // An INSERT always writes; an UPDATE only when the record is newer.
  const int64_t id = stored ? *stored : txn_->db()->LastInsertRowId();
  if (r.bulk) {
    snapshot_lines_.Note(r.as_of->substr(0, 10), id, r.table);
  } else {
    known_ids_.Put(uri_hash, id);
  }
  if (txn_->db()->Changes() == 0) return std::optional<Winner>();
  return std::optional<Winner>(Winner{id, stored.has_value(), stmt == &update_resource_keys_});
}

Status ResourceApplier::WriteResource(Statement* stmt, const ResourceRecord& r,
                                      std::optional<std::string_view> typed_row,
                                      int64_t id_or_hash) {
  ResetOnExit reset(stmt);
  Binder b(stmt);
  b.Text(1, r.resource_uri);
  b.Text(2, r.stream);
  b.Text(3, r.resource_kind);
  b.Text(4, r.resource_id);
  b.Text(5, r.company_number);
  b.Int(6, r.bulk ? std::nullopt : r.timepoint);
  b.Text(7, r.published_at);
  b.Text(8, r.as_of);
  b.Text(9, r.bulk ? "bulk" : "stream");
  b.Int(10, r.deleted ? 1 : 0);
  b.Text(11, r.data);
  b.Text(12, txn_->Now());
  b.Int(13, id_or_hash);
  b.Text(14, typed_row);
  if (!b.status().ok()) return b.status();
  return stmt->Run();
}

StatusOr<bool> ResourceApplier::NewerSnapshotRecorded(std::string_view stream,
                                                      std::string_view as_of) {
  const std::string_view date = as_of.substr(0, 10);
  if (newer_snapshot_ && newer_snapshot_->stream == stream && newer_snapshot_->as_of_date == date)
    return newer_snapshot_->recorded;
  ResetOnExit reset(&select_newer_snapshot_);
  Binder b(&select_newer_snapshot_);
  b.Text(1, stream);
  b.Text(2, date);
  if (!b.status().ok()) return b.status();
  StatusOr<bool> row = select_newer_snapshot_.Step();
  if (!row.ok()) return row.status();
  newer_snapshot_ = NewerSnapshot{std::string(stream), std::string(date), *row};
  return *row;
}

Status ResourceApplier::WriteRows(const ResourceRecord& r, const Winner& winner, Table* table) {
  const int64_t id = winner.id;
  if (r.data) {
    // The whole resource: its rows are exactly the record's now (an
    // insolvency record with one case fewer loses a row). One row of a
    // table keyed by the resource rewrites the stored one in place, or is
    // inserted (replacing a stored row whose key columns differ).
    if (table->one_row_per_resource && r.row_sizes.size() == 1) {
      if (winner.was_stored) {
        Status s = RunRow(&table->update, r, id, *table, 0, r.row_sizes[0]);
        if (!s.ok() || txn_->db()->Changes() > 0) return s;
      }
    } else {
      ResetOnExit reset(&table->remove);
      Status s = table->remove.BindInt64(1, id);
      if (s.ok()) s = table->remove.Run();
      if (!s.ok()) return s;
    }
    return InsertRows(r, id, table);
  }
  // No data (a deletion without it): the stored rows keep their values and
  // take the mark; a resource never seen gets its stub rows.
  {
    ResetOnExit reset(&table->mark);
    Binder b(&table->mark);
    b.Int(1, id);
    b.Int(2, r.deleted ? 1 : 0);
    Status s = b.status();
    if (s.ok()) s = table->mark.Run();
    if (!s.ok()) return s;
  }
  if (txn_->db()->Changes() > 0) return Status::Ok();
  return InsertRows(r, id, table);
}

Status ResourceApplier::RemoveRowsOfOtherTables(int64_t id, const Table* keep) {
  // Rare (a URI whose kind changed: not seen in real events), so the
  // schema is read each time: every table keyed by a resource.
  std::vector<std::string> names;
  {
    StatusOr<Statement> list = txn_->db()->Prepare(
        "SELECT m.name FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p"
        " WHERE m.type = 'table' AND p.name = 'resource_rowid' ORDER BY m.name");
    if (!list.ok()) return list.status();
    for (;;) {
      StatusOr<bool> row = list->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      names.emplace_back(list->ColumnText(0));
    }
  }
  for (const std::string& name : names) {
    if (keep != nullptr && keep->name == name) continue;
    StatusOr<Table*> other = FindTable(name);
    if (!other.ok()) return other.status();
    if (*other == nullptr || (*other)->view) continue;
    ResetOnExit reset(&(*other)->remove);
    Status s = (*other)->remove.BindInt64(1, id);
    if (s.ok()) s = (*other)->remove.Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ResourceApplier::InsertRows(const ResourceRecord& r, int64_t id, Table* table) {
  size_t cell = 0;
  for (const uint32_t size : r.row_sizes) {
    Status s = RunRow(&table->insert, r, id, *table, cell, size);
    if (!s.ok()) return s;
    cell += size;
  }
  return Status::Ok();
}

Status ResourceApplier::RunRow(Statement* stmt, const ResourceRecord& r, int64_t id,
                               const Table& table, size_t first_cell, uint32_t size) {
  ResetOnExit reset(stmt);
  Binder b(stmt);
  b.Text(table.resource_uri + 1, r.resource_uri);
  b.Text(table.company_number + 1, r.company_number);
  b.Int(table.deleted + 1, r.deleted ? 1 : 0);
  b.Int(table.resource_rowid + 1, id);
  for (size_t cell = first_cell; cell < first_cell + size; ++cell) {
    const RowCell& c = r.cells[cell];
    const int index = cell_columns_[cell] + 1;
    switch (c.type) {
      case RowCell::Type::kNull:
        break;  // unbound: NULL
      case RowCell::Type::kInteger:
        b.Int(index, c.integer);
        break;
      case RowCell::Type::kText:
        b.Text(index, c.text);
        break;
    }
  }
  Status s = b.status();
  if (s.ok()) s = stmt->Run();
  return s;
}

Status ResourceApplier::AddSignals(const ResourceRecord& r) {
  for (const ResourceSignal& signal : r.signals) {
    SignalFields f;
    f.signal = signal.signal;
    f.key = signal.key;
    f.stream = r.stream;
    f.bulk = r.bulk;
    f.company_number = r.company_number;
    f.timepoint = r.bulk ? std::nullopt : r.timepoint;
    // As for status changes: a snapshot's state is dated by the snapshot.
    f.published_at = r.published_at ? r.published_at : r.as_of;
    f.occurred_on = signal.occurred_on;
    f.resource_uri = r.resource_uri;
    f.detail = signal.detail;
    StatusOr<bool> added = signals_->Record(f);
    if (!added.ok()) return added.status();
  }
  return Status::Ok();
}

}  // namespace ch
