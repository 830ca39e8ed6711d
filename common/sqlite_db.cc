// SQLite RAII wrappers: see sqlite_db.h.
#include "common/sqlite_db.h"

#include <cctype>
#include <string>
#include <utility>

namespace ch {

Status SqliteStatus(int rc, std::string_view what, sqlite3* db) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  // sqlite3_exec's message is often the code's own text: say it once
  // ("commit: database or disk is full", not "...full: database or disk is full").
  const std::string_view detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(what);
  if (what != detail) msg.append(": ").append(detail);
  switch (rc & 0xFF) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_NOLFS:
      return Status::IoError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_NOMEM:
    default:
      return Status::Internal(msg);
  }
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Status Statement::BindNull(int index) {
  return SqliteStatus(sqlite3_bind_null(stmt_, index), "bind", db_);
}

Status Statement::BindInt64(int index, int64_t value) {
  return SqliteStatus(sqlite3_bind_int64(stmt_, index, value), "bind", db_);
}

Status Statement::BindDouble(int index, double value) {
  return SqliteStatus(sqlite3_bind_double(stmt_, index, value), "bind", db_);
}

Status Statement::BindText(int index, std::string_view value, bool transient) {
  return SqliteStatus(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                          transient ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8),
      "bind", db_);
}

Status Statement::BindBlob(int index, std::string_view value, bool transient) {
  return SqliteStatus(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(),
                                          transient ? SQLITE_TRANSIENT : SQLITE_STATIC),
                      "bind", db_);
}

Status Statement::BindOptionalText(int index, const std::optional<std::string_view>& value) {
  return value ? BindText(index, *value) : BindNull(index);
}

Status Statement::BindOptionalInt64(int index, const std::optional<int64_t>& value) {
  return value ? BindInt64(index, *value) : BindNull(index);
}

StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, "step", db_);
}

Status Statement::Run() {
  for (;;) {
    StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }

std::string_view Statement::ColumnText(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::string> Statement::ColumnOptionalText(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return std::string(ColumnText(col));
}

std::optional<int64_t> Statement::ColumnOptionalInt64(int col) const {
  if (ColumnIsNull(col)) return std::nullopt;
  return ColumnInt64(col);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

StatusOr<SqliteDb> SqliteDb::Open(const std::string& path, Mode mode, int busy_timeout_ms,
                                  const char* vfs) {
  sqlite3* raw = nullptr;
  int flags = (mode == Mode::kReadWriteCreate ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                              : SQLITE_OPEN_READONLY) |
              SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  if (mode == Mode::kReadOnlyImmutable) {
    // A URI: the path percent-encoded but for its plain characters; an
    // absolute one after an empty authority ("file:///..."), so that a
    // path beginning with "//" is no host name.
    name = path.empty() || path[0] != '/' ? "file:" : "file://";
    for (const char c : path) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~') {
        name.push_back(c);
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        name.push_back('%');
        name.push_back(kHex[u >> 4]);
        name.push_back(kHex[u & 15]);
      }
    }
    name += "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, vfs);
  SqliteDb db(raw);  // closes `raw` on every early return
  if (rc != SQLITE_OK) return SqliteStatus(rc, "open database " + path, raw);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, err != nullptr ? err : "exec", nullptr);
    sqlite3_free(err);
    return s;
  }
  return Status::Ok();
}

StatusOr<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteStatus(rc, "prepare \"" + std::string(sql.substr(0, 60)) + "\"", db_);
  }
  return Statement(stmt, db_);
}

StatusOr<std::optional<int64_t>> SqliteDb::QueryInt64(const std::string& sql) {
  StatusOr<Statement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return stmt->ColumnOptionalInt64(0);
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int SqliteDb::Changes() const { return sqlite3_changes(db_); }

Status SqliteDb::Close() {
  if (db_ == nullptr) return Status::Ok();
  const int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return SqliteStatus(rc, "close database", db_);
  db_ = nullptr;
  return Status::Ok();
}

StatusOr<Transaction> Transaction::Begin(SqliteDb* db) {
  Status s = db->Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::Internal("commit without a transaction");
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

Status Transaction::Rollback() {
  if (db_ == nullptr) return Status::Ok();
  SqliteDb* db = std::exchange(db_, nullptr);
  return db->Exec("ROLLBACK");
}

}  // namespace ch
