// CompanyStateCache: what goes in comes out, until it is forgotten.
#include "ch-store/company_state_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

CompanyState State(int64_t rowid, std::optional<std::string_view> status,
                   std::optional<std::string_view> detail = std::nullopt, bool deleted = false) {
  CompanyState s;
  s.rowid = rowid;
  s.status = status;
  s.detail = detail;
  s.deleted = deleted;
  return s;
}

TEST(CompanyStateCacheTest, FindsWhatWasPut) {
  CompanyStateCache cache;
  CompanyState out;
  EXPECT_FALSE(cache.Find("00000001", &out));
  cache.Put("00000001", State(7, "active", "active-proposal-to-strike-off"));
  cache.Put("SC000002", State(8, std::nullopt, std::nullopt, /*deleted=*/true));
  ASSERT_TRUE(cache.Find("00000001", &out));
  EXPECT_EQ(out.rowid, 7);
  EXPECT_EQ(out.status, "active");
  EXPECT_EQ(out.detail, "active-proposal-to-strike-off");
  EXPECT_FALSE(out.deleted);
  ASSERT_TRUE(cache.Find("SC000002", &out));
  EXPECT_EQ(out.rowid, 8);
  EXPECT_EQ(out.status, std::nullopt);
  EXPECT_EQ(out.detail, std::nullopt);
  EXPECT_TRUE(out.deleted);
  EXPECT_FALSE(cache.Find("00000003", &out));
  EXPECT_FALSE(cache.Find("0000000", &out));  // a prefix is another number
}

TEST(CompanyStateCacheTest, PutReplacesTheState) {
  CompanyStateCache cache;
  cache.Put("00000001", State(7, "active"));
  cache.Put("00000001", State(7, "dissolved"));
  CompanyState out;
  ASSERT_TRUE(cache.Find("00000001", &out));
  EXPECT_EQ(out.status, "dissolved");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(CompanyStateCacheTest, ForgetHidesOnlyThatCompany) {
  CompanyStateCache cache;
  for (int i = 0; i < 1000; ++i) cache.Put(std::to_string(i), State(i, "active"));
  cache.Forget("500");
  CompanyState out;
  EXPECT_FALSE(cache.Find("500", &out));
  for (int i = 0; i < 1000; ++i) {
    if (i != 500) {
      EXPECT_TRUE(cache.Find(std::to_string(i), &out)) << i;
    }
  }
  cache.Put("500", State(5, "liquidation"));
  ASSERT_TRUE(cache.Find("500", &out));
  EXPECT_EQ(out.status, "liquidation");
}

TEST(CompanyStateCacheTest, ClearForgetsEverything) {
  CompanyStateCache cache;
  cache.Put("00000001", State(1, "active"));
  cache.Clear();
  CompanyState out;
  EXPECT_FALSE(cache.Find("00000001", &out));
  EXPECT_EQ(cache.size(), 0u);
  cache.Put("00000001", State(1, "dissolved"));
  ASSERT_TRUE(cache.Find("00000001", &out));
  EXPECT_EQ(out.status, "dissolved");
}

TEST(CompanyStateCacheTest, NumbersThatAreNoCompanyNumbersAreNotHeld) {
  CompanyStateCache cache;
  cache.Put("", State(1, "active"));
  cache.Put("12345678901", State(2, "active"));
  CompanyState out;
  EXPECT_FALSE(cache.Find("", &out));
  EXPECT_FALSE(cache.Find("12345678901", &out));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(CompanyStateCacheTest, StartsAfreshWhenFull) {
  CompanyStateCache cache;
  for (size_t i = 0; i < CompanyStateCache::kDefaultMaxEntries; ++i)
    cache.Put(std::to_string(i), State(static_cast<int64_t>(i), "active"));
  EXPECT_EQ(cache.size(), CompanyStateCache::kDefaultMaxEntries);
  cache.Put("X", State(-1, "dissolved"));
  EXPECT_EQ(cache.size(), 1u);
  CompanyState out;
  EXPECT_TRUE(cache.Find("X", &out));
  EXPECT_FALSE(cache.Find("0", &out));
}

TEST(CompanyStateCacheTest, HoldsAtMostTheEntriesItWasGiven) {
  CompanyStateCache cache(3);
  EXPECT_EQ(cache.max_entries(), 3u);
  for (int i = 0; i < 3; ++i) cache.Put(std::to_string(i), State(i, "active"));
  EXPECT_EQ(cache.size(), 3u);
  cache.Put("1", State(1, "dissolved"));  // a number it holds: no restart
  EXPECT_EQ(cache.size(), 3u);
  cache.Put("3", State(3, "active"));
  EXPECT_EQ(cache.size(), 1u);
  CompanyState out;
  EXPECT_FALSE(cache.Find("1", &out));
  ASSERT_TRUE(cache.Find("3", &out));
  EXPECT_EQ(out.rowid, 3);
}

// Issue 13, the deterministic case: the company that makes the full table
// start afresh must keep its own status, whatever texts are interned after
// the restart. (Put used to take the ids, drop the texts with the entries,
// then store the stale ids: "active" read back as "dissolved".)
void CheckStateSurvivesARestart(size_t max_entries) {
  SCOPED_TRACE(max_entries);
  CompanyStateCache cache(max_entries);
  cache.Put("L0", State(1, "liquidation"));
  for (size_t i = 1; i < max_entries; ++i)
    cache.Put(std::to_string(i), State(static_cast<int64_t>(i) + 1, "active"));
  ASSERT_EQ(cache.size(), max_entries);
  cache.Put("LAST", State(-1, "active"));  // one more company: the restart
  ASSERT_EQ(cache.size(), 1u);
  cache.Put("Y", State(-2, "liquidation"));
  cache.Put("Z", State(-3, "dissolved", "petition-to-restore-dissolved"));
  CompanyState out;
  ASSERT_TRUE(cache.Find("LAST", &out));
  EXPECT_EQ(out.rowid, -1);
  EXPECT_EQ(out.status, "active");
  EXPECT_EQ(out.detail, std::nullopt);
  ASSERT_TRUE(cache.Find("Y", &out));
  EXPECT_EQ(out.status, "liquidation");
  ASSERT_TRUE(cache.Find("Z", &out));
  EXPECT_EQ(out.status, "dissolved");
  EXPECT_EQ(out.detail, "petition-to-restore-dissolved");
}

TEST(CompanyStateCacheTest, AStateKeepsItsTextsWhenTheFullTableStartsAfresh) {
  CheckStateSurvivesARestart(CompanyStateCache::kDefaultMaxEntries);
  CheckStateSurvivesARestart(3);  // room for LAST, Y and Z after the restart
  CheckStateSurvivesARestart(100);
}

TEST(CompanyStateCacheTest, ClearKeepsTheTextsSoViewsAndIdsStayValid) {
  CompanyStateCache cache(2);
  cache.Put("A", State(1, "active", "active-proposal-to-strike-off"));
  CompanyState before;
  ASSERT_TRUE(cache.Find("A", &before));
  cache.Clear();
  for (int i = 0; i < 50; ++i)  // restarts, new texts: nothing moves
    cache.Put(std::to_string(i), State(i, "status " + std::to_string(i % 7)));
  EXPECT_EQ(before.status, "active");
  EXPECT_EQ(before.detail, "active-proposal-to-strike-off");
  cache.Put("A", State(1, "dissolved"));
  CompanyState out;
  ASSERT_TRUE(cache.Find("A", &out));
  EXPECT_EQ(out.status, "dissolved");
  EXPECT_EQ(out.detail, std::nullopt);
}

TEST(CompanyStateCacheTest, StatusTextsBeyondTheLimitAreNotCached) {
  CompanyStateCache cache;
  for (size_t i = 0; i < CompanyStateCache::kMaxTexts; ++i)
    cache.Put(std::to_string(i), State(1, "status " + std::to_string(i)));
  CompanyState out;
  ASSERT_TRUE(cache.Find("0", &out));
  EXPECT_EQ(out.status, "status 0");
  // A new text no longer fits: that company is forgotten, not mislabelled.
  cache.Put("0", State(1, "one text too many"));
  EXPECT_FALSE(cache.Find("0", &out));
  cache.Put("0", State(1, "status 7"));  // a known text still fits
  ASSERT_TRUE(cache.Find("0", &out));
  EXPECT_EQ(out.status, "status 7");
}

}  // namespace
}  // namespace ch
