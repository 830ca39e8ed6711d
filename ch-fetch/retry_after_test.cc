#include "ch-fetch/retry_after.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example date.
constexpr std::time_t kRfcDate = 784111777;

TEST(RetryAfterTest, ReadsDelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kRfcDate), 120.0);
  EXPECT_EQ(ParseRetryAfter(" 0 ", kRfcDate), 0.0);
  EXPECT_EQ(ParseRetryAfter("1.5", kRfcDate), 1.5);
}

TEST(RetryAfterTest, ReadsAnHttpDate) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", kRfcDate), 30.0);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kRfcDate), 0.0);  // in the past
}

TEST(RetryAfterTest, CapsAbsurdWaitsAtADay) {
  EXPECT_EQ(ParseRetryAfter("99999999999999", kRfcDate), 86400.0);
  EXPECT_EQ(ParseRetryAfter("100000", kRfcDate), 86400.0);
}

TEST(RetryAfterTest, RejectsAnythingElse) {
  EXPECT_EQ(ParseRetryAfter("", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.2.3", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(".5", kRfcDate), std::nullopt);
}

}  // namespace
}  // namespace ch
