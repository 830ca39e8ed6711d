// Signal: the --emit-changes line and the status-change rule.
#include "ch-store/signal.h"

#include <gtest/gtest.h>

#include "rapidjson/document.h"

namespace ch {
namespace {

TEST(SignalTest, JsonLineStartsWithSignalIdAndHasEveryMember) {
  Signal s;
  s.id = 12;
  s.signal = "strike-off-applied";
  s.stream = "filings";
  s.company_number = "01234567";
  s.occurred_on = "2024-05-01";
  s.published_at = "2024-05-02T10:00:00Z";
  s.detail = "DS01";
  s.resource_uri = "/company/01234567/filing-history/MzQ";
  s.timepoint = 99;
  std::string line;
  AppendSignalJson(&line, s);
  EXPECT_EQ(line,
            "{\"signal_id\":12,\"signal\":\"strike-off-applied\",\"stream\":\"filings\","
            "\"company_number\":\"01234567\",\"company_name\":null,\"occurred_on\":\"2024-05-01\","
            "\"published_at\":\"2024-05-02T10:00:00Z\",\"detail\":\"DS01\","
            "\"resource_uri\":\"/company/01234567/filing-history/MzQ\",\"timepoint\":99}");
  rapidjson::Document d;
  d.Parse(line.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(std::string(d.MemberBegin()->name.GetString()), "signal_id");
}

TEST(SignalTest, StatusChangeIntoDissolvedOrAProposalIsASignalOnce) {
  EXPECT_EQ(StatusChangeSignal("active", std::nullopt, "dissolved", std::nullopt), "dissolved");
  EXPECT_EQ(StatusChangeSignal(std::nullopt, std::nullopt, "dissolved", std::nullopt), "dissolved");
  EXPECT_EQ(StatusChangeSignal("dissolved", std::nullopt, "dissolved", "x"), std::nullopt);
  EXPECT_EQ(StatusChangeSignal("active", std::nullopt, "active", "active-proposal-to-strike-off"),
            "proposal-to-strike-off");
  EXPECT_EQ(StatusChangeSignal("active", "active-proposal-to-strike-off", "active",
                               "active-proposal-to-strike-off"),
            std::nullopt);
  EXPECT_EQ(StatusChangeSignal("active", std::nullopt, "liquidation", std::nullopt), std::nullopt);
  // Dissolved wins when both would match.
  EXPECT_EQ(
      StatusChangeSignal("active", std::nullopt, "dissolved", "active-proposal-to-strike-off"),
      "dissolved");
}

}  // namespace
}  // namespace ch
