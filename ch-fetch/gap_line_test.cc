#include "ch-fetch/gap_line.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(GapLineTest, MatchesTheDesignedControlLines) {
  EXPECT_EQ(
      GapLine("companies", 68805561, kGapTimepointOutOfRange),
      R"({"gap":{"stream":"companies","after_timepoint":68805561,"reason":"timepoint-out-of-range"}})");
  EXPECT_EQ(GapLine("companies", std::nullopt, kGapStartedLive),
            R"({"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}})");
}

}  // namespace
}  // namespace ch
