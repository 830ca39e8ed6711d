// The pscs extractor: rows from every real PSC-stream line, every PSC kind,
// `ceased` as an integer or a boolean, and null in natures_of_control.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"
#include "ch-parse/resource_kinds.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::ResourceEvent;

constexpr char kUri[] = "/company/09672611/persons-with-significant-control/super-secure/Yb";

TEST(PscsExtractorTest, EveryRealLineGivesItsRow) {
  EventRun run("persons-with-significant-control");
  const std::vector<std::string> lines =
      test_support::RealEvents("persons-with-significant-control");
  ASSERT_EQ(lines.size(), 57u);
  std::map<std::string, int> kinds;
  int ceased = 0;
  for (const std::string& line : lines) {
    ASSERT_EQ(run.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run.Str("table"), "pscs");
    ASSERT_EQ(run.RowCount(), 1u);
    EXPECT_EQ(run.Cell(0, "psc_id"), run.Str("resource_id"));
    EXPECT_EQ(run.Cell(0, "resource_kind"), run.Str("resource_kind"));
    EXPECT_NE(run.Cell(0, "name"), "(null)");
    EXPECT_NE(run.Cell(0, "natures_of_control"), "(null)");
    EXPECT_NE(run.Cell(0, "notified_on"), "(null)");
    EXPECT_EQ(run.Cell(0, "ceased"), "(null)");
    EXPECT_EQ(run.Str("signals"), "[]");
    EXPECT_EQ(run.DataText(), test_support::RawDataOf(line));
    ++kinds[run.Str("resource_kind")];
    if (run.Cell(0, "ceased_on") != "(null)") ++ceased;
  }
  EXPECT_EQ(kinds, (std::map<std::string, int>{{"company-psc-corporate", 3},
                                               {"company-psc-individual", 52},
                                               {"company-psc-legal", 1},
                                               {"individual-beneficial-owner", 1}}));
  EXPECT_EQ(ceased, 9);  // a cessation is a `changed` event with ceased_on

  // Line 1: a beneficial owner of an overseas entity (OE number).
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run.Str("company_number"), "OE003609");
  EXPECT_EQ(
      run.Json("rows"),
      R"([{"psc_id":"H1BcG4XjlH2lUlB4SCJqOoaSwUY","resource_kind":"individual-beneficial-owner",)"
      R"("name":"Mr Stephen Allen Schwarzman","natures_of_control":)"
      R"("ownership-of-shares-more-than-25-percent-registered-overseas-entity,)"
      R"(voting-rights-more-than-25-percent-registered-overseas-entity,)"
      R"(right-to-appoint-and-remove-directors-registered-overseas-entity",)"
      R"("notified_on":"2022-06-01","ceased_on":null,"ceased":null,)"
      R"("nationality":"United States","country_of_residence":null,)"
      R"("premises":"Blackstone Inc.","address_line_1":"345 Park Avenue",)"
      R"("locality":"New York","postal_code":"10154","country":"United States"}])");
  // Line 8: a cessation.
  ASSERT_EQ(run.Run(lines[7]), Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "ceased_on"), "2021-08-19");
  EXPECT_EQ(run.Cell(0, "name"), "Mr Richard George Kilcullen");
  EXPECT_EQ(run.Str("company_number"), "SC329345");
}

TEST(PscsExtractorTest, EveryPscKindGoesToThePscsTable) {
  EventRun run;
  int kinds = 0;
  for (const ResourceKind& kind : AllResourceKinds()) {
    if (kind.stream != "persons-with-significant-control") continue;
    ++kinds;
    ASSERT_EQ(run.Run(ResourceEvent(kind.resource_kind, kUri, R"({"name":"X"})")),
              Outcome::kResource);
    EXPECT_EQ(run.Str("table"), "pscs");
    EXPECT_EQ(run.Cell(0, "resource_kind"), kind.resource_kind);
  }
  EXPECT_EQ(kinds, 8);
}

TEST(PscsExtractorTest, CeasedIsZeroOrOneFromAnIntegerOrABoolean) {
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {"1", "1"}, {"0", "0"},         {"true", "1"},         {"false", "0"},    {"\"1\"", "1"},
      {"2", "1"}, {"null", "(null)"}, {"\"yes\"", "(null)"}, {"1.5", "(null)"},
  };
  for (const auto& [value, expected] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-psc-supersecure", kUri,
                                    std::string(R"({"ceased":)") + value + "}")),
              Outcome::kResource);
    EXPECT_EQ(run.Cell(0, "ceased"), expected) << value;
  }
  // The snapshot's super-secure line, as the stream would send it: no name.
  ASSERT_EQ(
      run.Run(ResourceEvent(
          "company-psc-supersecure", kUri,
          R"({"ceased":1,"description":"super-secure-persons-with-significant-control",)"
          R"("etag":"dd596565a737cd3f27be40ec7d04893fff08f7e6",)"
          R"("kind":"super-secure-person-with-significant-control",)"
          R"("links":{"self":"/company/09672611/persons-with-significant-control/super-secure/Yb"}})")),
      Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"psc_id":"Yb","resource_kind":"company-psc-supersecure","name":null,)"
            R"("natures_of_control":null,"notified_on":null,"ceased_on":null,"ceased":1,)"
            R"("nationality":null,"country_of_residence":null,"premises":null,)"
            R"("address_line_1":null,"locality":null,"postal_code":null,"country":null}])");
}

TEST(PscsExtractorTest, ACessationDateThatIsNoDateStillMarksTheCessation) {
  // An independent run: "ceased_on":"2019-02-29" was stored NULL, and the
  // ceased PSC was listed in a lead as a current owner to contact.
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"ceased_on":"2021-08-19"})", "2021-08-19"},
      {R"({"ceased_on":"2019-02-29"})", "2019-02-29"},
      {R"({"ceased_on":"0000-00-00"})", "0000-00-00"},
      {R"({"ceased_on":"2019-2-3"})", "2019-2-3"},
      {R"({"ceased_on":""})", "(null)"},
      {R"({"ceased_on":null})", "(null)"},
  };
  for (const auto& [data, ceased_on] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-psc-individual", kUri, data)), Outcome::kResource)
        << data;
    EXPECT_EQ(run.Cell(0, "ceased_on"), ceased_on) << data;
  }
}

TEST(PscsExtractorTest, NullsInNaturesOfControlAreSkipped) {
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {R"([null,"voting-rights-25-to-50-percent",null,"significant-influence-or-control"])",
       "voting-rights-25-to-50-percent,significant-influence-or-control"},
      {"[null]", "(null)"},
      {"[]", "(null)"},
      {R"("ownership-of-shares-75-to-100-percent")", "(null)"},
  };
  for (const auto& [natures, expected] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-psc-individual", kUri,
                                    std::string(R"({"natures_of_control":)") + natures + "}")),
              Outcome::kResource);
    EXPECT_EQ(run.Cell(0, "natures_of_control"), expected) << natures;
  }
}

}  // namespace
}  // namespace ch
