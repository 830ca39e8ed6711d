// StoreDb: how ch-store opens its database. The writer (apply, migrate,
// prune) gets WAL with synchronous=NORMAL (a process crash loses nothing
// committed; readers never block the writer), a busy timeout, and a larger
// page cache; record-applying mode then migrates up. The readers
// (checkpoint, status, leads) open read-only and never create the file: a
// missing, empty or unmigrated database is simply "no data".
#ifndef CH_STORE_STORE_DB_H_
#define CH_STORE_STORE_DB_H_

#include <cstdint>
#include <optional>
#include <string>

#include "ch-store/migrator.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// WAL bounds the writer sets (store_db.cc says why these values):
// SQLite's own checkpoint threshold (replaced by the checkpoint thread's
// hook when that runs: background_checkpointer.h), and the size the WAL
// file is truncated back to after a checkpoint.
inline constexpr int kWalAutocheckpointPages = 32000;
inline constexpr int64_t kJournalSizeLimitBytes = 128ll << 20;

// Library-wide settings for the applying process. Call before any other
// SQLite function.
void TuneSqliteForOneWriter();

// Opens (creating if needed) for writing and sets the pragmas. Does not migrate.
StatusOr<SqliteDb> OpenStoreForWriting(const std::string& path, int busy_timeout_ms);

// Makes the writer's close leave the WAL of its database as it is, for the
// next writer's checkpoints, instead of checkpointing all of it (README.md
// "Checkpoints"); unless the WAL is larger than `above_bytes`.
Status LeaveWalAtClose(SqliteDb* db, int64_t above_bytes);

// Migrates up to the newest schema; a Config error (exit 78) when the
// database is newer than this binary.
Status MigrateUp(SqliteDb* db, const Migrator& migrator);

// A Config error when `db`, at schema `version`, is not one of chstream's:
// a version but no stream_state table (every version has it), or no
// version but tables of another program. Migrating such a file failed with
// exit 70 at every restart, or added chstream's tables to it.
Status CheckChstreamDatabase(SqliteDb* db, int version);

// Test seam: CH_TEST_SQLITE_MAX_PAGES=N caps the database at N pages (at
// least its current size), so SQLite reports SQLITE_FULL as on a full disk.
Status ApplyTestLimits(SqliteDb* db);

struct ReadOnlyStore {
  std::optional<SqliteDb> db;  // empty when there is nothing to read
  int version = 0;             // PRAGMA user_version (0: missing or unmigrated)
};

// Opens read-only. Missing, empty or unmigrated: `db` empty, no error. A
// schema newer than this binary: Config error.
StatusOr<ReadOnlyStore> OpenStoreForReading(const std::string& path, const Migrator& migrator,
                                            int busy_timeout_ms);

// True when `path` names a file of at least one byte (stat, no open).
bool StoreFileHasContent(const std::string& path);

}  // namespace ch

#endif  // CH_STORE_STORE_DB_H_
