// The psc_statements extractor. No real line of this stream is known
// (STREAMS.md): the lines here follow the REST resource and the URI that
// Companies House's psc-statement-data-api builds.
#include <gtest/gtest.h>

#include <string>

#include "ch-parse/event_test_support.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::kDeletedEvent;
using test_support::ResourceEvent;

constexpr char kUri[] =
    "/company/12345678/persons-with-significant-control-statements/Ab3_dEf-GhIjK";

TEST(PscStatementsExtractorTest, ARowPerStatement) {
  EventRun run("persons-with-significant-control-statements");
  ASSERT_EQ(
      run.Run(ResourceEvent(
          "persons-with-significant-control-statement", kUri,
          R"({"ceased_on":"2023-04-05","etag":"e1","kind":"persons-with-significant-control-statement",)"
          R"("linked_psc_name":"JOHN SMITH","links":{"self":"x"},"notified_on":"2016-04-06",)"
          R"("statement":"no-individual-or-entity-with-signficant-control"})")),
      Outcome::kResource);
  EXPECT_EQ(run.Str("table"), "psc_statements");
  EXPECT_EQ(run.Str("company_number"), "12345678");
  EXPECT_EQ(
      run.Json("rows"),
      R"([{"statement_id":"Ab3_dEf-GhIjK",)"
      R"("statement":"no-individual-or-entity-with-signficant-control",)"
      R"("notified_on":"2016-04-06","ceased_on":"2023-04-05","linked_psc_name":"JOHN SMITH"}])");
  EXPECT_EQ(run.Str("signals"), "[]");
}

TEST(PscStatementsExtractorTest, ADeletedStatementWithoutDataIsAStub) {
  EventRun run;
  ASSERT_EQ(
      run.Run(ResourceEvent("persons-with-significant-control-statement", kUri, "", kDeletedEvent)),
      Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"statement_id":"Ab3_dEf-GhIjK","statement":null,"notified_on":null,)"
            R"("ceased_on":null,"linked_psc_name":null}])");
}

}  // namespace
}  // namespace ch
