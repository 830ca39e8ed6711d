// Deferred pscs(company_number) index: see deferred_psc_index.h.
#include "ch-store/deferred_psc_index.h"

#include <sqlite3.h>

#include <optional>
#include <string>

#include "common/signals.h"

namespace ch {

namespace {

// SQLite calls the progress handler every so many virtual machine steps; a
// non-zero answer interrupts the statement. A sort of 15 million entries
// takes about 15 s: a stop signal that arrives meanwhile must not wait for
// it.
constexpr int kProgressSteps = 10000;

int InterruptOnStop(void*) { return StopRequested() ? 1 : 0; }

}  // namespace

StatusOr<bool> DeferPscIndexForFirstSnapshot(SqliteDb* db) {
  StatusOr<std::optional<int64_t>> complete = db->QueryInt64(
      "SELECT 1 FROM stream_state WHERE stream = 'persons-with-significant-control'"
      " AND last_snapshot_as_of IS NOT NULL");
  if (!complete.ok()) return complete.status();
  if (complete->has_value()) return false;
  StatusOr<bool> missing = PscIndexMissing(db);
  if (!missing.ok()) return missing.status();
  if (*missing) return true;  // an import that stopped dropped it already
  Status s = db->Exec("DROP INDEX pscs_company_number");
  if (!s.ok()) return s;
  return true;
}

StatusOr<bool> PscIndexMissing(SqliteDb* db) {
  // 2 for the table, 1 for the index: 2 is the table without it.
  StatusOr<std::optional<int64_t>> found = db->QueryInt64(
      "SELECT coalesce(sum(CASE type WHEN 'table' THEN 2 ELSE 1 END), 0) FROM sqlite_schema"
      " WHERE (type = 'table' AND name = 'pscs')"
      " OR (type = 'index' AND name = 'pscs_company_number')");
  if (!found.ok()) return found.status();
  return found->value_or(0) == 2;
}

Status BuildPscIndex(SqliteDb* db, int sort_cache_kib) {
  if (StopRequested())
    return Status::Unavailable("build index pscs_company_number: stop requested");
  StatusOr<std::optional<int64_t>> cache = db->QueryInt64("PRAGMA cache_size");
  if (!cache.ok()) return cache.status();
  // The import's pages go first (shrink_memory frees what the smaller
  // cache no longer holds), so that the sort reuses their memory instead of
  // adding its own to the process's peak.
  Status s = db->Exec("PRAGMA cache_size = -" + std::to_string(sort_cache_kib) +
                      "; PRAGMA shrink_memory;");
  if (!s.ok()) return s;
  sqlite3_progress_handler(db->get(), kProgressSteps, InterruptOnStop, nullptr);
  s = db->Exec(kPscsCompanyNumberIndexSql);
  sqlite3_progress_handler(db->get(), 0, nullptr, nullptr);
  Status restored = db->Exec("PRAGMA cache_size = " + std::to_string(cache->value_or(-2000)));
  if (!s.ok()) return s.Annotate("build index pscs_company_number");
  return restored;
}

}  // namespace ch
