// The insolvency_cases extractor: rows and signals from every real
// insolvency-cases line, cases without dates, case numbers as numbers, a
// record growing from one case to two, and every case-type signal rule.
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

constexpr char kUri[] = "/company/04339700/insolvency";

TEST(InsolvencyCasesExtractorTest, EveryRealLineGivesARowAndASignalPerCase) {
  EventRun run("insolvency-cases");
  const std::vector<std::string> lines = test_support::RealEvents("insolvency-cases");
  ASSERT_EQ(lines.size(), 17u);
  for (const std::string& line : lines) {
    ASSERT_EQ(run.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run.Str("table"), "insolvency_cases");
    EXPECT_EQ(run.Str("resource_id"), run.Str("company_number"));
    EXPECT_GE(run.RowCount(), 1u);
    // Every real case type is one a lead team acts on (or the solvent MVL).
    const rapidjson::Value* signals = FindMember(run.doc(), "signals");
    ASSERT_NE(signals, nullptr);
    EXPECT_EQ(signals->Size(), run.RowCount()) << line;
    for (size_t i = 0; i < run.RowCount(); ++i) {
      EXPECT_EQ(run.Cell(i, "case_index"), std::to_string(i));
      EXPECT_EQ(run.Cell(i, "case_number"), std::to_string(i + 1));
    }
    EXPECT_EQ(run.DataText(), test_support::RawDataOf(line));
  }

  // Line 1: a CVL with no dates and no practitioners yet.
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"case_index":0,"case_number":"1","case_type":"creditors-voluntary-liquidation",)"
            R"("started_on":null,"practitioners":null}])");
  EXPECT_EQ(
      run.Json("signals"),
      R"([{"signal":"liquidation","key":"insolvency:12325716:1:creditors-voluntary-liquidation",)"
      R"("occurred_on":null,"detail":"creditors-voluntary-liquidation"}])");
  // Line 3: six practitioners; started_on is the earliest date.
  ASSERT_EQ(run.Run(lines[2]), Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "started_on"), "2000-12-27");
  EXPECT_EQ(run.Cell(0, "practitioners"),
            "Colin Bird; Richard Victor Yerburgh Setchim; Timothy Gerard Walsh; Laura May Waters; "
            "Robert Nicholas Lewis; Peter James Greaves");
  EXPECT_EQ(run.Json("signals"),
            R"([{"signal":"members-voluntary-liquidation",)"
            R"("key":"insolvency:02444970:1:members-voluntary-liquidation",)"
            R"("occurred_on":"2000-12-27","detail":"members-voluntary-liquidation"}])");
  // Line 6: two cases, a receivership then a CVL.
  ASSERT_EQ(run.Run(lines[5]), Outcome::kResource);
  EXPECT_EQ(run.RowCount(), 2u);
  EXPECT_EQ(run.Cell(0, "case_type"), "administrative-receiver");
  EXPECT_EQ(run.Cell(0, "started_on"), "2002-10-23");
  EXPECT_EQ(run.Cell(1, "case_type"), "creditors-voluntary-liquidation");
  EXPECT_EQ(run.Cell(1, "started_on"), "2008-07-07");
  EXPECT_EQ(
      run.Json("signals"),
      R"([{"signal":"receivership","key":"insolvency:04339700:1:administrative-receiver",)"
      R"("occurred_on":"2002-10-23","detail":"administrative-receiver"},)"
      R"({"signal":"liquidation","key":"insolvency:04339700:2:creditors-voluntary-liquidation",)"
      R"("occurred_on":"2008-07-07","detail":"creditors-voluntary-liquidation"}])");
  // Line 13: an administration.
  ASSERT_EQ(run.Run(lines[12]), Outcome::kResource);
  EXPECT_NE(run.Json("signals").find(R"("signal":"administration")"), std::string::npos);
  // Lines 2, 5, 8, 9: one MVL growing over minutes (declaration of
  // solvency, then wound up, then practitioners): the same key each time,
  // so ch-store records its signal once.
  std::string key;
  for (size_t i : {1, 4, 7, 8}) {
    ASSERT_EQ(run.Run(lines[i]), Outcome::kResource);
    EXPECT_EQ(run.Cell(0, "started_on"), "2021-01-13");
    if (key.empty()) key = run.Json("signals");
    EXPECT_EQ(run.Json("signals"), key);
  }
  // Line 17: 2022, offset published_at, a `status` array beside the cases.
  ASSERT_EQ(run.Run(lines[16]), Outcome::kResource);
  EXPECT_EQ(run.Str("published_at"), "2022-08-02T13:51:01Z");
  EXPECT_EQ(run.RowCount(), 1u);
}

TEST(InsolvencyCasesExtractorTest, ARecordGrowingFromOneCaseToTwoKeepsTheFirstCasesKey) {
  EventRun run;
  ASSERT_EQ(run.Run(ResourceEvent(
                "company-insolvency", kUri,
                R"({"cases":[{"number":"1","type":"in-administration",)"
                R"("dates":[{"type":"administration-started-on","date":"2024-01-05"}]}]})")),
            Outcome::kResource);
  const std::string one = run.Json("signals");
  ASSERT_EQ(
      run.Run(ResourceEvent("company-insolvency", kUri,
                            R"({"cases":[{"number":"1","type":"in-administration",)"
                            R"("dates":[{"type":"administration-started-on","date":"2024-01-05"},)"
                            R"({"type":"administration-ended-on","date":"2024-06-01"}]},)"
                            R"({"number":"2","type":"creditors-voluntary-liquidation",)"
                            R"("dates":[{"type":"wound-up-on","date":"2024-06-01"}]}]})")),
      Outcome::kResource);
  EXPECT_EQ(run.RowCount(), 2u);
  EXPECT_EQ(
      run.Json("signals"),
      one.substr(0, one.size() - 1) +
          R"(,{"signal":"liquidation","key":"insolvency:04339700:2:creditors-voluntary-liquidation",)"
          R"("occurred_on":"2024-06-01","detail":"creditors-voluntary-liquidation"}])");
}

TEST(InsolvencyCasesExtractorTest, CaseNumbersMayBeNumbersAndCasesMayLackDates) {
  EventRun run;
  ASSERT_EQ(
      run.Run(ResourceEvent(
          "company-insolvency", kUri,
          R"({"cases":[{"number":1,"type":"compulsory-liquidation","dates":[]},)"
          R"({"number":2.0,"type":"receiver-manager","dates":[{"type":"x"},{"date":"bad"},)"
          R"({"date":"2020-02-02"},{"date":"2019-12-31"}]},)"
          R"({"type":"moratorium","practitioners":[{"name":"A"},{"role":"x"},{"name":"B"}]}]})")),
      Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"case_index":0,"case_number":"1","case_type":"compulsory-liquidation",)"
            R"("started_on":null,"practitioners":null},)"
            R"({"case_index":1,"case_number":"2.0","case_type":"receiver-manager",)"
            R"("started_on":"2019-12-31","practitioners":null},)"
            R"({"case_index":2,"case_number":null,"case_type":"moratorium",)"
            R"("started_on":null,"practitioners":"A; B"}])");
  EXPECT_EQ(run.Json("signals"),
            R"([{"signal":"liquidation","key":"insolvency:04339700:1:compulsory-liquidation",)"
            R"("occurred_on":null,"detail":"compulsory-liquidation"},)"
            R"({"signal":"receivership","key":"insolvency:04339700:2.0:receiver-manager",)"
            R"("occurred_on":"2019-12-31","detail":"receiver-manager"},)"
            R"({"signal":"voluntary-arrangement","key":"insolvency:04339700::moratorium",)"
            R"("occurred_on":null,"detail":"moratorium"}])");
}

TEST(InsolvencyCasesExtractorTest, EveryCaseTypeRuleGivesItsSignal) {
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {"compulsory-liquidation", "liquidation"},
      {"creditors-voluntary-liquidation", "liquidation"},
      {"in-administration", "administration"},
      {"administration-order", "administration"},
      {"administrative-receiver", "receivership"},
      {"receiver-manager", "receivership"},
      {"scottish-administrative-receiver", "receivership"},
      {"corporate-voluntary-arrangement", "voluntary-arrangement"},
      {"corporate-voluntary-arrangement-moratorium", "voluntary-arrangement"},
      {"moratorium", "voluntary-arrangement"},
      {"members-voluntary-liquidation", "members-voluntary-liquidation"},
  };
  for (const auto& [type, signal] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-insolvency", kUri,
                                    std::string(R"({"cases":[{"number":"3","type":")") + type +
                                        R"(","dates":[{"date":"2024-03-04"}]}]})")),
              Outcome::kResource);
    EXPECT_EQ(run.Json("signals"),
              std::string(R"([{"signal":")") + signal + R"(","key":"insolvency:04339700:3:)" +
                  type + R"(","occurred_on":"2024-03-04","detail":")" + type + R"("}])")
        << type;
  }
  for (const char* type : {"foreign-insolvency", "order-of-court-restructuring-plan",
                           "liquidation-moratorium", "In-Administration", ""}) {
    ASSERT_EQ(run.Run(ResourceEvent(
                  "company-insolvency", kUri,
                  std::string(R"({"cases":[{"number":"3","type":")") + type + R"("}]})")),
              Outcome::kResource);
    EXPECT_EQ(run.Str("signals"), "[]") << type;
    EXPECT_EQ(run.RowCount(), 1u);
  }
}

TEST(InsolvencyCasesExtractorTest, OddCaseListsGiveNoRowsOrEmptyRows) {
  EventRun run;
  for (const char* data : {R"({})", R"({"cases":{}})", R"({"cases":"1"})", R"({"cases":[]})"}) {
    ASSERT_EQ(run.Run(ResourceEvent("company-insolvency", kUri, data)), Outcome::kResource);
    EXPECT_EQ(run.Str("rows"), "[]") << data;
    EXPECT_EQ(run.Str("signals"), "[]") << data;
  }
  // Every element is a row, even one that is not an object.
  ASSERT_EQ(run.Run(ResourceEvent("company-insolvency", kUri, R"({"cases":[7,null]})")),
            Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"case_index":0,"case_number":null,"case_type":null,"started_on":null,)"
            R"("practitioners":null},{"case_index":1,"case_number":null,"case_type":null,)"
            R"("started_on":null,"practitioners":null}])");
}

TEST(InsolvencyCasesExtractorTest, DeletedRecordsKeepTheirRowsButMakeNoSignals) {
  EventRun run;
  ASSERT_EQ(run.Run(ResourceEvent("company-insolvency", kUri,
                                  R"({"cases":[{"number":"1","type":"in-administration"}]})",
                                  kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "case_type"), "in-administration");
  EXPECT_EQ(run.Str("signals"), "[]");
}

}  // namespace
}  // namespace ch
