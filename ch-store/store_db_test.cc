#include "ch-store/store_db.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::TempDir;

Migrator Embedded() { return std::move(Migrator::Embedded()).value(); }

TEST(StoreDbTest, WriterUsesWalAndNormalSync) {
  TempDir dir;
  const std::string path = dir.File("w.db");
  StatusOr<SqliteDb> db = OpenStoreForWriting(path, 1000);
  ASSERT_TRUE(db.ok());
  StatusOr<Statement> mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  mode->Reset();
  EXPECT_EQ(*db->QueryInt64("PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(*db->QueryInt64("PRAGMA secure_delete"), 0);
  Status s = MigrateUp(&*db, Embedded());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*Migrator::CurrentVersion(&*db), Embedded().latest());
}

TEST(StoreDbTest, ReadersSeeNothingInAMissingEmptyOrUnmigratedFileAndCreateNothing) {
  TempDir dir;
  const std::string missing = dir.File("missing.db");
  StatusOr<ReadOnlyStore> store = OpenStoreForReading(missing, Embedded(), 1000);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->db.has_value());
  EXPECT_FALSE(StoreFileHasContent(missing));
  EXPECT_NE(access(missing.c_str(), F_OK), 0);  // not created

  const std::string empty = dir.File("empty.db");
  std::ofstream(empty).close();
  store = OpenStoreForReading(empty, Embedded(), 1000);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->db.has_value());

  const std::string unmigrated = dir.File("unmigrated.db");
  {
    StatusOr<SqliteDb> db = OpenStoreForWriting(unmigrated, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE other(x)").ok());
  }
  store = OpenStoreForReading(unmigrated, Embedded(), 1000);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->db.has_value());
  EXPECT_EQ(store->version, 0);
}

TEST(StoreDbTest, ReadersRefuseANewerSchema) {
  TempDir dir;
  const std::string path = dir.File("new.db");
  {
    StatusOr<SqliteDb> db = OpenStoreForWriting(path, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 999").ok());
    EXPECT_EQ(MigrateUp(&*db, Embedded()).code(), StatusCode::kConfig);
  }
  StatusOr<ReadOnlyStore> store = OpenStoreForReading(path, Embedded(), 1000);
  EXPECT_EQ(store.status().code(), StatusCode::kConfig);
}

TEST(StoreDbTest, AnotherProgramsDatabaseIsRefusedNotMigrated) {
  TempDir dir;
  // A version but no chstream schema: migrating failed with exit 70 at
  // every restart; reading said "no such table", exit 70.
  const std::string versioned = dir.File("versioned.db");
  {
    StatusOr<SqliteDb> db = OpenStoreForWriting(versioned, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE foo(x); PRAGMA user_version = 3").ok());
    const Status s = MigrateUp(&*db, Embedded());
    EXPECT_EQ(s.code(), StatusCode::kConfig);
    EXPECT_NE(s.message().find("not a chstream database"), std::string::npos) << s.message();
  }
  EXPECT_EQ(OpenStoreForReading(versioned, Embedded(), 1000).status().code(), StatusCode::kConfig);
  // No version but another program's tables: chstream's were added to it.
  const std::string plain = dir.File("plain.db");
  StatusOr<SqliteDb> db = OpenStoreForWriting(plain, 1000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE foo(x)").ok());
  EXPECT_EQ(MigrateUp(&*db, Embedded()).code(), StatusCode::kConfig);
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM sqlite_schema"), 1);
  // Read, it is simply not migrated.
  StatusOr<ReadOnlyStore> store = OpenStoreForReading(plain, Embedded(), 1000);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->version, 0);
  // An empty file of no version is migrated as ever.
  StatusOr<SqliteDb> fresh = OpenStoreForWriting(dir.File("fresh.db"), 1000);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(MigrateUp(&*fresh, Embedded()).ok());
  EXPECT_TRUE(CheckChstreamDatabase(&*fresh, Embedded().latest()).ok());
}

TEST(StoreDbTest, ReaderOpensAMigratedDatabase) {
  TempDir dir;
  const std::string path = dir.File("m.db");
  {
    StatusOr<SqliteDb> db = OpenStoreForWriting(path, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(MigrateUp(&*db, Embedded()).ok());
  }
  StatusOr<ReadOnlyStore> store = OpenStoreForReading(path, Embedded(), 1000);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->db.has_value());
  EXPECT_EQ(store->version, Embedded().latest());
  EXPECT_EQ(*store->db->QueryInt64("SELECT count(*) FROM companies"), 0);
  EXPECT_FALSE(store->db->Exec("INSERT INTO gaps(stream, detected_at) VALUES ('s', 'x')").ok());
}

// The writer's close leaves a WAL for the next writer, unless it is larger
// than the bound given: then the last connection checkpoints and removes it.
TEST(StoreDbTest, CloseLeavesTheWalUnlessItIsLargerThanTheBound) {
  TempDir dir;
  for (const int64_t bound : {int64_t{1} << 30, int64_t{0}}) {
    const std::string path = dir.File("w" + std::to_string(bound) + ".db");
    StatusOr<SqliteDb> db = OpenStoreForWriting(path, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE t(v); INSERT INTO t VALUES(randomblob(5000));").ok());
    ASSERT_TRUE(LeaveWalAtClose(&*db, bound).ok());
    ASSERT_TRUE(db->Close().ok());
    std::ifstream wal(path + "-wal");
    EXPECT_EQ(wal.good(), bound > 0) << "bound " << bound;
    StatusOr<SqliteDb> reader = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->QueryInt64("SELECT count(*) FROM t")->value_or(-1), 1);
  }
}

}  // namespace
}  // namespace ch
