#include "ch-fetch/reconnect_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace ch {
namespace {

AttemptOutcome Failed() { return AttemptOutcome{AttemptOutcome::Result::kFailed, false, false, 0}; }
AttemptOutcome Streamed(bool healthy, bool clean_end) {
  return AttemptOutcome{AttemptOutcome::Result::kStreamed, healthy, clean_end, 0};
}
AttemptOutcome RateLimited(double wait) {
  return AttemptOutcome{AttemptOutcome::Result::kRateLimited, false, false, wait};
}

// A random source that always returns `u`.
std::function<double()> Fixed(double u) {
  return [u] { return u; };
}

TEST(ReconnectPolicyTest, BackoffDoublesUpToTheMaximum) {
  ReconnectPolicy top(1, 10, 100, Fixed(0.999999));
  std::vector<double> delays(6);
  for (double& delay : delays) delay = top.NextDelay(Failed());
  EXPECT_NEAR(delays[0], 1, 1e-3);
  EXPECT_NEAR(delays[1], 2, 1e-3);
  EXPECT_NEAR(delays[2], 4, 1e-3);
  EXPECT_NEAR(delays[3], 8, 1e-3);
  EXPECT_NEAR(delays[4], 10, 1e-3);
  EXPECT_NEAR(delays[5], 10, 1e-3);
}

TEST(ReconnectPolicyTest, JitterNeverGoesBelowHalfTheInitialDelay) {
  ReconnectPolicy bottom(1, 10, 100, Fixed(0));
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(bottom.NextDelay(Failed()), 0.5);
}

TEST(ReconnectPolicyTest, RealJitterStaysWithinTheWindow) {
  ReconnectPolicy policy(0.2, 3, 1000);
  double ceiling = 0.2;
  for (int i = 0; i < 40; ++i) {
    const double d = policy.NextDelay(Failed());
    EXPECT_GE(d, 0.1);
    EXPECT_LE(d, ceiling);
    ceiling = std::min(3.0, ceiling * 2);
  }
}

TEST(ReconnectPolicyTest, AHealthyConnectionResetsTheBackoff) {
  ReconnectPolicy policy(1, 100, 100, Fixed(0.999999));
  policy.NextDelay(Failed());
  policy.NextDelay(Failed());
  EXPECT_NEAR(policy.NextDelay(Failed()), 4, 1e-3);
  // Healthy but cut off: the first step again.
  EXPECT_NEAR(policy.NextDelay(Streamed(true, false)), 1, 1e-3);
  EXPECT_NEAR(policy.NextDelay(Failed()), 2, 1e-3);
}

TEST(ReconnectPolicyTest, ACleanEndOfAHealthyStreamReconnectsAtOnce) {
  ReconnectPolicy policy(1, 100, 100, Fixed(0.5));
  policy.NextDelay(Failed());
  EXPECT_EQ(policy.NextDelay(Streamed(true, true)), 0);
  EXPECT_EQ(policy.NextDelay(Streamed(true, true)), 0);
}

TEST(ReconnectPolicyTest, AnUnhealthyStreamKeepsBackingOffEvenWhenItEndsCleanly) {
  ReconnectPolicy policy(1, 100, 100, Fixed(0.999999));
  EXPECT_NEAR(policy.NextDelay(Streamed(false, true)), 1, 1e-3);
  EXPECT_NEAR(policy.NextDelay(Streamed(false, true)), 2, 1e-3);
  EXPECT_NEAR(policy.NextDelay(Streamed(false, false)), 4, 1e-3);
}

TEST(ReconnectPolicyTest, RateLimitWaitsExactlyAndIsNotCapped) {
  ReconnectPolicy policy(1, 10, 100, Fixed(0.5));
  EXPECT_EQ(policy.NextDelay(RateLimited(60)), 60);
  EXPECT_EQ(policy.NextDelay(RateLimited(2)), 2);
  // Never less than the first backoff step: a Retry-After of 0, 0.001 or a
  // date already past (the server's clock behind ours) made an independent
  // run reconnect thousands of times a second.
  EXPECT_EQ(policy.NextDelay(RateLimited(0)), 1);
  EXPECT_EQ(policy.NextDelay(RateLimited(0.001)), 1);
}

TEST(ReconnectPolicyTest, BreakerOpensAfterThresholdFailuresAndWaitsTheMaximum) {
  ReconnectPolicy policy(1, 300, 3, Fixed(0));
  EXPECT_EQ(policy.NextDelay(Failed()), 0.5);
  EXPECT_FALSE(policy.breaker_open());
  EXPECT_EQ(policy.NextDelay(Failed()), 0.5);
  EXPECT_FALSE(policy.breaker_open());
  EXPECT_EQ(policy.NextDelay(Failed()), 300);
  EXPECT_TRUE(policy.breaker_open());
  EXPECT_EQ(policy.consecutive_failures(), 3);
  EXPECT_EQ(policy.NextDelay(Failed()), 300);
  // A 429 keeps its own wait even with the breaker open, and counts.
  EXPECT_EQ(policy.NextDelay(RateLimited(7)), 7);
  EXPECT_EQ(policy.consecutive_failures(), 5);
  // A 200 closes it.
  policy.NextDelay(Streamed(false, false));
  EXPECT_FALSE(policy.breaker_open());
  EXPECT_EQ(policy.consecutive_failures(), 0);
}

TEST(ReconnectPolicyTest, TheBreakerClosesAsSoonAsAStreamStarts) {
  ReconnectPolicy policy(1, 300, 2, Fixed(0));
  policy.NextDelay(Failed());
  policy.NextDelay(Failed());
  ASSERT_TRUE(policy.breaker_open());
  policy.StreamStarted();
  EXPECT_FALSE(policy.breaker_open());
  EXPECT_EQ(policy.consecutive_failures(), 0);
}

TEST(ReconnectPolicyTest, RateLimitsCountTowardsTheBreaker) {
  ReconnectPolicy policy(1, 300, 2, Fixed(0));
  policy.NextDelay(RateLimited(1));
  policy.NextDelay(RateLimited(1));
  EXPECT_TRUE(policy.breaker_open());
  EXPECT_EQ(policy.NextDelay(Failed()), 300);
}

}  // namespace
}  // namespace ch
