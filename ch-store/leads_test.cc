#include "ch-store/leads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::Bulk;
using testing_records::StoreFixture;
using testing_records::Stream;
using testing_records::TempDir;
using testing_records::TestCompany;

// Runs WriteLeads into a temporary file and returns what it wrote.
std::string Leads(StoreFixture* f, const LeadsQuery& query) {
  TempDir dir;
  const std::string path = dir.File("out");
  FILE* file = std::fopen(path.c_str(), "w+");
  EXPECT_NE(file, nullptr);
  {
    OutputWriter out(fileno(file));
    StatusOr<int64_t> rows = WriteLeads(&f->db(), query, &out);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  }
  std::fclose(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Company 00000001 with an awkward name, a postcode and two SIC codes.
std::string First(int64_t timepoint, const std::string& published_at, const std::string& status,
                  std::optional<std::string> detail = std::nullopt) {
  TestCompany a = Stream(timepoint, published_at, "00000001", status, std::move(detail));
  a.name = "ACME, \"THE\" LTD";
  a.postal_code = "EC1A 1BB";
  a.sic_codes = {"62020", "70229"};
  return a.Line();
}

void Load(StoreFixture* f) {
  f->ApplyAll(
      {First(10, "2024-01-02T00:00:00Z", "active"),  // 1: first sighting, active: not a lead
       First(11, "2024-02-01T00:00:00Z", "active", "active-proposal-to-strike-off"),  // 2
       First(12, "2024-03-01T00:00:00Z", "dissolved"),                                // 3
       Stream(13, "2024-03-05T00:00:00Z", "00000002", "dissolved", "petition-to-restore-dissolved")
           .Line(),  // 4
       Stream(14, "2024-03-06T00:00:00Z", "00000002", "dissolved")
           .Line()});  // 5: dissolved to dissolved
}

TEST(LeadsTest, CsvHasAHeaderAndOneQuotedRowPerLeadInChangeOrder) {
  StoreFixture f;
  Load(&f);
  const std::string csv = Leads(&f, LeadsQuery());
  const std::string header =
      "id,company_number,company_name,new_status,new_status_detail,changed_at,address_line_1,"
      "address_line_2,"
      "locality,region,postal_code,country,sic_codes,source,old_status,old_status_detail,company_"
      "status,"
      "company_status_detail,type,date_of_creation,date_of_cessation,timepoint\r\n";
  EXPECT_EQ(
      csv,
      header +
          "1,00000001,\"ACME, \"\"THE\"\" "
          "LTD\",active,active-proposal-to-strike-off,2024-02-01T00:00:00Z,"
          ",,,,EC1A 1BB,,\"62020,70229\",stream,active,,dissolved,,ltd,2001-02-03,,11\r\n"
          "2,00000001,\"ACME, \"\"THE\"\" LTD\",dissolved,,2024-03-01T00:00:00Z,,,,,EC1A 1BB,,"
          "\"62020,70229\",stream,active,active-proposal-to-strike-off,dissolved,,ltd,2001-02-03,,"
          "12\r\n"
          "3,00000002,ACME LTD,dissolved,petition-to-restore-dissolved,2024-03-05T00:00:00Z,,,,,,,,"
          "stream,,,dissolved,,ltd,2001-02-03,,13\r\n");
}

TEST(LeadsTest, ResumesAfterAnIdAndFiltersByDate) {
  StoreFixture f;
  Load(&f);
  LeadsQuery after;
  after.after_id = 1;
  after.format = LeadsFormat::kNdjson;
  const std::string ndjson = Leads(&f, after);
  EXPECT_EQ(ndjson.find("\"id\":1,"), std::string::npos);
  EXPECT_EQ(ndjson.substr(0, 50), "{\"id\":2,\"company_number\":\"00000001\",\"company_name\"");
  EXPECT_NE(ndjson.find("\n{\"id\":3,"), std::string::npos);
  EXPECT_NE(ndjson.find("\"timepoint\":13}"), std::string::npos);
  LeadsQuery since;
  since.since = "2024-03-02T00:00:00Z";
  since.format = LeadsFormat::kNdjson;
  const std::string recent = Leads(&f, since);
  EXPECT_EQ(recent.substr(0, 8), "{\"id\":3,");
  EXPECT_EQ(std::count(recent.begin(), recent.end(), '\n'), 1);
}

TEST(LeadsTest, SnapshotChangesAreLeadsToo) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000009", "active").Line());
  f.Apply(Bulk("2025-09-01", "00000009", "active", "active-proposal-to-strike-off").Line());
  LeadsQuery q;
  q.format = LeadsFormat::kNdjson;
  const std::string out = Leads(&f, q);
  EXPECT_NE(out.find("\"changed_at\":\"2025-09-01T00:00:00Z\""), std::string::npos);
  EXPECT_NE(out.find("\"source\":\"bulk\""), std::string::npos);
  EXPECT_NE(out.find("\"timepoint\":null"), std::string::npos);
}

TEST(LeadsTest, NoLeadsIsJustTheHeader) {
  StoreFixture f;
  f.Apply(Stream(10, "2024-01-02T00:00:00Z", "00000001").Line());
  const std::string csv = Leads(&f, LeadsQuery());
  EXPECT_EQ(csv.substr(0, 3), "id,");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1);
  LeadsQuery q;
  q.format = LeadsFormat::kNdjson;
  EXPECT_EQ(Leads(&f, q), "");
}

}  // namespace
}  // namespace ch
