// ApplyTransaction: checkpoints move only in memory until Commit() writes
// them with the data; Rollback() and every Begin() forget them; counters and
// changes are handed over only by a commit.
#include "ch-store/apply_transaction.h"

#include <gtest/gtest.h>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::StoreFixture;

TEST(ApplyTransactionTest, CheckpointIsWrittenOnlyByCommit) {
  StoreFixture f;
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(&f.db());
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  StatusOr<ApplyTransaction::StreamState*> st = (*txn)->State("officers");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE((*st)->checkpoint.has_value());
  EXPECT_FALSE((*txn)->Seen(**st, 5));
  ASSERT_TRUE((*txn)->Advance(*st, 5, OptText("2024-01-01T00:00:00Z")).ok());
  EXPECT_TRUE((*txn)->Seen(**st, 5));
  EXPECT_TRUE((*txn)->Seen(**st, 4));
  EXPECT_FALSE((*txn)->Seen(**st, 6));
  EXPECT_EQ((*txn)->pending().skipped, 2u);
  EXPECT_EQ(f.Count("stream_state"), 0);
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(f.One("SELECT stream, timepoint, last_event_published_at FROM stream_state"),
            "officers|5|2024-01-01T00:00:00Z");
  EXPECT_EQ((*txn)->totals().stream_applied, 1u);
  EXPECT_EQ((*txn)->totals().skipped, 2u);
  EXPECT_EQ((*txn)->last_committed_checkpoint(), 5);
}

TEST(ApplyTransactionTest, RollbackForgetsTheMovedCheckpoint) {
  StoreFixture f;
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(&f.db());
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  StatusOr<ApplyTransaction::StreamState*> st = (*txn)->State("filings");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*txn)->Advance(*st, 9, std::nullopt).ok());
  (*txn)->Rollback();
  EXPECT_FALSE((*txn)->open());
  EXPECT_EQ((*txn)->totals().stream_applied, 0u);
  ASSERT_TRUE((*txn)->Begin().ok());
  st = (*txn)->State("filings");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE((*st)->checkpoint.has_value());
  ASSERT_TRUE((*txn)->Commit().ok());
  EXPECT_EQ(f.Count("stream_state"), 0);
}

TEST(ApplyTransactionTest, NoticesAnotherConnectionsCommit) {
  testing_records::TempDir dir;
  const std::string path = dir.File("t.db");
  StoreFixture f(false, path);
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(&f.db());
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  EXPECT_TRUE((*txn)->others_wrote());  // nothing known yet
  ASSERT_TRUE((*txn)->Commit().ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  EXPECT_FALSE((*txn)->others_wrote());
  ASSERT_TRUE((*txn)->Commit().ok());
  StatusOr<SqliteDb> other = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("INSERT INTO stream_state(stream, timepoint) VALUES('x', 1)").ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  EXPECT_TRUE((*txn)->others_wrote());
  ASSERT_TRUE((*txn)->Commit().ok());
}

TEST(ApplyTransactionTest, CommitOutsideATransactionIsAnError) {
  StoreFixture f;
  StatusOr<std::unique_ptr<ApplyTransaction>> txn = ApplyTransaction::Create(&f.db());
  ASSERT_TRUE(txn.ok());
  EXPECT_FALSE((*txn)->Commit().ok());
  ASSERT_TRUE((*txn)->Begin().ok());
  EXPECT_FALSE((*txn)->Begin().ok());
}

}  // namespace
}  // namespace ch
