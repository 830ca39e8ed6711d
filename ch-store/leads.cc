// Leads: see leads.h.
#include "ch-store/leads.h"

#include <unistd.h>

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "ch-store/commands.h"
#include "ch-store/csv_writer.h"
#include "ch-store/migrator.h"
#include "ch-store/store_db.h"
#include "ch-store/text_table.h"
#include "common/json.h"

namespace ch {

namespace {

// The view `leads` appears with schema version 2.
constexpr int kLeadsSchemaVersion = 2;
// The table's width when neither COLUMNS nor a terminal tells.
constexpr size_t kDefaultTableWidth = 100;

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

// The table of `spec`'s columns, and where each is among `columns`.
template <size_t N>
TextTable MakeTable(const std::array<LeadsTableColumn, N>& spec,
                    const std::vector<const char*>& columns, std::vector<int>* indexes) {
  std::vector<TextTable::Column> table_columns;
  for (const LeadsTableColumn& c : spec) {
    table_columns.push_back({c.header, c.flexible, c.right_aligned});
    int index = -1;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (std::string_view(columns[i]) == c.column) index = static_cast<int>(i);
    }
    indexes->push_back(index);
  }
  return TextTable(std::move(table_columns));
}

std::string CountLine(int64_t rows) {
  return std::to_string(rows) + (rows == 1 ? " lead" : " leads");
}

}  // namespace

LeadsFormat DefaultLeadsFormat(bool stdout_is_terminal) {
  return stdout_is_terminal ? LeadsFormat::kTable : LeadsFormat::kCsv;
}

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
  std::vector<int> table_indexes;
  std::optional<TextTable> table;
  if (query.format == LeadsFormat::kTable) {
    table = *signals ? MakeTable(kLeadTableColumns, columns, &table_indexes)
                     : MakeTable(kPhaseOneLeadTableColumns, columns, &table_indexes);
  }
  std::vector<std::string> cells;
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
    } else if (table) {
      // The widths depend on every row: the table is printed at the end.
      cells.clear();
      for (const int index : table_indexes) {
        cells.push_back(index < 0 || stmt->ColumnIsNull(index)
                            ? std::string()
                            : std::string(stmt->ColumnText(index)));
      }
      table->AddRow(cells);
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
  if (table) {
    if (rows > 0) s = out->WriteRaw(table->Format(query.table_width));
    if (s.ok()) s = out->WriteLine(CountLine(rows));
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
  if (options.format == "ndjson") {
    query.format = LeadsFormat::kNdjson;
  } else if (options.format == "csv") {
    query.format = LeadsFormat::kCsv;
  } else if (options.format == "table") {
    query.format = LeadsFormat::kTable;
  } else {
    query.format = DefaultLeadsFormat(isatty(STDOUT_FILENO) == 1);
  }
  query.table_width = TerminalWidth(STDOUT_FILENO, kDefaultTableWidth);
  OutputWriter out(STDOUT_FILENO);
  StatusOr<int64_t> rows = WriteLeads(&*store->db, query, &out);
  if (!rows.ok()) return ExitWithError(rows.status());
  return 0;
}

}  // namespace ch
