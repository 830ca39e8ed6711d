#include "ch-store/migrator.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "ch-store/test_records.h"

namespace ch {
namespace {

SqliteDb MemoryDb() {
  StatusOr<SqliteDb> db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  EXPECT_TRUE(db.ok());
  return std::move(db).value();
}

Migrator TwoSteps() {
  return Migrator(
      {{1, "0001_t", "CREATE TABLE t(x);\n", "DROP TABLE t;\n"},
       {2, "0002_u", "CREATE TABLE u(y);\nINSERT INTO u VALUES (1);\n", "DROP TABLE u;\n"}});
}

// Tables, SQLite's own (sqlite_sequence, which cannot be dropped) aside.
int64_t Tables(SqliteDb* db) {
  return db
      ->QueryInt64(
          "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      ->value_or(-1);
}

TEST(MigratorTest, SplitsAFileIntoUpAndDown) {
  StatusOr<Migration> m = ParseMigration(
      3, "0003_x", "-- comment\n-- +up\nCREATE TABLE a(b);\n-- +down  \nDROP TABLE a;\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->number, 3);
  EXPECT_EQ(m->up, "CREATE TABLE a(b);\n");
  EXPECT_EQ(m->down, "DROP TABLE a;\n");
}

TEST(MigratorTest, AFileNeedsBothMarkersInOrder) {
  EXPECT_FALSE(ParseMigration(1, "x", "CREATE TABLE a(b);").ok());
  EXPECT_FALSE(ParseMigration(1, "x", "-- +up\nCREATE TABLE a(b);\n").ok());
  EXPECT_FALSE(
      ParseMigration(1, "x", "-- +down\nDROP TABLE a;\n-- +up\nCREATE TABLE a(b);\n").ok());
}

TEST(MigratorTest, NumberingMustHaveNoHoles) {
  EXPECT_TRUE(TwoSteps().Validate().ok());
  EXPECT_FALSE(Migrator({{2, "0002_x", "", ""}}).Validate().ok());
}

TEST(MigratorTest, MigratesUpAndDownOneVersionAtATime) {
  SqliteDb db = MemoryDb();
  Migrator m = TwoSteps();
  ASSERT_TRUE(m.MigrateTo(&db, 2).ok());
  EXPECT_EQ(*Migrator::CurrentVersion(&db), 2);
  EXPECT_EQ(Tables(&db), 2);
  ASSERT_TRUE(m.MigrateTo(&db, 1).ok());
  EXPECT_EQ(*Migrator::CurrentVersion(&db), 1);
  EXPECT_EQ(Tables(&db), 1);
  ASSERT_TRUE(m.MigrateTo(&db, 0).ok());
  EXPECT_EQ(Tables(&db), 0);
  EXPECT_EQ(*Migrator::CurrentVersion(&db), 0);
}

TEST(MigratorTest, FailedStepLeavesTheVersionBefore) {
  SqliteDb db = MemoryDb();
  Migrator m({{1, "0001_t", "CREATE TABLE t(x);", "DROP TABLE t;"},
              {2, "0002_bad", "CREATE TABLE t(x);", ""}});
  EXPECT_FALSE(m.MigrateTo(&db, 2).ok());
  EXPECT_EQ(*Migrator::CurrentVersion(&db), 1);
  EXPECT_EQ(Tables(&db), 1);
}

TEST(MigratorTest, RefusesADatabaseNewerThanItKnows) {
  SqliteDb db = MemoryDb();
  ASSERT_TRUE(db.Exec("PRAGMA user_version = 999").ok());
  Status s = TwoSteps().MigrateTo(&db, 2);
  EXPECT_EQ(s.code(), StatusCode::kConfig);
  EXPECT_NE(s.message().find("999"), std::string::npos);
  EXPECT_EQ(TwoSteps().CheckKnown(3).code(), StatusCode::kConfig);
  EXPECT_TRUE(TwoSteps().CheckKnown(2).ok());
  EXPECT_EQ(TwoSteps().MigrateTo(&db, 5).code(), StatusCode::kConfig);
}

TEST(MigratorTest, EmbeddedMigrationsGoDownToZeroAndUpAgain) {
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_GE(m->latest(), 5);
  SqliteDb db = MemoryDb();
  // A phase-1 database (version 2) with one lead.
  ASSERT_TRUE(m->MigrateTo(&db, 2).ok());
  ASSERT_TRUE(
      db.Exec(
            "INSERT INTO companies(company_number, source, updated_at) VALUES ('1', 'stream', 'x')")
          .ok());
  ASSERT_TRUE(
      db.Exec("INSERT INTO status_changes(company_number, source, recorded_at, new_status_detail)"
              " VALUES ('1', 'stream', 'x', 'active-proposal-to-strike-off')")
          .ok());
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM leads"), 1);
  ASSERT_TRUE(m->MigrateTo(&db, m->latest()).ok());
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM leads"), 1);
  // Down to 1: the view and the signals go, the data stays.
  ASSERT_TRUE(m->MigrateTo(&db, 1).ok());
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM companies"), 1);
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM status_changes"), 1);
  EXPECT_FALSE(db.QueryInt64("SELECT count(*) FROM leads").ok());
  EXPECT_FALSE(db.QueryInt64("SELECT count(*) FROM signals").ok());
  ASSERT_TRUE(m->MigrateTo(&db, m->latest()).ok());
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM leads"), 1);
  // Down to nothing and up again: an empty schema like a new one.
  ASSERT_TRUE(m->MigrateTo(&db, 0).ok());
  EXPECT_EQ(Tables(&db), 0);
  ASSERT_TRUE(m->MigrateTo(&db, m->latest()).ok());
  EXPECT_EQ(*db.QueryInt64("SELECT count(*) FROM companies"), 0);
}

// Every step down and up again, each from the newest schema: the tables of
// a step exist exactly above it.
TEST(MigratorTest, EveryEmbeddedStepGoesDownAndUp) {
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  const std::vector<std::pair<int, std::string>> first_seen = {
      {1, "companies"}, {3, "resources"}, {3, "filings"}, {3, "insolvency_cases"}, {4, "signals"}};
  SqliteDb db = MemoryDb();
  for (int v = m->latest(); v > 0; --v) {
    ASSERT_TRUE(m->MigrateTo(&db, m->latest()).ok());
    ASSERT_TRUE(m->MigrateTo(&db, v - 1).ok()) << v;
    EXPECT_EQ(*Migrator::CurrentVersion(&db), v - 1);
    for (const auto& [version, table] : first_seen) {
      const std::string sql =
          "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view') AND name = '" +
          table + "'";
      EXPECT_EQ(*db.QueryInt64(sql), version <= v - 1 ? 1 : 0) << table << " at " << v - 1;
    }
  }
}

// The phase-1 leads view (schema 2) and its replacement over signals (5)
// see the same leads of a phase-1 database, with the same ids.
TEST(MigratorTest, LeadsViewDownOneStepIsThePhaseOneView) {
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  SqliteDb db = MemoryDb();
  ASSERT_TRUE(m->MigrateTo(&db, m->latest()).ok());
  ASSERT_TRUE(m->MigrateTo(&db, 4).ok());
  EXPECT_TRUE(db.QueryInt64("SELECT count(new_status) FROM leads").ok());
  EXPECT_FALSE(db.QueryInt64("SELECT count(signal) FROM leads").ok());
  ASSERT_TRUE(m->MigrateTo(&db, 5).ok());
  EXPECT_TRUE(db.QueryInt64("SELECT count(signal) FROM leads").ok());
}

}  // namespace
}  // namespace ch
