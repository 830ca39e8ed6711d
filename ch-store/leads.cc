// Leads: see leads.h.
#include "ch-store/leads.h"

#include <unistd.h>

#include <vector>

#include "ch-store/commands.h"
#include "ch-store/csv_writer.h"
#include "ch-store/migrator.h"
#include "ch-store/store_db.h"
#include "common/json.h"

namespace ch {

namespace {

// The view `leads` appears with schema version 2.
constexpr int kLeadsSchemaVersion = 2;

template <size_t N>
std::vector<const char*> Columns(const std::array<const char*, N>& columns) {
  return std::vector<const char*>(columns.begin(), columns.end());
}

std::string SelectSql(const std::vector<const char*>& columns) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += columns[i];
  }
  sql += " FROM leads WHERE id > ?1 AND (?2 IS NULL OR published_at >= ?2) ORDER BY id";
  return sql;
}

// The view over signals has a `signal` column; the phase-1 view has none.
StatusOr<bool> LeadsViewHasSignals(SqliteDb* db) {
  StatusOr<std::optional<int64_t>> n =
      db->QueryInt64("SELECT count(*) FROM pragma_table_info('leads') WHERE name = 'signal'");
  if (!n.ok()) return n.status();
  return n->value_or(0) > 0;
}

}  // namespace

StatusOr<int64_t> WriteLeads(SqliteDb* db, const LeadsQuery& query, OutputWriter* out) {
  StatusOr<bool> signals = LeadsViewHasSignals(db);
  if (!signals.ok()) return signals.status();
  const std::vector<const char*> columns =
      *signals ? Columns(kLeadColumns) : Columns(kPhaseOneLeadColumns);
  StatusOr<Statement> stmt = db->Prepare(SelectSql(columns));
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindInt64(1, query.after_id.value_or(0));
  if (s.ok()) s = stmt->BindOptionalText(2, query.since);
  if (!s.ok()) return s;
  std::string line;
  if (query.format == LeadsFormat::kCsv) {
    CsvRecord header;
    for (const char* column : columns) header.Add(column);
    s = out->WriteRaw(header.Finish());
    if (!s.ok()) return s;
  }
  int64_t rows = 0;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ++rows;
    if (query.format == LeadsFormat::kCsv) {
      CsvRecord record;
      for (size_t i = 0; i < columns.size(); ++i) {
        record.Add(stmt->ColumnIsNull(static_cast<int>(i))
                       ? std::nullopt
                       : std::optional(stmt->ColumnText(static_cast<int>(i))));
      }
      s = out->WriteRaw(record.Finish());
    } else {
      line = "{";
      for (size_t i = 0; i < columns.size(); ++i) {
        const int col = static_cast<int>(i);
        if (i > 0) line.push_back(',');
        AppendJsonKey(&line, columns[i]);
        if (stmt->ColumnIsNull(col)) {
          line.append("null");
        } else if (sqlite3_column_type(stmt->get(), col) == SQLITE_INTEGER) {
          line.append(std::to_string(stmt->ColumnInt64(col)));
        } else {
          AppendJsonString(&line, stmt->ColumnText(col));
        }
      }
      line.push_back('}');
      s = out->WriteLine(line);
    }
    if (!s.ok()) return s;
  }
  s = out->Flush();
  if (!s.ok()) return s;
  return rows;
}

int RunLeads(const StoreOptions& options) {
  StatusOr<Migrator> migrator = Migrator::Embedded();
  if (!migrator.ok()) return ExitWithError(migrator.status());
  StatusOr<ReadOnlyStore> store =
      OpenStoreForReading(options.db, *migrator, options.busy_timeout_ms);
  if (!store.ok()) return ExitWithError(store.status());
  if (!store->db || store->version < kLeadsSchemaVersion) return 0;
  LeadsQuery query;
  query.after_id = options.after_id;
  query.since = options.since;
  query.format = options.format == "ndjson" ? LeadsFormat::kNdjson : LeadsFormat::kCsv;
  OutputWriter out(STDOUT_FILENO);
  StatusOr<int64_t> rows = WriteLeads(&*store->db, query, &out);
  if (!rows.ok()) return ExitWithError(rows.status());
  return 0;
}

}  // namespace ch
