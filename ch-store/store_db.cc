// StoreDb: see store_db.h.
#include "ch-store/store_db.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/log.h"

namespace ch {

namespace {

// kWalAutocheckpointPages (store_db.h): pages of WAL after which a commit
// checkpoints them into the database. The default (1000 pages, 4 MB)
// checkpoints every few batches during a replay, copying the same hot pages
// again and again and waiting for an fsync each time. Measured on a
// 100,000-event replay (wall time): 1000 pages 2.9 s, 4000 2.4 s, 16000
// 1.9 s, 32000 1.65 s. 128 MB of WAL is little beside a database of millions
// of companies. kJournalSizeLimitBytes: the WAL file is truncated back to
// this after a checkpoint.
// Page cache (KiB) for stream records; bulk imports raise it. A replay
// misses in any cache smaller than the database, and reading a page again
// from the OS costs little: 100,000-event pipeline, 6 alternating runs, 8 MB
// 844 ms (RSS 18.4 MB), 6 MB 823 ms (16.6 MB); the stage must stay < 20 MB.
constexpr int kStreamCacheKib = 6144;

// How a reading command opens the database. A read-only open still
// creates the -wal and -shm files when they are missing (after a
// `wal_checkpoint(TRUNCATE)` and the last connection's exit, or on a
// restored copy): in a directory the reader cannot write it fails (exit
// 74), and where it can, the files belong to the reader, so that the
// database's owner can no longer write them and its writer fails, restart
// after restart. So a reader that is not the file's owner (nor root, whose
// files SQLite hands to the owner) opens such a database immutable: nothing
// is created. No -wal means no writer has it open (a writer keeps its -wal
// while connected; ch-store leaves it at exit); one that starts meanwhile
// writes to a new WAL this read does not see (it reads the state as of its
// start) and copies it into the file only at a checkpoint, which takes
// tens of thousands of pages (background_checkpointer.h).
SqliteDb::Mode ReadingMode(const std::string& path) {
  struct stat db {};
  struct stat wal {};
  if (stat((path + "-wal").c_str(), &wal) == 0) return SqliteDb::Mode::kReadOnly;
  if (stat(path.c_str(), &db) != 0) return SqliteDb::Mode::kReadOnly;
  const uid_t me = geteuid();
  if (me == 0 || me == db.st_uid) return SqliteDb::Mode::kReadOnly;
  return SqliteDb::Mode::kReadOnlyImmutable;
}

}  // namespace

void TuneSqliteForOneWriter() {
  // SQLite counts every allocation under a global mutex for
  // sqlite3_memory_used(), which nothing here reads: about 3% of a replay.
  // Only possible before SQLite initialises; later it changes nothing.
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

bool StoreFileHasContent(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && st.st_size > 0;
}

StatusOr<SqliteDb> OpenStoreForWriting(const std::string& path, int busy_timeout_ms) {
  StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, busy_timeout_ms);
  if (!db.ok()) return db.status();
  StatusOr<Statement> mode = db->Prepare("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status().Annotate("set WAL mode on " + path);
  StatusOr<bool> row = mode->Step();
  if (!row.ok()) return row.status().Annotate("set WAL mode on " + path);
  if (*row && mode->ColumnText(0) != "wal" && path != ":memory:") {
    LogWarn("database not in WAL mode", {{"db", path}, {"journal_mode", mode->ColumnText(0)}});
  }
  mode->Reset();
  // secure_delete: Debian builds SQLite with SQLITE_SECURE_DELETE, which
  // zeroes every cell and page it frees; an UPDATE frees the old cell. The
  // register is public data, and the zeroing cost about 1% of a replay.
  const std::string pragmas =
      "PRAGMA synchronous = NORMAL; PRAGMA secure_delete = OFF; PRAGMA wal_autocheckpoint = " +
      std::to_string(kWalAutocheckpointPages) +
      "; PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimitBytes) +
      "; PRAGMA cache_size = -" + std::to_string(kStreamCacheKib) + ";";
  Status s = db->Exec(pragmas);
  if (!s.ok()) return s.Annotate("configure " + path);
  return db;
}

Status LeaveWalAtClose(SqliteDb* db, int64_t above_bytes) {
  // A WAL past the size at which status calls it not reset (a reader held
  // it, or nine writers' backlogs) is checkpointed as SQLite always did, if
  // this is the last connection: left behind, status would report a
  // problem for a database nobody writes. (An in-memory database has no
  // file name, and no WAL.)
  const sqlite3_filename name = sqlite3_db_filename(db->get(), "main");
  struct stat wal {};
  if (name != nullptr && *name != '\0' && stat(sqlite3_filename_wal(name), &wal) == 0 &&
      static_cast<int64_t>(wal.st_size) > above_bytes) {
    return Status::Ok();
  }
  // SQLite's last connection to close checkpoints the whole WAL, fsyncs the
  // WAL and the database and deletes the WAL. At the end of a replay that
  // is hundreds of MB to write to the disk, which the process then waits
  // for: 100,000 filing records, 6 alternating runs, ch-store 1.27 s, and
  // 0.88 s with its fsyncs stubbed out (0.88 s on tmpfs too). Every commit
  // is already in the WAL, and the WAL is part of the database for every
  // reader and writer; with synchronous=NORMAL the contract asks no more of
  // a commit (DESIGN.md, crash safety).
  int set = 0;
  const int rc = sqlite3_db_config(db->get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &set);
  if (rc != SQLITE_OK || set != 1) return Status::Internal("cannot leave the WAL at close");
  return Status::Ok();
}

Status CheckChstreamDatabase(SqliteDb* db, int version) {
  StatusOr<std::optional<int64_t>> tables = db->QueryInt64(
      version > 0
          ? "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'stream_state'"
          : "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  if (!tables.ok()) return tables.status();
  const int64_t n = tables->value_or(0);
  if (version > 0 && n == 0) {
    return Status::Config("not a chstream database: schema version " + std::to_string(version) +
                          " but no stream_state table (another program's file?)");
  }
  if (version == 0 && n > 0) {
    return Status::Config("not a chstream database: it holds " + std::to_string(n) +
                          " tables but no chstream schema (another program's file?)");
  }
  return Status::Ok();
}

Status MigrateUp(SqliteDb* db, const Migrator& migrator) {
  StatusOr<int> version = Migrator::CurrentVersion(db);
  if (!version.ok()) return version.status();
  Status s = migrator.CheckKnown(*version);
  if (s.ok()) s = CheckChstreamDatabase(db, *version);
  if (!s.ok()) return s;
  if (*version == migrator.latest()) return Status::Ok();
  return migrator.MigrateTo(db, migrator.latest());
}

Status ApplyTestLimits(SqliteDb* db) {
  const char* max_pages = std::getenv("CH_TEST_SQLITE_MAX_PAGES");
  if (max_pages == nullptr || *max_pages == '\0') return Status::Ok();
  char* end = nullptr;
  const long long n = std::strtoll(max_pages, &end, 10);
  if (*end != '\0' || n <= 0)
    return Status::Config("invalid CH_TEST_SQLITE_MAX_PAGES '" + std::string(max_pages) + "'");
  LogWarn("test limit: database size capped", {{"max_pages", static_cast<int64_t>(n)}});
  return db->Exec("PRAGMA max_page_count = " + std::to_string(n));
}

StatusOr<ReadOnlyStore> OpenStoreForReading(const std::string& path, const Migrator& migrator,
                                            int busy_timeout_ms) {
  ReadOnlyStore store;
  if (!StoreFileHasContent(path)) return store;
  StatusOr<SqliteDb> db = SqliteDb::Open(path, ReadingMode(path), busy_timeout_ms);
  if (!db.ok()) return db.status();
  StatusOr<int> version = Migrator::CurrentVersion(&*db);
  if (!version.ok()) return version.status().Annotate("read " + path);
  Status s = migrator.CheckKnown(*version);
  // A file of no version is read as not migrated, whatever it holds.
  if (s.ok() && *version > 0) s = CheckChstreamDatabase(&*db, *version);
  if (!s.ok()) return s;
  store.version = *version;
  if (*version > 0) store.db = std::move(db).value();
  return store;
}

}  // namespace ch
