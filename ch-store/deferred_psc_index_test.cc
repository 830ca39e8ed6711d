// The pscs(company_number) index of a first PSC snapshot import: dropped with
// the import's first lines, built at its end or at the next writer's start,
// kept by every import after a complete snapshot.
#include "ch-store/deferred_psc_index.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "ch-store/migrator.h"
#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"
#include "common/signals.h"

namespace ch {
namespace {

using testing_records::CompletePscSnapshotEnd;
using testing_records::SnapshotPsc;
using testing_records::StoreFixture;

const char kIndexSql[] = "SELECT sql FROM sqlite_schema WHERE name = 'pscs_company_number'";

bool IndexThere(StoreFixture* f) { return f->One(kIndexSql) != "<none>"; }

TEST(DeferredPscIndexTest, BuildsTheIndexTheMigrationCreates) {
  StoreFixture f;
  EXPECT_EQ(f.One(kIndexSql), kPscsCompanyNumberIndexSql);
}

TEST(DeferredPscIndexTest, DropsItOnlyUntilAPscSnapshotIsComplete) {
  StoreFixture f;
  StatusOr<bool> deferred = DeferPscIndexForFirstSnapshot(&f.db());
  ASSERT_TRUE(deferred.ok()) << deferred.status().ToString();
  EXPECT_TRUE(*deferred);
  EXPECT_FALSE(IndexThere(&f));
  // Dropped already (an import that stopped): still deferred, no error.
  deferred = DeferPscIndexForFirstSnapshot(&f.db());
  ASSERT_TRUE(deferred.ok());
  EXPECT_TRUE(*deferred);
  ASSERT_TRUE(BuildPscIndex(&f.db(), 1024).ok());
  ASSERT_TRUE(f.db()
                  .Exec("INSERT INTO stream_state(stream, last_snapshot_as_of, last_snapshot_rows)"
                        " VALUES('persons-with-significant-control', '2026-12-05', 1)")
                  .ok());
  deferred = DeferPscIndexForFirstSnapshot(&f.db());
  ASSERT_TRUE(deferred.ok());
  EXPECT_FALSE(*deferred);
  EXPECT_TRUE(IndexThere(&f));
}

TEST(DeferredPscIndexTest, BuildingPutsTheCacheSizeBackAndAStopCancelsIt) {
  StoreFixture f;
  f.Apply(testing_records::Psc(1, "01234567", "company-psc-individual", "a", "A").Line());
  ASSERT_TRUE(f.db().Exec("PRAGMA cache_size = -6144; DROP INDEX pscs_company_number").ok());
  StatusOr<bool> missing = PscIndexMissing(&f.db());
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(*missing);

  RequestStop(SIGTERM);
  EXPECT_FALSE(BuildPscIndex(&f.db(), 1024).ok());
  ResetStopForTest();
  EXPECT_FALSE(IndexThere(&f));
  EXPECT_EQ(f.One("PRAGMA cache_size"), "-6144");

  ASSERT_TRUE(BuildPscIndex(&f.db(), 1024).ok());
  EXPECT_TRUE(IndexThere(&f));
  EXPECT_EQ(f.One("PRAGMA cache_size"), "-6144");
  EXPECT_EQ(f.One("SELECT name FROM pscs INDEXED BY pscs_company_number"
                  " WHERE company_number = '01234567'"),
            "A");
  EXPECT_EQ(f.One("PRAGMA integrity_check"), "ok");
}

TEST(DeferredPscIndexTest, NothingIsMissingBeforeTheMigrationThatMakesPscs) {
  StatusOr<SqliteDb> db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  StatusOr<bool> missing = PscIndexMissing(&*db);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

// Through RecordApplier, as ch-store runs it.
TEST(DeferredPscIndexTest, AFirstImportBuildsItAtTheEndOfItsInput) {
  StoreFixture f;
  f.Apply(SnapshotPsc("2026-12-05", "a", "A").Line());
  f.Apply(SnapshotPsc("2026-12-05", "b", "B").Line());
  EXPECT_FALSE(IndexThere(&f)) << "committed lines of a first import";
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  EXPECT_EQ(f.One(kIndexSql), kPscsCompanyNumberIndexSql);
  EXPECT_EQ(f.One("SELECT count(*) FROM pscs INDEXED BY pscs_company_number"
                  " WHERE company_number = '01234567'"),
            "2");
}

TEST(DeferredPscIndexTest, AnImportStoppedBeforeItsEndLeavesItToTheNextStart) {
  testing_records::TempDir dir;
  const std::string path = dir.File("stopped.db");
  {
    StoreFixture f(false, path);
    f.Apply(SnapshotPsc("2026-12-05", "a", "A").Line());
    EXPECT_FALSE(IndexThere(&f));
    // A stop signal: the end of the input builds nothing.
    RequestStop(SIGTERM);
    Status s = f.applier().EndOfInput();
    ResetStopForTest();
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_FALSE(IndexThere(&f));
  }
  StoreFixture next(false, path);
  EXPECT_FALSE(IndexThere(&next));
  ASSERT_TRUE(next.applier().EnsurePscIndex().ok());
  EXPECT_TRUE(IndexThere(&next));
  // Present: nothing to do (and no write lock taken for it).
  ASSERT_TRUE(next.applier().EnsurePscIndex().ok());
}

TEST(DeferredPscIndexTest, ImportsAfterACompleteSnapshotKeepIt) {
  StoreFixture f;
  f.ApplyAll({SnapshotPsc("2026-12-05", "a", "A").Line(), CompletePscSnapshotEnd("2026-12-05", 1)});
  ASSERT_TRUE(f.applier().EndOfInput().ok());
  ASSERT_TRUE(IndexThere(&f));
  EXPECT_EQ(f.One("SELECT last_snapshot_as_of FROM stream_state"
                  " WHERE stream = 'persons-with-significant-control'"),
            "2026-12-05");
  // The next day's import (a new applier, as the next ch-store process).
  StatusOr<std::unique_ptr<RecordApplier>> next = RecordApplier::Create(&f.db(), {});
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE((*next)->Begin().ok());
  RecordDecoder decoder("companies");
  ASSERT_TRUE((*next)->Apply(decoder.Decode(SnapshotPsc("2026-12-06", "a", "A2").Line())).ok());
  ASSERT_TRUE((*next)->Commit().ok());
  EXPECT_TRUE(IndexThere(&f)) << "the daily import dropped the index";
  EXPECT_EQ(f.One("SELECT name FROM pscs"), "A2");
}

}  // namespace
}  // namespace ch
