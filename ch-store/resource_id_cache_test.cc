// ResourceIdCache: a bounded table of hints, and the applier using it as a
// hint only: whatever the cache holds (nothing, ids of resources since
// deleted or of another resource now, far fewer entries than resources),
// the database ends the same as without it.
#include "ch-store/resource_id_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::JsonText;
using testing_records::Officer;
using testing_records::StoreFixture;
using testing_records::TestResource;

TEST(ResourceIdCacheTest, FindsWhatWasPutAndRoundsTheBucketsUp) {
  ResourceIdCache cache(3);
  EXPECT_EQ(cache.capacity(), 8u);
  EXPECT_FALSE(cache.Find(42).has_value());
  cache.Put(42, 7);
  cache.Put(-5, 9);  // a hash is any int64
  EXPECT_EQ(cache.Find(42), 7);
  EXPECT_EQ(cache.Find(-5), 9);
  cache.Put(42, 8);  // a resource inserted again under another id
  EXPECT_EQ(cache.Find(42), 8);
  cache.Put(43, 0);  // not an id SQLite assigns: not kept
  EXPECT_FALSE(cache.Find(43).has_value());
}

TEST(ResourceIdCacheTest, ZeroBucketsHoldsNothing) {
  ResourceIdCache cache(0);
  cache.Put(1, 1);
  EXPECT_FALSE(cache.Find(1).has_value());
  EXPECT_EQ(cache.capacity(), 0u);
}

// Far past the bound: never more than capacity() ids held, every id found
// is the one last put for its hash, and the most recent ones are held.
TEST(ResourceIdCacheTest, PastItsBoundItForgetsButNeverAnswersWrong) {
  ResourceIdCache cache(16);
  std::mt19937_64 rng(7);
  std::vector<int64_t> hashes;
  for (int i = 0; i < 2000; ++i) hashes.push_back(static_cast<int64_t>(rng()));
  for (size_t i = 0; i < hashes.size(); ++i) cache.Put(hashes[i], static_cast<int64_t>(i + 1));
  size_t held = 0;
  for (size_t i = 0; i < hashes.size(); ++i) {
    const std::optional<int64_t> id = cache.Find(hashes[i]);
    if (!id) continue;
    ++held;
    EXPECT_EQ(*id, static_cast<int64_t>(i + 1));
  }
  EXPECT_LE(held, cache.capacity());
  EXPECT_GE(held, cache.capacity() / 2);
  EXPECT_EQ(cache.Find(hashes.back()), static_cast<int64_t>(hashes.size()));
  // Of two hashes in one bucket, the newer put stays when a third comes.
  ResourceIdCache one(1);
  one.Put(1, 1);
  one.Put(2, 2);
  one.Put(1, 3);  // 1 is the newest now
  one.Put(4, 4);  // pushes out 2, the older
  EXPECT_EQ(one.Find(1), 3);
  EXPECT_EQ(one.Find(4), 4);
  EXPECT_FALSE(one.Find(2).has_value());
}

RecordApplier::Options WithBuckets(size_t buckets) {
  RecordApplier::Options options;
  options.resource_id_buckets = buckets;
  return options;
}

// The id the cache holds for A went, with A's row, to another resource B:
// the record of A must not touch B's row.
TEST(ResourceIdCacheApplierTest, AnIdThatNowNamesAnotherResourceIsNotUsed) {
  StoreFixture f;
  f.Apply(Officer(1, "01234567", "a", "SMITH, Ann", "director").Line());
  ASSERT_EQ(f.One("SELECT id FROM resources"), "1");
  ASSERT_TRUE(f.db().Exec("DELETE FROM resources").ok());  // as another writer might
  f.Apply(Officer(2, "01234567", "b", "JONES, Bob", "secretary").Line());
  ASSERT_EQ(f.One("SELECT id, resource_id FROM resources"), "1|b");  // SQLite reused the id
  f.Apply(Officer(3, "01234567", "a", "SMITH, Ann Mary", "director").Line());
  EXPECT_EQ(f.Rows("SELECT id, resource_id, timepoint, data FROM resources ORDER BY id"),
            (std::vector<std::string>{"1|b|2|{\"name\":\"JONES, Bob\"}",
                                      "2|a|3|{\"name\":\"SMITH, Ann Mary\"}"}));
  EXPECT_EQ(f.Rows("SELECT appointment_id, name FROM officers ORDER BY appointment_id"),
            (std::vector<std::string>{"a|SMITH, Ann Mary", "b|JONES, Bob"}));
}

// A record that loses against the stored state (another stream's, older)
// changes nothing through a known id either, and is counted as superseded.
TEST(ResourceIdCacheApplierTest, ARecordThatLosesThroughAKnownIdChangesNothing) {
  StoreFixture f;
  TestResource newer = Officer(5, "01234567", "a", "SMITH, Ann", "director");
  newer.published_at = "2024-06-02T00:00:00Z";
  f.Apply(newer.Line());
  TestResource older = Officer(1, "01234567", "a", "SMITH, Old", "director");
  older.stream = "other";
  older.published_at = "2024-06-01T00:00:00Z";
  f.Apply(older.Line());
  EXPECT_EQ(f.One("SELECT stream, timepoint, data FROM resources"),
            "officers|5|{\"name\":\"SMITH, Ann\"}");
  EXPECT_EQ(f.One("SELECT name FROM officers"), "SMITH, Ann");
  EXPECT_EQ(f.applier().totals().superseded, 1u);
}

// Everything of `resources` but the wall clock, and the officers view.
std::vector<std::string> Contents(StoreFixture* f) {
  std::vector<std::string> rows = f->Rows(
      "SELECT id, resource_uri, stream, resource_kind, resource_id, company_number, timepoint,"
      " published_at, as_of, source, deleted, data, uri_hash, typed_row FROM resources ORDER BY "
      "id");
  for (const std::string& row : f->Rows("SELECT * FROM officers ORDER BY resource_uri"))
    rows.push_back(row);
  return rows;
}

// 400 appointments re-published in shuffled rounds (renamed, resigned,
// deleted with and without data), in transactions of 7 records, through
// a cache of 2 ids and through none, each time by a new applier (a
// restart) on the same database: both databases are the same.
TEST(ResourceIdCacheApplierTest, FarPastItsBoundAndAcrossRestartsTheDatabaseIsTheSame) {
  std::vector<std::string> lines;
  std::mt19937 rng(11);
  int64_t timepoint = 0;
  for (int round = 0; round < 4; ++round) {
    std::vector<int> order(400);
    for (int i = 0; i < 400; ++i) order[static_cast<size_t>(i)] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (const int i : order) {
      const std::string number = "0000" + std::to_string(1000 + i % 37);
      TestResource r = Officer(
          ++timepoint, number, "x" + std::to_string(i),
          "NAME " + std::to_string(i) + " v" + std::to_string(round), "director",
          round >= 2 && i % 3 == 0 ? std::optional<std::string>("2024-05-01") : std::nullopt);
      if (round == 3 && i % 5 == 0) {
        r.event_type = "deleted";
        if (i % 2 == 0) r.data.reset();
      }
      lines.push_back(r.Line());
    }
  }
  const std::string path = ::testing::TempDir() + "resource_id_cache_" + std::to_string(getpid());
  std::vector<std::vector<std::string>> contents;
  for (const size_t buckets : {size_t{1}, size_t{0}}) {
    const std::string db = path + "_" + std::to_string(buckets) + ".db";
    (void)std::remove(db.c_str());
    for (size_t begin = 0; begin < lines.size(); begin += 700) {
      StoreFixture f(WithBuckets(buckets), db);  // a restart every 700 records
      for (size_t b = begin; b < std::min(lines.size(), begin + 700); b += 7) {
        f.ApplyAll(std::vector<std::string>(
            lines.begin() + static_cast<ptrdiff_t>(b),
            lines.begin() + static_cast<ptrdiff_t>(std::min(b + 7, lines.size()))));
      }
    }
    StoreFixture f(WithBuckets(buckets), db);
    contents.push_back(Contents(&f));
    EXPECT_EQ(f.Count("resources"), 400);
    (void)std::remove(db.c_str());
  }
  EXPECT_EQ(contents[0].size(), 400u + 400u);
  EXPECT_EQ(contents[0], contents[1]);
}

}  // namespace
}  // namespace ch
