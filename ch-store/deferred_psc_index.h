// The pscs(company_number) index of a first PSC snapshot import: built once,
// at the end of the import, instead of row by row.
//
// Why: the snapshot's lines come in no order of company (PSC-SNAPSHOT.md),
// so each pscs row puts its index entry at a random place of the index.
// Once the index outgrows the bulk page cache (at about 700,000 rows), nearly
// every line reads an index page and writes it again at the next commit,
// and the import slows down as it grows. Measured on this project's 2-core
// build machine, ch-store alone over generated snapshot records: 1 million
// lines 16.2 s with the index kept, 9.7 s without it plus 1.0 s to build
// it; 3 million lines through ch-parse | ch-store about 80 s, against 46 s
// plus 3 s. Below about 500,000 lines it makes no difference. Sorting the
// entries once (CREATE INDEX) writes each index page once.
//
// When: the import's first lines find no complete PSC snapshot recorded
// (stream_state.last_snapshot_as_of of the PSC stream is NULL): the first
// import, or the new run of one that stopped. The daily import over a
// complete snapshot keeps the index: its rows replace rows the index holds
// already, and readers need it meanwhile. During a first import, readers
// that look PSCs up by company (the `leads` view) scan the table instead.
//
// Nothing is lost when an import stops: the DROP commits with the import's
// first lines, and the index is built again at the end of the input, or,
// when the import stopped before (a signal, kill -9, a full disk), by the
// start of the next ch-store that writes the database.
#ifndef CH_STORE_DEFERRED_PSC_INDEX_H_
#define CH_STORE_DEFERRED_PSC_INDEX_H_

#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// As migrations/0003_resources.sql creates it (a unit test holds the two
// equal).
inline constexpr const char* kPscsCompanyNumberIndexSql =
    "CREATE INDEX pscs_company_number ON pscs(company_number)";

// The memory SQLite's sorter may use to build the index (it takes the page
// cache's size; more goes to temporary files): ch-store stays under 50 MB.
// 1 million rows sort in about 1 s with it, no faster with 8 MB, which put
// the peak at 52 MB.
inline constexpr int kPscIndexSortCacheKib = 2048;

// In the open write transaction of a snapshot import's first lines: drops
// the index when no complete PSC snapshot is recorded. True when it did.
StatusOr<bool> DeferPscIndexForFirstSnapshot(SqliteDb* db);

// True when the pscs table exists without its company_number index.
StatusOr<bool> PscIndexMissing(SqliteDb* db);

// Builds the index in the open write transaction, its sort bounded by
// `sort_cache_kib` of memory (SQLite's sorter takes the page cache's size
// as its budget; the cache size is put back after). Cancelled, with an
// error that leaves the index missing, when a stop signal arrives.
// REQUIRES: PscIndexMissing().
Status BuildPscIndex(SqliteDb* db, int sort_cache_kib);

}  // namespace ch

#endif  // CH_STORE_DEFERRED_PSC_INDEX_H_
