// Leads: see leads.h.
#include "ch-store/leads.h"

#include <unistd.h>

#include "ch-store/commands.h"
#include "ch-store/csv_writer.h"
#include "ch-store/migrator.h"
#include "ch-store/store_db.h"
#include "common/json.h"

namespace ch {

namespace {

// The view `leads` appears with schema version 2.
constexpr int kLeadsSchemaVersion = 2;

std::string SelectSql() {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < kLeadColumns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += kLeadColumns[i];
  }
  sql += " FROM leads WHERE id > ?1 AND (?2 IS NULL OR changed_at >= ?2) ORDER BY id";
  return sql;
}

}  // namespace

StatusOr<int64_t> WriteLeads(SqliteDb* db, const LeadsQuery& query, OutputWriter* out) {
  StatusOr<Statement> stmt = db->Prepare(SelectSql());
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindInt64(1, query.after_id.value_or(0));
  if (s.ok()) s = stmt->BindOptionalText(2, query.since);
  if (!s.ok()) return s;
  std::string line;
  if (query.format == LeadsFormat::kCsv) {
    CsvRecord header;
    for (const char* column : kLeadColumns) header.Add(column);
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
      for (size_t i = 0; i < kLeadColumns.size(); ++i) {
        record.Add(stmt->ColumnIsNull(static_cast<int>(i))
                       ? std::nullopt
                       : std::optional(stmt->ColumnText(static_cast<int>(i))));
      }
      s = out->WriteRaw(record.Finish());
    } else {
      line = "{";
      for (size_t i = 0; i < kLeadColumns.size(); ++i) {
        const int col = static_cast<int>(i);
        if (i > 0) line.push_back(',');
        AppendJsonKey(&line, kLeadColumns[i]);
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
