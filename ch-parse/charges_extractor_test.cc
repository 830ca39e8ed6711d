// The charges extractor: rows from every real charges-stream line, and the
// columns' tolerances.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::ResourceEvent;

TEST(ChargesExtractorTest, EveryRealLineGivesItsRow) {
  EventRun run("charges");
  const std::vector<std::string> lines = test_support::RealEvents("charges");
  ASSERT_EQ(lines.size(), 11u);
  for (const std::string& line : lines) {
    ASSERT_EQ(run.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run.Str("table"), "charges");
    ASSERT_EQ(run.RowCount(), 1u);
    EXPECT_EQ(run.Cell(0, "charge_id"), run.Str("resource_id"));
    EXPECT_NE(run.Cell(0, "charge_number"), "(null)");
    EXPECT_NE(run.Cell(0, "status"), "(null)");
    EXPECT_NE(run.Cell(0, "created_on"), "(null)");
    EXPECT_NE(run.Cell(0, "persons_entitled"), "(null)");
    EXPECT_EQ(run.Str("signals"), "[]");
    EXPECT_EQ(run.DataText(), test_support::RawDataOf(line));
  }
  // Lines 1 and 2: the same satisfied charge published twice (timepoints
  // 632250 and 632251): the same row.
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  const std::string first = run.Json("rows");
  EXPECT_EQ(
      first,
      R"([{"charge_id":"VBBwVeFaa6qE7sCNOnCgRDJFusA","charge_code":"OC4318770001",)"
      R"("charge_number":1,"status":"fully-satisfied","classification":"A registered charge",)"
      R"("created_on":"2020-10-02","delivered_on":"2020-10-07","satisfied_on":"2021-01-24",)"
      R"j("persons_entitled":"Aura Liverpool Limited (In Administration)"}])j");
  EXPECT_EQ(run.Str("company_number"), "OC431877");
  ASSERT_EQ(run.Run(lines[1]), Outcome::kResource);
  EXPECT_EQ(run.Json("rows"), first);
  EXPECT_EQ(run.Str("timepoint"), "632251");
  // Line 4: outstanding.
  ASSERT_EQ(run.Run(lines[3]), Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "status"), "outstanding");
  EXPECT_EQ(run.Cell(0, "satisfied_on"), "(null)");
  // Line 11: a pre-2006 charge without a charge code, published with a
  // fraction and "Z".
  ASSERT_EQ(run.Run(lines[10]), Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"charge_id":"lU2iXRw6YRxJKZilva3Y-id6NfY","charge_code":null,"charge_number":4,)"
            R"("status":"fully-satisfied","classification":"Mortgage deed",)"
            R"("created_on":"1999-06-10","delivered_on":"1999-06-11","satisfied_on":"2022-11-15",)"
            R"("persons_entitled":"Lloyds Bank PLC"}])");
  EXPECT_EQ(run.Str("published_at"), "2022-11-15T18:59:02Z");
}

TEST(ChargesExtractorTest, LendersAreJoinedAndNumbersMayBeStrings) {
  EventRun run;
  ASSERT_EQ(run.Run(ResourceEvent(
                "company-charges", "/company/1/charges/C",
                R"({"charge_number":"28","persons_entitled":[{"name":"A Bank PLC"},{"x":1},)"
                R"({"name":null},{"name":"B \u0026 C Ltd"}],"classification":"charge"})")),
            Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "charge_number"), "28");
  EXPECT_EQ(run.Cell(0, "persons_entitled"), "A Bank PLC; B & C Ltd");
  EXPECT_EQ(run.Cell(0, "classification"), "(null)");
  ASSERT_EQ(run.Run(ResourceEvent("company-charges", "/company/1/charges/C",
                                  R"({"charge_number":"x","persons_entitled":[]})")),
            Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "charge_number"), "(null)");
  EXPECT_EQ(run.Cell(0, "persons_entitled"), "(null)");
}

}  // namespace
}  // namespace ch
