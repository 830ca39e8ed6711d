#include "common/sqlite_db.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace ch {
namespace {

TEST(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x INTEGER)").ok());
  {
    auto tx = Transaction::Begin(&*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::Begin(&*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(*db->QueryInt64("SELECT sum(x) FROM t"), 2);
}

TEST(SqliteDbTest, StatementsBindAndReadValues) {
  auto db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t(a TEXT, b INTEGER, c BLOB)").ok());
  auto ins = db->Prepare("INSERT INTO t VALUES (?, ?, ?)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->BindText(1, "x").ok());
  ASSERT_TRUE(ins->BindOptionalInt64(2, std::nullopt).ok());
  ASSERT_TRUE(ins->BindBlob(3, std::string_view("\0\1", 2)).ok());
  ASSERT_TRUE(ins->Run().ok());
  auto sel = db->Prepare("SELECT a, b, length(c) FROM t");
  ASSERT_TRUE(sel.ok());
  auto row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(sel->ColumnText(0), "x");
  EXPECT_FALSE(sel->ColumnOptionalInt64(1).has_value());
  EXPECT_EQ(sel->ColumnInt64(2), 2);
}

TEST(SqliteDbTest, ErrorsMapToStatusCodes) {
  EXPECT_EQ(SqliteStatus(SQLITE_FULL, "x").code(), StatusCode::kIoError);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_READONLY, "x").code(), StatusCode::kIoError);
  EXPECT_EQ(SqliteStatus(SQLITE_MISUSE, "x").code(), StatusCode::kInternal);
  // The code's text once, not twice (sqlite3_exec's message often is it).
  EXPECT_EQ(SqliteStatus(SQLITE_FULL, "commit").message(), "commit: database or disk is full");
  EXPECT_EQ(SqliteStatus(SQLITE_FULL, "database or disk is full").message(),
            "database or disk is full");
  auto missing = SqliteDb::Open("/nonexistent/dir/x.db", SqliteDb::Mode::kReadOnly);
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  auto db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->Prepare("SELECT nonsense FROM nowhere").ok());
}

TEST(SqliteDbTest, AnImmutableOpenReadsAWalDatabaseAndCreatesNoFile) {
  char dir_template[] = "/tmp/sqlite_db_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  // Characters a file: URI must have encoded.
  const std::string dir = std::string(dir_template) + "/a?b#c%d e";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  const std::string path = dir + "/x.db";
  {
    auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->Exec("PRAGMA journal_mode = WAL; CREATE TABLE t(x); INSERT INTO t VALUES (7)").ok());
    ASSERT_TRUE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  struct stat st {};
  ASSERT_NE(stat((path + "-wal").c_str(), &st), 0);  // the last close removed it
  {
    auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnlyImmutable);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(*db->QueryInt64("SELECT sum(x) FROM t"), 7);
    EXPECT_FALSE(db->Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_NE(stat((path + "-wal").c_str(), &st), 0);
    EXPECT_NE(stat((path + "-shm").c_str(), &st), 0);
  }
  {
    // A path beginning with "//" is a path, not a host.
    auto db = SqliteDb::Open("/" + path, SqliteDb::Mode::kReadOnlyImmutable);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(*db->QueryInt64("SELECT sum(x) FROM t"), 7);
  }
  unlink(path.c_str());
  rmdir(dir.c_str());
  rmdir(dir_template);
}

}  // namespace
}  // namespace ch
