// The company_exemptions extractor: the real line (whose URI has no leading
// slash) and the order of the exemption types.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::kDeletedEvent;
using test_support::ResourceEvent;

TEST(CompanyExemptionsExtractorTest, TheRealLineGivesItsRow) {
  EventRun run("company-exemptions");
  const std::vector<std::string> lines = test_support::RealEvents("company-exemptions");
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run.Str("resource_uri"), "/company/14438833/exemptions");
  EXPECT_EQ(run.Str("company_number"), "14438833");
  EXPECT_EQ(run.Str("table"), "company_exemptions");
  EXPECT_EQ(run.Str("published_at"), "2023-11-03T22:13:03Z");
  EXPECT_EQ(run.Json("rows"),
            R"([{"exemption_types":"disclosure_transparency_rules_chapter_five_applies"}])");
  EXPECT_EQ(run.DataText(), test_support::RawDataOf(lines[0]));
}

TEST(CompanyExemptionsExtractorTest, TypesAreTheKeysInTheirOrder) {
  EventRun run;
  ASSERT_EQ(
      run.Run(ResourceEvent("company-exemptions", "company/1/exemptions",
                            R"({"exemptions":{"psc_exempt_as_trading_on_uk_regulated_market":{},)"
                            R"("psc_exempt_as_shares_admitted_on_market":{"items":[]}}})")),
      Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "exemption_types"),
            "psc_exempt_as_trading_on_uk_regulated_market,psc_exempt_as_shares_admitted_on_market");
  for (const char* data : {R"({"exemptions":{}})", R"({"exemptions":[]})", "{}"}) {
    ASSERT_EQ(run.Run(ResourceEvent("company-exemptions", "company/1/exemptions", data)),
              Outcome::kResource);
    EXPECT_EQ(run.Json("rows"), R"([{"exemption_types":null}])") << data;
  }
  ASSERT_EQ(run.Run(ResourceEvent("company-exemptions", "company/1/exemptions", "", kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run.Json("rows"), R"([{"exemption_types":null}])");
}

}  // namespace
}  // namespace ch
