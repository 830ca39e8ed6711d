#include "ch-parse/status_mapping.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace ch {
namespace {

std::string Status(std::string_view text) {
  const StatusKeys keys = MapCompanyStatus(text);
  if (!keys.status) return "(unknown)";
  return std::string(*keys.status) + "|" + std::string(keys.detail.value_or(""));
}

TEST(StatusMappingTest, EveryStreamStatusKeyMapsToItself) {
  for (const char* key : {"active", "dissolved", "liquidation", "receivership", "converted-closed",
                          "voluntary-arrangement", "insolvency-proceedings", "administration",
                          "open", "closed", "registered", "removed"}) {
    EXPECT_EQ(Status(key), std::string(key) + "|") << key;
  }
}

TEST(StatusMappingTest, EveryCsvCompanyStatusTextOfProtocolMd) {
  const std::pair<const char*, const char*> cases[] = {
      {"Active", "active|"},
      {"Active - Proposal to Strike off", "active|active-proposal-to-strike-off"},
      {"Liquidation", "liquidation|"},
      {"In Administration", "administration|"},
      {"ADMINISTRATION ORDER", "administration|"},
      {"In Administration/Receiver Manager", "administration|"},
      {"In Administration/Administrative Receiver", "administration|"},
      {"RECEIVERSHIP", "receivership|"},
      {"RECEIVER MANAGER / ADMINISTRATIVE RECEIVER", "receivership|"},
      {"ADMINISTRATIVE RECEIVER", "receivership|"},
      {"Live but Receiver Manager on at least one charge", "receivership|"},
      {"Voluntary Arrangement", "voluntary-arrangement|"},
      {"VOLUNTARY ARRANGEMENT / ADMINISTRATIVE RECEIVER", "voluntary-arrangement|"},
      {"VOLUNTARY ARRANGEMENT / RECEIVER MANAGER", "voluntary-arrangement|"},
      {"Dissolved", "dissolved|"},
      {"Converted/Closed", "converted-closed|"},
      {"Open", "open|"},
      {"Closed", "closed|"},
      {"Registered", "registered|"},
      {"Removed", "removed|"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Status(text), expected) << text;
}

TEST(StatusMappingTest, MatchesCaseInsensitivelyAfterTrimming) {
  EXPECT_EQ(Status("  ACTIVE \t"), "active|");
  EXPECT_EQ(Status("active - proposal to strike off"), "active|active-proposal-to-strike-off");
  EXPECT_EQ(Status("LIQUIDATION"), "liquidation|");
}

TEST(StatusMappingTest, StrikeOffDetailKeyInTheStatusMeansActivePlusDetail) {
  EXPECT_EQ(Status("active-proposal-to-strike-off"), "active|active-proposal-to-strike-off");
  EXPECT_EQ(Status("Active-Proposal-To-Strike-Off "), "active|active-proposal-to-strike-off");
}

TEST(StatusMappingTest, UnknownTextsAreNotGuessed) {
  for (const char* text : {"", "  ", "Activ", "Active - Proposal", "petition-to-restore-dissolved",
                           "struck off", "Active -  Proposal to Strike off"}) {
    EXPECT_EQ(Status(text), "(unknown)") << text;
  }
  EXPECT_EQ(Status(std::string(200, 'a')), "(unknown)");
}

TEST(StatusMappingTest, DetailKeysAndTheStrikeOffLabel) {
  for (const char* key :
       {"active-proposal-to-strike-off", "petition-to-restore-dissolved", "transferred-from-uk",
        "transformed-to-se", "converted-to-plc", "converted-to-uk-societas", "converted-to-ukeig",
        "active", "dissolved", "converted-closed"}) {
    EXPECT_EQ(MapStatusDetail(key).value_or("(unknown)"), key);
  }
  EXPECT_EQ(MapStatusDetail(" Active - Proposal to Strike off ").value_or("(unknown)"),
            "active-proposal-to-strike-off");
  EXPECT_EQ(MapStatusDetail("CONVERTED-TO-PLC").value_or("(unknown)"), "converted-to-plc");
  EXPECT_FALSE(MapStatusDetail("something new"));
  EXPECT_FALSE(MapStatusDetail(""));
}

TEST(StatusMappingTest, EveryCompanyCategoryOfProtocolMd) {
  const std::pair<const char*, const char*> cases[] = {
      {"Private Limited Company", "ltd"},
      {"Public Limited Company", "plc"},
      {"Limited Liability Partnership", "llp"},
      {"Limited Partnership", "limited-partnership"},
      {"PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
       "private-limited-guarant-nsc"},
      {"PRI/LTD BY GUAR/NSC", "private-limited-guarant-nsc"},
      {"Private Unlimited Company", "private-unlimited"},
      {"Charitable Incorporated Organisation", "charitable-incorporated-organisation"},
      {"Other company type", "other"},
      {"Other Company Type", "other"},
      {" PRIVATE LIMITED COMPANY ", "ltd"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(MapCompanyCategory(text).value_or("(unknown)"), expected) << text;
  }
}

TEST(StatusMappingTest, UnknownCategoriesAreNotGuessed) {
  const char* const kLongCategory =
      "PRI/LBG/NSC (Private, Limited by guarantee, no share capital, use of 'Limited' exemption)";
  for (const char* text :
       {"", "Community Interest Company", kLongCategory, "Private Limited Company (x", "Limited"}) {
    EXPECT_FALSE(MapCompanyCategory(text)) << text;
  }
}

TEST(StatusMappingTest, TrimBlanks) {
  EXPECT_EQ(TrimBlanks(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimBlanks("   "), "");
}

}  // namespace
}  // namespace ch
