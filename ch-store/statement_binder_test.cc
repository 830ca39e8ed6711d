// StatementBinder: bindings go in as given (null for an empty optional) and
// a statement is reset however the scope using it ends.
#include "ch-store/statement_binder.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

TEST(StatementBinderTest, BindsTextsIntegersBlobsAndNulls) {
  StatusOr<SqliteDb> db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  StatusOr<Statement> stmt =
      db->Prepare("SELECT quote(?1) || ' ' || quote(?2) || ' ' || quote(?3) || ' ' || quote(?4)");
  ASSERT_TRUE(stmt.ok());
  const std::string text = "a'b";
  {
    ResetOnExit reset(&*stmt);
    Binder b(&*stmt);
    b.Text(1, text);
    b.Text(2, std::nullopt);
    b.Int(3, 42);
    b.Blob(4, std::string_view("\x01", 1));
    ASSERT_TRUE(b.status().ok());
    ASSERT_TRUE(*stmt->Step());
    EXPECT_EQ(stmt->ColumnText(0), "'a''b' NULL 42 X'01'");
  }
  // Reset: the bindings are gone.
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->ColumnText(0), "NULL NULL NULL NULL");
}

TEST(StatementBinderTest, KeepsTheFirstFailure) {
  StatusOr<SqliteDb> db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  StatusOr<Statement> stmt = db->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  Binder b(&*stmt);
  b.Int(5, 1);  // no such parameter
  EXPECT_FALSE(b.status().ok());
  b.Int(1, 1);
  EXPECT_FALSE(b.status().ok());
}

}  // namespace
}  // namespace ch
