// BackgroundCheckpointer: the WAL is copied into the database off the
// writer's thread, and stays bounded when that thread cannot keep up.
#include "ch-store/background_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
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

  TempDir dir_;
  std::string path_;
  SqliteDb writer_;
};

TEST_F(BackgroundCheckpointerTest, CopiesTheWalIntoTheDatabaseOnItsOwnThread) {
  BackgroundCheckpointer::Options options;
  options.start_frames = 20;
  options.inline_frames = 1000000;
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c =
      BackgroundCheckpointer::Start(path_, &writer_, options);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const off_t empty_size = FileSize(path_);
  Write(50);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*c)->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT((*c)->background_checkpoints(), 0);
  EXPECT_EQ((*c)->inline_checkpoints(), 0);
  // The pages reached the database file itself, not only the WAL.
  EXPECT_GT(FileSize(path_), empty_size + off_t{20} * 4000);
  EXPECT_EQ(Rows(), 50);
}

TEST_F(BackgroundCheckpointerTest, WriterCheckpointsItselfWhenTheWalGrowsTooLarge) {
  BackgroundCheckpointer::Options options;
  options.start_frames = 1000000;  // the thread is never woken
  options.inline_frames = 30;
  StatusOr<std::unique_ptr<BackgroundCheckpointer>> c =
      BackgroundCheckpointer::Start(path_, &writer_, options);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Write(200);
  EXPECT_GT((*c)->inline_checkpoints(), 0);
  EXPECT_EQ((*c)->background_checkpoints(), 0);
  // The WAL starts afresh after each checkpoint: it never holds 200 rows.
  EXPECT_LT(FileSize(path_ + "-wal"), 100 * 4096);
  EXPECT_EQ(Rows(), 200);
}

TEST_F(BackgroundCheckpointerTest, StoppingLeavesTheWriterToCheckpointWhatIsLeftAtClose) {
  BackgroundCheckpointer::Options options;
  options.start_frames = 1000000;
  options.inline_frames = 1000000;
  {
    StatusOr<std::unique_ptr<BackgroundCheckpointer>> c =
        BackgroundCheckpointer::Start(path_, &writer_, options);
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

}  // namespace
}  // namespace ch
