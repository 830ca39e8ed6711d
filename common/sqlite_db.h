// RAII wrappers for SQLite: a connection, a prepared statement and an
// immediate transaction that rolls back unless committed. Every SQLite result
// code is turned into a Status here, in one place: SQLITE_FULL, SQLITE_IOERR,
// SQLITE_READONLY, SQLITE_CANTOPEN and corruption are I/O errors (exit 74);
// SQLITE_BUSY/LOCKED are temporary (exit 75); the rest are internal errors.
#ifndef CH_COMMON_SQLITE_DB_H_
#define CH_COMMON_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ch {

// Maps an SQLite result code to a Status with `what` as context.
// (A view, not a string: binding runs it for every column of every record,
// and a std::string made from "bind" each time was 1% of a replay.)
Status SqliteStatus(int rc, std::string_view what, sqlite3* db = nullptr);

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Bind by 1-based index. Text and blobs are copied by SQLite only when
  // `transient` is true; otherwise the caller keeps them alive until Step().
  Status BindNull(int index);
  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value, bool transient = true);
  Status BindBlob(int index, std::string_view value, bool transient = true);
  // Binds NULL when the optional is empty.
  Status BindOptionalText(int index, const std::optional<std::string_view>& value);
  Status BindOptionalInt64(int index, const std::optional<int64_t>& value);

  // Runs one step: true when a row is available, false when done.
  StatusOr<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();
  // Resets for reuse and clears bindings.
  void Reset();

  bool ColumnIsNull(int col) const;
  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  std::string_view ColumnText(int col) const;
  std::optional<std::string> ColumnOptionalText(int col) const;
  std::optional<int64_t> ColumnOptionalInt64(int col) const;
  int ColumnCount() const;

  sqlite3_stmt* get() const { return stmt_; }

 private:
  friend class SqliteDb;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

class SqliteDb {
 public:
  enum class Mode {
    kReadOnly,
    kReadWriteCreate,
    // Read-only without locks or a WAL index: creates no -wal or -shm
    // file. Only for a database no writer has open (SQLite's immutable=1).
    kReadOnlyImmutable,
  };

  SqliteDb() = default;
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Opens `path` (":memory:" works). Sets a busy timeout so readers and a
  // writer wait for each other instead of failing. `vfs` names the SQLite VFS
  // to use (null: the default one).
  static StatusOr<SqliteDb> Open(const std::string& path, Mode mode, int busy_timeout_ms = 5000,
                                 const char* vfs = nullptr);

  Status Exec(const std::string& sql);
  StatusOr<Statement> Prepare(std::string_view sql);
  // Runs a query expected to return one integer; nullopt when no row or NULL.
  StatusOr<std::optional<int64_t>> QueryInt64(const std::string& sql);

  int64_t LastInsertRowId() const;
  int Changes() const;
  // Closes explicitly, reporting failure (the destructor cannot).
  Status Close();

  sqlite3* get() const { return db_; }
  bool is_open() const { return db_ != nullptr; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (via Begin); ROLLBACK in the destructor
// unless Commit() succeeded.
class Transaction {
 public:
  static StatusOr<Transaction> Begin(SqliteDb* db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();
  Status Rollback();
  bool active() const { return db_ != nullptr; }

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace ch

#endif  // CH_COMMON_SQLITE_DB_H_
