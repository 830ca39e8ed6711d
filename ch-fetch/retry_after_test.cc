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
  EXPECT_EQ(ParseRetryAfter("86400", kRfcDate), 86400.0);  // not capped here
}

TEST(RetryAfterTest, ReadsAnHttpDate) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", kRfcDate), 30.0);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kRfcDate), 0.0);  // in the past
}

TEST(RetryAfterTest, AnAbsurdlyLongNumberIsHugeNotAnOverflow) {
  EXPECT_GT(ParseRetryAfter("99999999999999999999999", kRfcDate).value(), 1e9);
}

TEST(RetryAfterTest, RejectsAnythingElse) {
  EXPECT_EQ(ParseRetryAfter("", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.2.3", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(".5", kRfcDate), std::nullopt);
}

TEST(RetryAfterTest, TheCapIsTheLongerOfBackoffMaxAndThe429Default) {
  EXPECT_EQ(RetryAfterCap(300, 60), 300);
  EXPECT_EQ(RetryAfterCap(5, 60), 60);
}

TEST(RetryAfterTest, AWaitUpToTheCapIsHonouredExactly) {
  const RateLimitWait w = RetryAfterWait("120", kRfcDate, 60, 300);
  EXPECT_EQ(w.seconds, 120);
  EXPECT_EQ(w.requested, 120.0);
  EXPECT_FALSE(w.capped);
  EXPECT_EQ(RetryAfterWait("300", kRfcDate, 60, 300).seconds, 300);
  EXPECT_FALSE(RetryAfterWait("300", kRfcDate, 60, 300).capped);
}

TEST(RetryAfterTest, ALongerWaitIsCappedAndSaysSo) {
  const RateLimitWait day = RetryAfterWait("86400", kRfcDate, 60, 300);
  EXPECT_EQ(day.seconds, 300);
  EXPECT_EQ(day.requested, 86400.0);
  EXPECT_TRUE(day.capped);
  // A date a week ahead, and a number too long to read, alike.
  EXPECT_EQ(RetryAfterWait("Sun, 13 Nov 1994 08:49:37 GMT", kRfcDate, 60, 300).seconds, 300);
  EXPECT_TRUE(RetryAfterWait("99999999999999999999", kRfcDate, 60, 300).capped);
}

TEST(RetryAfterTest, WithoutAReadableHeaderTheDefaultApplies) {
  EXPECT_EQ(RetryAfterWait(std::nullopt, kRfcDate, 45, 300).seconds, 45);
  const RateLimitWait junk = RetryAfterWait("soon", kRfcDate, 45, 300);
  EXPECT_EQ(junk.seconds, 45);
  EXPECT_FALSE(junk.requested.has_value());
  EXPECT_FALSE(junk.capped);
}

}  // namespace
}  // namespace ch
