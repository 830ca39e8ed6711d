// WritePathLimits: the release defaults, and CH_TEST_LIMITS overriding them.
#include "ch-store/write_path_limits.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(WritePathLimitsTest, DefaultsAreTheReleaseBounds) {
  const WritePathLimits d = WritePathLimits::Defaults();
  EXPECT_EQ(d.state_cache_entries, 32768u);
  EXPECT_EQ(d.resource_id_buckets, 65536u);
  EXPECT_EQ(d.stream_batch_records, 20000u);
  EXPECT_EQ(d.bulk_batch_records, 50000u);
  EXPECT_EQ(d.checkpoint_start_frames, 48000);
  EXPECT_EQ(d.checkpoint_inline_frames, 144000);
  EXPECT_EQ(d.reader_slots, 128);
  EXPECT_EQ(d.reader_wake_batch, 16u);
  EXPECT_EQ(d.journal_size_limit_bytes, 128 << 20);
  EXPECT_EQ(d.wal_autocheckpoint_frames, 32000);
  EXPECT_EQ(d.wal_warn_seconds, 30);
  EXPECT_EQ(d.wal_warn_bytes, 1000000000);
  StatusOr<WritePathLimits> empty = WritePathLimits::Parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(*empty == d);
}

TEST(WritePathLimitsTest, ParsesEveryName) {
  StatusOr<WritePathLimits> l = WritePathLimits::Parse(
      "state_cache_entries=3,stream_batch_records=7,bulk_batch_records=11,"
      "checkpoint_start_frames=20,checkpoint_inline_frames=60,reader_slots=2,"
      "reader_wake_batch=1,journal_size_limit_bytes=4096,wal_autocheckpoint_frames=10,"
      "wal_warn_seconds=2,wal_warn_bytes=65536,resource_id_buckets=5");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->state_cache_entries, 3u);
  EXPECT_EQ(l->stream_batch_records, 7u);
  EXPECT_EQ(l->bulk_batch_records, 11u);
  EXPECT_EQ(l->checkpoint_start_frames, 20);
  EXPECT_EQ(l->checkpoint_inline_frames, 60);
  EXPECT_EQ(l->reader_slots, 2);
  EXPECT_EQ(l->reader_wake_batch, 1u);
  EXPECT_EQ(l->journal_size_limit_bytes, 4096);
  EXPECT_EQ(l->wal_autocheckpoint_frames, 10);
  EXPECT_EQ(l->wal_warn_seconds, 2);
  EXPECT_EQ(l->wal_warn_bytes, 65536);
  EXPECT_EQ(l->resource_id_buckets, 5u);
  EXPECT_FALSE(*l == WritePathLimits::Defaults());
}

TEST(WritePathLimitsTest, AnythingElseIsAConfigurationError) {
  for (const char* bad : {"state_cache_entries", "state_cache_entries=", "state_cache_entries=0",
                          "state_cache_entries=-1", "state_cache_entries=1x", "cache=5",
                          "reader_slots=99999999999", "=3"}) {
    StatusOr<WritePathLimits> l = WritePathLimits::Parse(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_EQ(l.status().code(), StatusCode::kConfig) << bad;
    EXPECT_NE(l.status().message().find("CH_TEST_LIMITS"), std::string::npos);
  }
}

}  // namespace
}  // namespace ch
