// StatementBinder: the two small helpers every applier of ch-store binds its
// prepared statements with. Records are applied one after another through
// statements prepared once, with texts bound as views into the current line
// (no copy per column); these helpers make sure such a binding never outlives
// the function that made it, and let a run of Bind calls be checked once.
#ifndef CH_STORE_STATEMENT_BINDER_H_
#define CH_STORE_STATEMENT_BINDER_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// Resets a statement (and clears its bindings, which point into the current
// line) however the function using it returns.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement* stmt) : stmt_(stmt) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { stmt_->Reset(); }

 private:
  Statement* stmt_;
};

// Binds texts without copying them (they must outlive the statement's
// Step()); the first failure is kept and later calls do nothing.
class Binder {
 public:
  explicit Binder(Statement* stmt) : stmt_(stmt) {}
  void Text(int index, std::optional<std::string_view> value) {
    if (status_.ok())
      status_ = value ? stmt_->BindText(index, *value, false) : stmt_->BindNull(index);
  }
  void Blob(int index, std::string_view value) {
    if (status_.ok()) status_ = stmt_->BindBlob(index, value, false);
  }
  void Int(int index, std::optional<int64_t> value) {
    if (status_.ok()) status_ = stmt_->BindOptionalInt64(index, value);
  }
  const Status& status() const { return status_; }

 private:
  Statement* stmt_;
  Status status_;
};

}  // namespace ch

#endif  // CH_STORE_STATEMENT_BINDER_H_
