#include "ch-parse/signal_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

std::string Normalized(std::string_view type) {
  char buffer[8];
  const auto n = NormalizeFilingType(type, buffer, sizeof buffer);
  return n ? std::string(*n) : "(too long)";
}

TEST(SignalRulesTest, FilingTypesAreNormalisedBeforeMatching) {
  EXPECT_EQ(Normalized(" gaz1(a)\t"), "GAZ1(A)");
  EXPECT_EQ(Normalized("Ds01"), "DS01");
  EXPECT_EQ(Normalized("   "), "");
  EXPECT_EQ(Normalized("123456789"), "(too long)");
  EXPECT_EQ(SignalForFilingType("GAZ1(A)"), "strike-off-gazetted");
  EXPECT_EQ(SignalForFilingType("gaz1(a)"), std::nullopt);  // REQUIRES normalised
  EXPECT_EQ(SignalForFilingType("GAZ2"), "dissolved");
  EXPECT_EQ(SignalForFilingType("AA"), std::nullopt);
}

TEST(SignalRulesTest, DescriptionsAreMatchedTrimmedAndExactly) {
  EXPECT_EQ(SignalForFilingDescription(" gazette-notice-voluntary "), "strike-off-gazetted");
  EXPECT_EQ(SignalForFilingDescription("gazette-notice-compulsary"), "strike-off-gazetted");
  EXPECT_EQ(SignalForFilingDescription("GAZETTE-NOTICE-VOLUNTARY"), std::nullopt);
  EXPECT_EQ(SignalForFilingDescription("gazette-dissolved-liquidation"), "dissolved");
}

TEST(SignalRulesTest, CaseTypes) {
  EXPECT_EQ(SignalForCaseType("members-voluntary-liquidation"), "members-voluntary-liquidation");
  EXPECT_EQ(SignalForCaseType("creditors-voluntary-liquidation"), "liquidation");
  EXPECT_EQ(SignalForCaseType("administration-order"), "administration");
  EXPECT_EQ(SignalForCaseType("foreign-insolvency"), std::nullopt);
  EXPECT_EQ(SignalForCaseType(" in-administration"), std::nullopt);
}

}  // namespace
}  // namespace ch
