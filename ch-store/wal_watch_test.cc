// WalWatch: trouble is a checkpoint due for too long without a reset, or a
// WAL file too large; the warn line is rate-limited and its recovery said;
// the file's state is read from a real SQLite WAL, reader and all.
#include "ch-store/wal_watch.h"

#include <gtest/gtest.h>

#include <string>

#include "ch-store/test_records.h"
#include "common/sqlite_db.h"

namespace ch {
namespace {

using testing_records::TempDir;
using Verdict = WalWatch::Verdict;

WalWatch::Options SmallOptions() {
  WalWatch::Options o;
  o.due_bytes = 1000;
  o.warn_seconds = 30;
  o.warn_bytes = 100000;
  o.repeat_seconds = 60;
  return o;
}

WalFileState State(int64_t bytes, uint32_t generation) {
  WalFileState s;
  s.bytes = bytes;
  s.generation = generation;
  return s;
}

TEST(WalWatchTest, AWalBelowTheCheckpointThresholdIsNeverTrouble) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  // A live trickle: the WAL grows for hours, no checkpoint due yet.
  for (int t = 0; t < 10000; t += 100) {
    EXPECT_EQ(watch.Observe(State(999, 1), t), Verdict::kQuiet) << t;
  }
  EXPECT_EQ(watch.checkpoint_due_seconds(10000), 0);
  EXPECT_EQ(watch.not_reset_seconds(9900), 9900);
}

TEST(WalWatchTest, ACheckpointDueForTooLongWithoutAResetIsTrouble) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  EXPECT_EQ(watch.Observe(State(500, 1), 0), Verdict::kQuiet);
  EXPECT_EQ(watch.Observe(State(2000, 1), 10), Verdict::kQuiet);  // due from 10 s
  EXPECT_EQ(watch.Observe(State(5000, 1), 39), Verdict::kQuiet);
  EXPECT_EQ(watch.checkpoint_due_seconds(39), 29);
  EXPECT_EQ(watch.Observe(State(6000, 1), 40), Verdict::kWarn);
  EXPECT_TRUE(watch.in_trouble());
  EXPECT_EQ(watch.not_reset_seconds(40), 40);
  EXPECT_EQ(watch.wal_bytes(), 6000);
}

TEST(WalWatchTest, ACheckpointThatResetsTheWalInTimeIsNoTrouble) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  // A catch-up: due every 20 s, reset each time within 25 s.
  uint32_t generation = 1;
  for (int t = 0; t < 1000; t += 5) {
    if (t % 25 == 0) ++generation;
    const int64_t bytes = 500 + (t % 25) * 100;
    EXPECT_EQ(watch.Observe(State(bytes, generation), t), Verdict::kQuiet) << t;
  }
  EXPECT_EQ(watch.resets(), 39u);
}

TEST(WalWatchTest, AWalFileLargerThanTheLimitIsTroubleAtOnce) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  EXPECT_EQ(watch.Observe(State(100001, 1), 0), Verdict::kWarn);
}

TEST(WalWatchTest, TheWarningRepeatsAtMostOncePerInterval) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  EXPECT_EQ(watch.Observe(State(200000, 1), 0), Verdict::kWarn);
  for (int t = 1; t < 60; ++t) EXPECT_EQ(watch.Observe(State(200000, 1), t), Verdict::kQuiet);
  EXPECT_EQ(watch.Observe(State(300000, 1), 60), Verdict::kWarn);
  EXPECT_EQ(watch.Observe(State(300000, 1), 61), Verdict::kQuiet);
}

TEST(WalWatchTest, AResetAfterAWarningIsARecovery) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  EXPECT_EQ(watch.Observe(State(2000, 7), 0), Verdict::kQuiet);
  EXPECT_EQ(watch.Observe(State(90000, 7), 30), Verdict::kWarn);
  // The reader ends: the next checkpoint completes, the next write starts
  // the WAL afresh and cuts the file back.
  EXPECT_EQ(watch.Observe(State(4000, 8), 75), Verdict::kRecovered);
  EXPECT_FALSE(watch.in_trouble());
  EXPECT_EQ(watch.checkpoint_due_seconds(75), 0);  // due again, from now
  EXPECT_EQ(watch.not_reset_seconds(80), 5);
  EXPECT_EQ(watch.resets(), 1u);
  EXPECT_EQ(watch.Observe(State(4000, 8), 76), Verdict::kQuiet);
}

TEST(WalWatchTest, SeveralResetsBetweenTwoSamplesAreCounted) {
  WalWatch watch("unused-wal", nullptr, SmallOptions());
  (void)watch.Observe(State(5000, 10), 0);
  (void)watch.Observe(State(5000, 13), 1);
  EXPECT_EQ(watch.resets(), 3u);
  // A WAL file removed (every connection closed) and made anew.
  (void)watch.Observe(WalFileState(), 2);
  EXPECT_EQ(watch.resets(), 4u);
  (void)watch.Observe(State(5000, 0), 3);
  EXPECT_EQ(watch.resets(), 4u);
}

TEST(WalWatchTest, BytesForFramesIsTheFileLayout) {
  EXPECT_EQ(WalBytesForFrames(0, 4096), 32);
  EXPECT_EQ(WalBytesForFrames(48000, 4096), 32 + 48000LL * 4120);
}

TEST(WalWatchTest, FormatsSizesForPeople) {
  EXPECT_EQ(FormatByteSize(0), "0 bytes");
  EXPECT_EQ(FormatByteSize(65536), "66 kB");
  EXPECT_EQ(FormatByteSize(212400000), "212.4 MB");
  EXPECT_EQ(FormatByteSize(1680000000), "1.68 GB");
}

// A real database in WAL mode: its -wal file read as WalWatch reads it.
class WalFileTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("w.db");
    StatusOr<SqliteDb> db = SqliteDb::Open(path_, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    writer_ = std::move(db).value();
    ASSERT_TRUE(writer_
                    .Exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
                          "CREATE TABLE t(v BLOB)")
                    .ok());
  }

  void Write(int rows) {
    for (int i = 0; i < rows; ++i)
      ASSERT_TRUE(writer_.Exec("INSERT INTO t VALUES(randomblob(3000))").ok());
  }

  WalFileState Read() {
    StatusOr<WalFileState> s = ReadWalFileState(path_ + "-wal");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : WalFileState();
  }

  TempDir dir_;
  std::string path_;
  SqliteDb writer_;
};

TEST_F(WalFileTest, AMissingFileIsAnEmptyState) {
  StatusOr<WalFileState> s = ReadWalFileState(path_ + "-none");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bytes, 0);
  EXPECT_FALSE(s->generation);
}

TEST_F(WalFileTest, ACheckpointThenAWriteStartsANewGeneration) {
  Write(10);
  const WalFileState before = Read();
  ASSERT_TRUE(before.generation);
  EXPECT_GT(before.bytes, 10 * 3000);
  ASSERT_TRUE(writer_.Exec("PRAGMA wal_checkpoint(PASSIVE)").ok());
  Write(1);
  const WalFileState after = Read();
  ASSERT_TRUE(after.generation);
  EXPECT_NE(*after.generation, *before.generation);
}

TEST_F(WalFileTest, AReaderHoldingATransactionKeepsTheGenerationAndTheWalGrows) {
  Write(5);
  StatusOr<SqliteDb> reader = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  ASSERT_TRUE(reader->QueryInt64("SELECT count(*) FROM t").ok());  // the snapshot is taken
  const WalFileState held = Read();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(writer_.Exec("PRAGMA wal_checkpoint(PASSIVE)").ok());
    Write(20);
  }
  const WalFileState grown = Read();
  EXPECT_EQ(grown.generation, held.generation);
  EXPECT_GT(grown.bytes, held.bytes + 60 * 3000);
  // Released: the next checkpoint and write start the WAL afresh.
  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  ASSERT_TRUE(writer_.Exec("PRAGMA wal_checkpoint(PASSIVE)").ok());
  Write(1);
  EXPECT_NE(Read().generation, held.generation);
}

}  // namespace
}  // namespace ch
