// BackgroundCheckpointer: the WAL is copied into the database off the
// writer's thread, and stays bounded when that thread cannot keep up.
#include "ch-store/background_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "ch-store/store_db.h"
#include "ch-store/test_records.h"
#include "ch-store/wal_write_coalescer.h"

namespace ch {
namespace {

using testing_records::TempDir;

off_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

class BackgroundCheckpointerTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InstallWalWriteCoalescer().ok());
    path_ = dir_.File("c.db");
    StatusOr<SqliteDb> db = OpenStoreForWriting(path_, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    writer_ = std::move(db).value();
    ASSERT_TRUE(writer_.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)").ok());
  }

  // Commits `n` transactions of one 4 KB row each: a few WAL frames each.
  void Write(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(writer_.Exec("INSERT INTO t(v) VALUES(randomblob(4000))").ok());
    }
  }

  int64_t Rows() { return writer_.QueryInt64("SELECT count(*) FROM t")->value_or(-1); }

  // A checkpointer on writer_ that wakes its thread at `start_frames` WAL
  // frames and checkpoints inline at `inline_frames`.
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> Start(
      int start_frames, int inline_frames,
      std::function<void(sqlite3*)> restore_busy_handler = nullptr) {
    BackgroundCheckpointer::Options options;
    options.start_frames = start_frames;
    options.inline_frames = inline_frames;
    options.restore_busy_handler = std::move(restore_busy_handler);
    return BackgroundCheckpointer::Start(path_, &writer_, options);
  }

  TempDir dir_;
  std::string path_;
  SqliteDb writer_;
};

// The rows in the database file alone, without its WAL (read from a copy).
int64_t RowsInTheFileAlone(const std::string& path, const std::string& copy) {
  const std::string command = "cp '" + path + "' '" + copy + "'";
  if (std::system(command.c_str()) != 0) return -1;
  StatusOr<SqliteDb> db = SqliteDb::Open(copy, SqliteDb::Mode::kReadOnly);
  if (!db.ok()) return -1;
  // Before any checkpoint even the table is only in the WAL.
  StatusOr<std::optional<int64_t>> tables =
      db->QueryInt64("SELECT count(*) FROM sqlite_master WHERE name = 't'");
  if (!tables.ok() || tables->value_or(0) == 0) return tables.ok() ? 0 : -1;
  StatusOr<std::optional<int64_t>> rows = db->QueryInt64("SELECT count(*) FROM t");
  return rows.ok() ? rows->value_or(-1) : -1;
}

// The rows committed before the checkpoint starts are all in the database
// file once it is counted. (This test used to write 50 rows while the thread
// ran and expect the first checkpoint to hold 20 of them, 20 WAL frames
// being "20 rows"; but each commit writes two or three frames (its leaf and
// the root page again), and a thread woken at once copied only the 8 or 9
// rows committed so far: 24 failures in 200 runs on two busy cores.)
TEST_F(BackgroundCheckpointerTest, CopiesTheWalIntoTheDatabaseOnItsOwnThread) {
  Write(30);  // before the hook: all of it waits in the WAL
  EXPECT_EQ(RowsInTheFileAlone(path_, dir_.File("before.db")), 0);
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c = Start(20, 1000000);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const off_t size_before = FileSize(path_);
  Write(1);  // the commit that wakes the thread; nothing is written after it
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*c)->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ((*c)->background_checkpoints(), 1);
  EXPECT_EQ((*c)->inline_checkpoints(), 0);
  // The pages reached the database file itself, not only the WAL.
  EXPECT_GT(FileSize(path_), size_before + off_t{31} * 4000);
  EXPECT_EQ(RowsInTheFileAlone(path_, dir_.File("after.db")), 31);
  EXPECT_EQ(Rows(), 31);
}

TEST_F(BackgroundCheckpointerTest, ThreadKeepsUpWhileTheWriterGoesOn) {
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c = Start(20, 1000000);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (int i = 0; i < 20; ++i) {
    Write(10);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Checkpoints that raced the writer may have copied only part of the WAL
  // (and are not counted); the WAL still never grew near its inline bound.
  EXPECT_EQ((*c)->inline_checkpoints(), 0);
  EXPECT_EQ(Rows(), 200);
}

TEST_F(BackgroundCheckpointerTest, WriterCheckpointsItselfWhenTheWalGrowsTooLarge) {
  // The thread is never woken.
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c = Start(1000000, 30);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Write(200);
  EXPECT_GT((*c)->inline_checkpoints(), 0);
  EXPECT_EQ((*c)->background_checkpoints(), 0);
  // The WAL starts afresh after each checkpoint: it never holds 200 rows.
  EXPECT_LT(FileSize(path_ + "-wal"), 100 * 4096);
  EXPECT_EQ(Rows(), 200);
}

TEST_F(BackgroundCheckpointerTest, StoppingLeavesTheWriterToCheckpointWhatIsLeftAtClose) {
  {
    StatusOr<std::unique_ptr<BackgroundCheckpointer>> c = Start(1000000, 1000000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Write(10);
  }
  Write(10);  // no hook any more: nothing breaks
  ASSERT_TRUE(writer_.Close().ok());
  // The last connection closed: everything is in the database, no WAL left.
  EXPECT_LT(FileSize(path_ + "-wal"), 0);
  StatusOr<SqliteDb> reader = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->QueryInt64("SELECT count(*) FROM t")->value_or(-1), 20);
}

TEST_F(BackgroundCheckpointerTest, RefusesADatabaseNotInWalMode) {
  const std::string other = dir_.File("rollback.db");
  StatusOr<SqliteDb> db = SqliteDb::Open(other, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c =
      BackgroundCheckpointer::Start(other, &*db, BackgroundCheckpointer::Options());
  EXPECT_FALSE(c.ok());
}

// The inline checkpoint is a RESTART, so that with several writers (one
// ch-store per stream, one of them nearly always inside a transaction) the
// WAL still starts afresh: with PASSIVE, three streams' backlogs grew it to
// 2.4 GB; with RESTART it stayed under 620 MB (the inline bound). A reader
// holding a transaction open makes it wait only briefly, then the hook stays
// PASSIVE for a second, and the writer's busy handler is put back each time.
TEST_F(BackgroundCheckpointerTest, InlineRestartWaitsForAReaderOnlyBriefly) {
  int restored = 0;
  // No thread: only the inline checkpoint.
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c =
      Start(1000000, 20, [&restored](sqlite3* db) {
        ++restored;
        sqlite3_busy_timeout(db, 5000);
      });
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Write(30);  // past inline_frames: RESTART each time, nobody reading
  const int inline_before = (*c)->inline_checkpoints();
  ASSERT_GT(inline_before, 0);
  EXPECT_EQ(restored, inline_before);
  const int restored_before = restored;
  StatusOr<SqliteDb> reader = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  ASSERT_TRUE(reader->QueryInt64("SELECT count(*) FROM t").ok());  // holds a snapshot
  const auto start = std::chrono::steady_clock::now();
  Write(60);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  EXPECT_GT((*c)->inline_checkpoints(), inline_before);
  // One RESTART waited for the reader (50 ms), the rest were PASSIVE; with
  // the writer's 5 s busy timeout each would have waited 5 s.
  EXPECT_EQ(restored, restored_before + 1);
  EXPECT_LT(took, std::chrono::milliseconds(900));
  EXPECT_EQ(Rows(), 90);
}

// Stopping interrupts a checkpoint under way (ch-store's exit must not wait
// for hundreds of MB to be copied and synced), and that loses nothing: the
// frames it did not finish stay in the WAL, every reader still sees every
// row, and the next checkpoint copies them into the database file.
TEST_F(BackgroundCheckpointerTest, StoppingInterruptsACheckpointWithoutLosingARow) {
  Write(3000);  // about 12 MB of WAL, before the hook
  {
    StatusOr<std::unique_ptr<BackgroundCheckpointer>> c = Start(20, 1000000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Write(1);  // wakes the thread, which starts copying 3,001 rows
  }            // and is interrupted (or finishes, on a fast machine)
  ASSERT_TRUE(LeaveWalAtClose(&writer_, int64_t{1} << 30).ok());
  ASSERT_TRUE(writer_.Close().ok());
  EXPECT_GT(FileSize(path_ + "-wal"), 0);  // left for the next writer
  {
    StatusOr<SqliteDb> reader = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(reader->QueryInt64("SELECT count(*) FROM t")->value_or(-1), 3001);
    StatusOr<Statement> check = reader->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok());
    StatusOr<bool> row = check->Step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ(check->ColumnText(0), "ok");
  }
  // The next writer's checkpoint copies what was left: the file alone then
  // holds every row.
  StatusOr<SqliteDb> next = OpenStoreForWriting(path_, 1000);
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  EXPECT_EQ(RowsInTheFileAlone(path_, dir_.File("copy.db")), 3001);
}

}  // namespace
}  // namespace ch
