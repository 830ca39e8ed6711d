// The officers extractor: rows from every real officers-stream line, and
// the columns' tolerances.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-parse/event_test_support.h"

namespace ch {
namespace {

using Outcome = EventParser::Outcome;
using test_support::EventRun;
using test_support::ResourceEvent;

constexpr char kUri[] = "/company/07217743/appointments/A1";

TEST(OfficersExtractorTest, EveryRealLineGivesItsRow) {
  EventRun run("officers");
  const std::vector<std::string> lines = test_support::RealEvents("officers");
  ASSERT_EQ(lines.size(), 57u);
  int resigned = 0;
  int undated = 0;
  for (const std::string& line : lines) {
    ASSERT_EQ(run.Run(line), Outcome::kResource) << line;
    EXPECT_EQ(run.Str("table"), "officers");
    EXPECT_EQ(run.Str("stream"), "officers");
    ASSERT_EQ(run.RowCount(), 1u);
    EXPECT_EQ(run.Cell(0, "appointment_id"), run.Str("resource_id"));
    EXPECT_NE(run.Cell(0, "name"), "(null)");
    EXPECT_NE(run.Cell(0, "officer_role"), "(null)");
    if (run.Cell(0, "appointed_on") == "(null)") ++undated;
    EXPECT_EQ(run.Cell(0, "officer_id"), "(null)");  // these lines link only to themselves
    EXPECT_EQ(run.Str("signals"), "[]");
    EXPECT_EQ(run.DataText(), test_support::RawDataOf(line));
    if (run.Cell(0, "resigned_on") != "(null)") ++resigned;
  }
  EXPECT_EQ(resigned, 9);  // a resignation is a `changed` event with resigned_on
  EXPECT_EQ(undated, 1);   // line 48: an old appointment without a date

  // Line 1: a director who resigned (and the relay's "received" member).
  ASSERT_EQ(run.Run(lines[0]), Outcome::kResource);
  EXPECT_EQ(run.Str("company_number"), "07217743");
  EXPECT_EQ(run.Json("rows"),
            R"([{"appointment_id":"lZX48JQSZFCbhsdpDhYLSoG6Dbc","name":"CSOMOR, Anna",)"
            R"("officer_role":"director","appointed_on":"2016-05-01","resigned_on":"2022-08-01",)"
            R"("nationality":"Hungarian","occupation":"Director",)"
            R"("country_of_residence":"United Kingdom","date_of_birth_month":10,)"
            R"("date_of_birth_year":1977,"premises":"13th Floor One Croydon",)"
            R"("address_line_1":"C/O Sable International",)"
            R"("address_line_2":"12-16 Addiscombe Road","locality":"Croydon","region":null,)"
            R"("postal_code":"CR0 0XT","country":null,"officer_id":null}])");
  // Line 9: a secretary, with no date of birth, nationality or occupation.
  ASSERT_EQ(run.Run(lines[8]), Outcome::kResource);
  EXPECT_EQ(run.Json("rows"),
            R"([{"appointment_id":"wsqvrUznICuGCTJBdp4dTSK8_FQ","name":"ZENIOS, Stella",)"
            R"("officer_role":"secretary","appointed_on":"2021-08-20","resigned_on":null,)"
            R"("nationality":null,"occupation":null,"country_of_residence":null,)"
            R"("date_of_birth_month":null,"date_of_birth_year":null,"premises":"9.17",)"
            R"("address_line_1":"16c Capital Tower","address_line_2":"91 Waterloo Road",)"
            R"("locality":"London","region":null,"postal_code":"SE1 8RT",)"
            R"("country":"United Kingdom","officer_id":null}])");
  // Line 16: a corporate director.
  ASSERT_EQ(run.Run(lines[15]), Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "name"), "TS SPV 1 LIMITED");
  EXPECT_EQ(run.Cell(0, "officer_role"), "corporate-director");
  EXPECT_EQ(run.Cell(0, "region"), "Pembrokeshire");
}

TEST(OfficersExtractorTest, TheOfficerIdComesFromTheAppointmentsLink) {
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"links":{"officer":{"appointments":"/officers/abcDEF123/appointments"}}})", "abcDEF123"},
      {R"({"links":{"officer":{"appointments":"officers/abc/appointments"}}})", "abc"},
      {R"({"links":{"officer":{"appointments":"/officers/abc"}}})", "abc"},
      {R"({"links":{"officer":{"appointments":"/officers//appointments"}}})", "(null)"},
      {R"({"links":{"officer":{"appointments":"/company/1/appointments"}}})", "(null)"},
      {R"({"links":{"officer":{"appointments":5}}})", "(null)"},
      {R"({"links":{"officer":"x"}})", "(null)"},
      {R"({"links":{"self":"/company/1/appointments/A1"}})", "(null)"},
  };
  for (const auto& [data, id] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-officers", kUri, data)), Outcome::kResource) << data;
    EXPECT_EQ(run.Cell(0, "officer_id"), id) << data;
  }
}

TEST(OfficersExtractorTest, AResignationDateThatIsNoDateStillMarksTheResignation) {
  // NULL would make a leaver a current officer, listed in the leads as
  // someone to contact (an independent run, for a PSC's ceased_on).
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"resigned_on":"2022-08-01"})", "2022-08-01"},
      {R"({"resigned_on":"01/08/2022"})", "2022-08-01"},
      {R"({"resigned_on":"2019-02-29"})", "2019-02-29"},
      {R"({"resigned_on":"soon"})", "soon"},
      {R"({"resigned_on":20220801})", "20220801"},
      {R"({"resigned_on":""})", "(null)"},
      {R"({"resigned_on":"  "})", "(null)"},
      {R"({"resigned_on":null})", "(null)"},
      {R"({"resigned_on":{}})", "(null)"},
  };
  for (const auto& [data, resigned_on] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-officers", kUri, data)), Outcome::kResource) << data;
    EXPECT_EQ(run.Cell(0, "resigned_on"), resigned_on) << data;
  }
}

TEST(OfficersExtractorTest, DatesOfBirthAreIntegersFromNumbersOrNumericStrings) {
  EventRun run;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"month":10,"year":1977})", "10/1977"},
      {R"({"month":"03","year":"1959"})", "3/1959"},
      {R"({"month":"x","year":1959.5})", "(null)/(null)"},
      {R"({"year":1959})", "(null)/1959"},
      {R"("1977-10")", "(null)/(null)"},
  };
  for (const auto& [birth, expected] : cases) {
    ASSERT_EQ(run.Run(ResourceEvent("company-officers", kUri,
                                    std::string(R"({"date_of_birth":)") + birth + "}")),
              Outcome::kResource);
    EXPECT_EQ(run.Cell(0, "date_of_birth_month") + "/" + run.Cell(0, "date_of_birth_year"),
              expected)
        << birth;
  }
}

TEST(OfficersExtractorTest, AddressAndTextsTolerateOddValues) {
  EventRun run;
  ASSERT_EQ(
      run.Run(ResourceEvent("company-officers", kUri,
                            R"({"name":"","officer_role":null,"appointed_on":"01/02/2003",)"
                            R"("address":{"premises":12,"postal_code":["X"],"country":""}})")),
      Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "name"), "(null)");
  EXPECT_EQ(run.Cell(0, "officer_role"), "(null)");
  EXPECT_EQ(run.Cell(0, "appointed_on"), "2003-02-01");
  EXPECT_EQ(run.Cell(0, "premises"), "12");
  EXPECT_EQ(run.Cell(0, "postal_code"), "(null)");
  EXPECT_EQ(run.Cell(0, "country"), "(null)");
  ASSERT_EQ(run.Run(ResourceEvent("company-officers", kUri, R"({"address":"1 High St"})")),
            Outcome::kResource);
  EXPECT_EQ(run.Cell(0, "address_line_1"), "(null)");
}

}  // namespace
}  // namespace ch
