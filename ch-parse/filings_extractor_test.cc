// The filings extractor: rows from every real filings-stream line, the
// columns' tolerances, and every filing signal rule.
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

constexpr char kUri[] = "/company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4";

class FilingsExtractorTest : public ::testing::Test {
 protected:
  // The record of a filing with `data`; returns its signals as JSON.
  std::string SignalsOf(const std::string& data) {
    EXPECT_EQ(run_.Run(ResourceEvent("filing-history", kUri, data)), Outcome::kResource) << data;
    return run_.Json("signals");
  }
  static std::string Signal(const char* signal, const char* occurred_on, const char* detail) {
    return std::string(R"([{"signal":")") + signal + R"(","key":"filing:)" + kUri +
           R"(","occurred_on":)" + occurred_on + R"(,"detail":")" + detail + R"("}])";
  }

  EventRun run_;
};

TEST_F(FilingsExtractorTest, EveryRealLineGivesItsRow) {
  const std::vector<std::string> lines = test_support::RealEvents("filings");
  ASSERT_EQ(lines.size(), 6u);
  for (const std::string& line : lines) {
    ASSERT_EQ(run_.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run_.Str("table"), "filings");
    EXPECT_EQ(run_.RowCount(), 1u);
    EXPECT_EQ(run_.Cell(0, "transaction_id"), run_.Str("resource_id"));
    EXPECT_EQ(run_.Str("resource_uri").substr(0, 9), "/company/");
    EXPECT_EQ(run_.Str("resource_uri").substr(9, 8), run_.Str("company_number"));
    EXPECT_EQ(run_.Str("signals"), "[]");  // accounts and confirmation statements
    EXPECT_EQ(run_.DataText(), test_support::RawDataOf(line));
  }
  ASSERT_EQ(run_.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run_.Json("rows"),
            R"([{"transaction_id":"MzI4OTQzODc5MGFkaXF6a2N4","type":"AA","category":"accounts",)"
            R"("subcategory":null,"description":"accounts-with-accounts-type-micro-entity",)"
            R"("date":"2021-01-22","action_date":null,"barcode":"X9WQX0NE","pages":null}])");
  EXPECT_EQ(run_.Str("company_number"), "10676322");
  ASSERT_EQ(run_.Run(lines[1]), Outcome::kResource);
  EXPECT_EQ(run_.Json("rows"),
            R"([{"transaction_id":"MzI4MzUzMjgyMGFkaXF6a2N4","type":"CS01",)"
            R"("category":"confirmation-statement","subcategory":null,)"
            R"("description":"confirmation-statement","date":"2020-11-16","action_date":null,)"
            R"("barcode":"X9HYDHPL","pages":5}])");
  // Line 4 carries "\u0026" escapes in its data: passed on as written.
  ASSERT_EQ(run_.Run(lines[3]), Outcome::kResource);
  EXPECT_NE(run_.DataText().find("CAPITAL \\u0026 SHAREHOLDER"), std::string_view::npos);
  // Line 5 carries the relay's "received" member (the full parse reads it).
  ASSERT_EQ(run_.Run(lines[4]), Outcome::kResource);
  EXPECT_EQ(run_.Cell(0, "date"), "2022-08-02");
  EXPECT_EQ(run_.Str("timepoint"), "99061051");
  // Line 6: a re-publication for links.document_metadata.
  ASSERT_EQ(run_.Run(lines[5]), Outcome::kResource);
  EXPECT_EQ(run_.Cell(0, "description"), "accounts-with-accounts-type-dormant");
  EXPECT_EQ(run_.Cell(0, "pages"), "2");
}

TEST_F(FilingsExtractorTest, SubcategoryIsAStringOrAnArrayStoredCommaJoined) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("voluntary")", "voluntary"},
      {R"(["voluntary","resolution"])", "voluntary,resolution"},
      {R"(["compulsory",null,"court-order"])", "compulsory,court-order"},
      {R"(["one"])", "one"},
      {"[]", "(null)"},
      {"[null]", "(null)"},
      {"null", "(null)"},
      {R"({"x":1})", "(null)"},
  };
  for (const auto& [subcategory, expected] : cases) {
    SignalsOf(std::string(R"({"subcategory":)") + subcategory + "}");
    EXPECT_EQ(run_.Cell(0, "subcategory"), expected) << subcategory;
  }
}

TEST_F(FilingsExtractorTest, ColumnsTolerateNumbersStringsAndOtherDateForms) {
  SignalsOf(R"({"type":600,"pages":"12","barcode":12345,"date":"22/01/2021",)"
            R"("action_date":"2021-01-23","category":""})");
  EXPECT_EQ(run_.Cell(0, "type"), "600");
  EXPECT_EQ(run_.Cell(0, "pages"), "12");
  EXPECT_EQ(run_.Cell(0, "barcode"), "12345");
  EXPECT_EQ(run_.Cell(0, "date"), "2021-01-22");
  EXPECT_EQ(run_.Cell(0, "action_date"), "2021-01-23");
  EXPECT_EQ(run_.Cell(0, "category"), "(null)");
  SignalsOf(R"({"pages":"twelve","date":"not a date","type":["DS01"],"description":{}})");
  EXPECT_EQ(run_.Cell(0, "pages"), "(null)");
  EXPECT_EQ(run_.Cell(0, "date"), "(null)");
  EXPECT_EQ(run_.Cell(0, "type"), "(null)");
  EXPECT_EQ(run_.Cell(0, "description"), "(null)");
}

TEST_F(FilingsExtractorTest, EveryStrikeOffAndDissolutionFormTypeIsASignal) {
  const std::pair<const char*, const char*> cases[] = {
      {"DS01", "strike-off-applied"},
      {"LLDS01", "strike-off-applied"},
      {"GAZ1", "strike-off-gazetted"},
      {"GAZ1(A)", "strike-off-gazetted"},
      {"DS02", "strike-off-halted"},
      {"LLDS02", "strike-off-halted"},
      {"SOAS(A)", "strike-off-halted"},
      {"SOAD(A)", "strike-off-halted"},
      {"DISS16(SOAS)", "strike-off-halted"},
      {"DISS40", "strike-off-halted"},
      {"GAZ2", "dissolved"},
      {"GAZ2(A)", "dissolved"},
  };
  for (const auto& [type, signal] : cases) {
    EXPECT_EQ(
        SignalsOf(std::string(R"({"date":"2009-03-01","description":"x","type":")") + type + "\"}"),
        Signal(signal, "\"2009-03-01\"", type))
        << type;
  }
}

TEST_F(FilingsExtractorTest, TypesAreMatchedTrimmedAndUpperCased) {
  EXPECT_EQ(SignalsOf(R"j({"type":" gaz1(a) ","date":"2024-05-06"})j"),
            Signal("strike-off-gazetted", "\"2024-05-06\"", "GAZ1(A)"));
  EXPECT_EQ(SignalsOf(R"({"type":"Ds01"})"), Signal("strike-off-applied", "null", "DS01"));
  for (const char* type : {"AA", "CS01", "GAZ1(B)", "DS01X", "GAZ 1", "LIQ02", "AM01", "600"}) {
    EXPECT_EQ(SignalsOf(std::string(R"({"type":")") + type + "\"}"), "[]") << type;
  }
}

TEST_F(FilingsExtractorTest, AFilingWithoutTypeIsMatchedOnItsDescription) {
  const std::pair<const char*, const char*> cases[] = {
      {"dissolution-application-strike-off-company", "strike-off-applied"},
      {"dissolution-application-strike-off-limited-liability-partnership", "strike-off-applied"},
      {"gazette-notice-voluntary", "strike-off-gazetted"},
      {"gazette-notice-compulsory", "strike-off-gazetted"},
      {"gazette-notice-compulsary", "strike-off-gazetted"},
      {"dissolution-withdrawal-application-strike-off-company", "strike-off-halted"},
      {"dissolution-withdrawal-application-strike-off-limited-liability-partnership",
       "strike-off-halted"},
      {"dissolution-voluntary-strike-off-suspended", "strike-off-halted"},
      {"dissolution-voluntary-strike-off-discontinued", "strike-off-halted"},
      {"dissolved-compulsory-strike-off-suspended", "strike-off-halted"},
      {"gazette-filings-brought-up-to-date", "strike-off-halted"},
      {"gazette-dissolved-voluntary", "dissolved"},
      {"gazette-dissolved-compulsory", "dissolved"},
      {"gazette-dissolved-liquidation", "dissolved"},
      {"gazette-dissolved-statutory-instrument", "dissolved"},
  };
  for (const auto& [description, signal] : cases) {
    // Without a type, with a null one, and with a blank one.
    for (const char* type : {"", R"("type":null,)", R"("type":"  ",)", R"("type":"",)"}) {
      EXPECT_EQ(SignalsOf(std::string("{") + type + R"("date":"2021-03-22","description":")" +
                          description + "\"}"),
                Signal(signal, "\"2021-03-22\"", description))
          << type << description;
    }
  }
  // With a type, the description is not looked at.
  EXPECT_EQ(SignalsOf(R"({"type":"AA","description":"gazette-notice-voluntary"})"), "[]");
  EXPECT_EQ(SignalsOf(R"({"type":"GAZ2","description":"gazette-notice-voluntary"})"),
            Signal("dissolved", "null", "GAZ2"));
  EXPECT_EQ(SignalsOf(R"({"description":"accounts-with-accounts-type-dormant"})"), "[]");
  EXPECT_EQ(SignalsOf(R"({"description":"Gazette-Notice-Voluntary"})"), "[]");
  EXPECT_EQ(SignalsOf("{}"), "[]");
}

TEST_F(FilingsExtractorTest, TheSignalIsDatedByTheFilingsDate) {
  // An old filing re-published today keeps its own date (it is history,
  // not a lead: ch-store's leads view compares the two).
  EXPECT_EQ(SignalsOf(R"j({"date":"2009-02-03","type":"GAZ1(A)"})j"),
            Signal("strike-off-gazetted", "\"2009-02-03\"", "GAZ1(A)"));
  EXPECT_EQ(SignalsOf(R"j({"date":"03/02/2009","type":"GAZ1(A)"})j"),
            Signal("strike-off-gazetted", "\"2009-02-03\"", "GAZ1(A)"));
  EXPECT_EQ(SignalsOf(R"j({"date":"soon","type":"GAZ1(A)"})j"),
            Signal("strike-off-gazetted", "null", "GAZ1(A)"));
  EXPECT_EQ(SignalsOf(R"j({"type":"GAZ1(A)"})j"), Signal("strike-off-gazetted", "null", "GAZ1(A)"));
}

TEST_F(FilingsExtractorTest, TheSignalIsKeyedByTheTransactionNotByTheUriAsWritten) {
  // DESIGN.md: "A filing signal is keyed by its transaction". The same
  // transaction under a lower-case company number, a URI without its
  // leading slash or with a trailing one is the same filing: one key, so
  // ch-store keeps one signal (an independent run found two leads).
  const std::string expected = Signal("strike-off-applied", "null", "DS01");
  for (const char* uri : {"/company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4",
                          "company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4",
                          "/company/10676322/filing-history/MzI4OTQzODc5MGFkaXF6a2N4/"}) {
    ASSERT_EQ(run_.Run(ResourceEvent("filing-history", uri, R"({"type":"DS01"})")),
              Outcome::kResource)
        << uri;
    EXPECT_EQ(run_.Json("signals"), expected) << uri;
  }
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history",
                                   "/company/sc123456/filing-history/MzI4OTQzODc5MGFkaXF6a2N4",
                                   R"({"type":"DS01"})")),
            Outcome::kResource);
  EXPECT_NE(run_.Json("signals").find(
                R"("key":"filing:/company/SC123456/filing-history/MzI4OTQzODc5MGFkaXF6a2N4")"),
            std::string::npos)
      << run_.Json("signals");
  // A URI without its transaction keeps the URI as its key.
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", "/company/10676322/filing-history/",
                                   R"({"type":"DS01"})")),
            Outcome::kResource);
  EXPECT_NE(run_.Json("signals").find(R"("key":"filing:/company/10676322/filing-history/")"),
            std::string::npos)
      << run_.Json("signals");
}

TEST_F(FilingsExtractorTest, DeletedFilingsMakeNoSignal) {
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", kUri, R"({"type":"DS01"})", kDeletedEvent)),
            Outcome::kResource);
  EXPECT_EQ(run_.Cell(0, "type"), "DS01");
  EXPECT_EQ(run_.Str("signals"), "[]");
  ASSERT_EQ(run_.Run(ResourceEvent("filing-history", kUri, "", kDeletedEvent)), Outcome::kResource);
  EXPECT_EQ(run_.Json("rows"),
            R"([{"transaction_id":"MzI4OTQzODc5MGFkaXF6a2N4","type":null,"category":null,)"
            R"("subcategory":null,"description":null,"date":null,"action_date":null,)"
            R"("barcode":null,"pages":null}])");
}

}  // namespace
}  // namespace ch
