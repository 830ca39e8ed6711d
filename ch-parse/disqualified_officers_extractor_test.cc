// The disqualified_officers extractor: the real natural-person line, a
// corporate one, and several disqualifications.
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

TEST(DisqualifiedOfficersExtractorTest, TheRealLineGivesItsRow) {
  EventRun run("disqualified-officers");
  const std::vector<std::string> lines = test_support::RealEvents("disqualified-officers");
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run.Str("table"), "disqualified_officers");
  EXPECT_EQ(run.Str("company_number"), "(null)");
  EXPECT_EQ(run.Str("published_at"), "2022-08-03T23:02:01Z");  // +01:00, fraction dropped
  EXPECT_EQ(run.Json("rows"),
            R"([{"officer_id":"rH3JIzSC8UrNmCOSi3ruAZGCahE","officer_kind":"natural",)"
            R"("name":"Ashwin Harji PATEL","date_of_birth":"1968-06-04","nationality":"British",)"
            R"("disqualified_from":"2022-08-04","disqualified_until":"2028-08-03",)"
            R"("company_names":"ASH ELECTRIC LIMITED"}])");
  EXPECT_EQ(run.Str("signals"), "[]");
  EXPECT_EQ(run.DataText(), test_support::RawDataOf(lines[0]));
}

TEST(DisqualifiedOfficersExtractorTest, SeveralDisqualificationsGiveTheWidestSpanAndAllNames) {
  EventRun run;
  ASSERT_EQ(run.Run(ResourceEvent(
                "disqualified-officer-natural", "/disqualified-officers/natural/X1",
                R"({"forename":"Ann","surname":"LEE","title":"Dr","disqualifications":[)"
                R"({"disqualified_from":"2020-01-01","disqualified_until":"2025-01-01",)"
                R"("company_names":["A LTD","B LTD"]},)"
                R"({"disqualified_from":"2019-06-01","disqualified_until":"2024-06-01",)"
                R"("company_names":[]},)"
                R"({"disqualified_from":"x","disqualified_until":"2030-12-31",)"
                R"("company_names":["C \u0026 D LTD",null]}]})")),
            Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "name"), "Ann LEE");
  EXPECT_EQ(run.Cell(0, "disqualified_from"), "2019-06-01");
  EXPECT_EQ(run.Cell(0, "disqualified_until"), "2030-12-31");
  EXPECT_EQ(run.Cell(0, "company_names"), "A LTD; B LTD; C & D LTD");
}

TEST(DisqualifiedOfficersExtractorTest, CorporateOfficersAreNamedByName) {
  EventRun run;
  ASSERT_EQ(
      run.Run(ResourceEvent("disqualified-officer-corporate", "/disqualified-officers/corporate/C9",
                            R"({"name":"BAD COMPANY LIMITED","forename":"ignored"})")),
      Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"officer_id":"C9","officer_kind":"corporate","name":"BAD COMPANY LIMITED",)"
            R"("date_of_birth":null,"nationality":null,"disqualified_from":null,)"
            R"("disqualified_until":null,"company_names":null}])");
}

TEST(DisqualifiedOfficersExtractorTest, TheOfficerKindIsReadFromTheUri) {
  EventRun run;
  struct Case {
    const char* uri;
    const char* kind;
    const char* id;
  };
  const Case cases[] = {
      {"/disqualified-officers/natural/X", "natural", "X"},
      {"disqualified-officers/corporate/X", "corporate", "X"},
      {"/disqualified-officers/other/X", "(null)", "X"},
      // Not a disqualified officer's URI: no kind, and no id either (its
      // last segment is no officer id).
      {"/officers/natural/X", "(null)", "(null)"},
      {"/disqualified-officers/natural/", "natural", "(null)"},
  };
  for (const Case& c : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("disqualified-officer-natural", c.uri, "", kDeletedEvent)),
              Outcome::kResource);
    EXPECT_EQ(run.Cell(0, "officer_kind"), c.kind) << c.uri;
    EXPECT_EQ(run.Cell(0, "officer_id"), c.id) << c.uri;
    EXPECT_EQ(run.Cell(0, "name"), "(null)");
  }
}

}  // namespace
}  // namespace ch
