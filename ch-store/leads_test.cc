#include "ch-store/leads.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "ch-store/migrator.h"
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

TEST(LeadsTest, CsvHasAHeaderAndOneQuotedRowPerLeadInSignalOrder) {
  StoreFixture f;
  Load(&f);
  const std::string csv = Leads(&f, LeadsQuery());
  const std::string header =
      "id,signal,stream,occurred_on,published_at,detail,company_number,company_name,"
      "company_status,company_status_detail,address_line_1,address_line_2,locality,region,"
      "postal_code,country,care_of,po_box,premises,sic_codes,type,jurisdiction,"
      "date_of_creation,date_of_cessation,officers,pscs,resource_uri,timepoint,source,"
      "changed_at,old_status,old_status_detail,new_status,new_status_detail\r\n";
  EXPECT_EQ(csv,
            header +
                "1,proposal-to-strike-off,companies,2024-02-01,2024-02-01T00:00:00Z,"
                "active-proposal-to-strike-off,00000001,\"ACME, \"\"THE\"\" LTD\",dissolved,,,,,,"
                "EC1A 1BB,,,,,\"62020,70229\",ltd,england-wales,2001-02-03,,,,/company/00000001,11,"
                "stream,2024-02-01T00:00:00Z,active,,active,active-proposal-to-strike-off\r\n"
                "2,dissolved,companies,2024-03-01,2024-03-01T00:00:00Z,dissolved,00000001,"
                "\"ACME, \"\"THE\"\" LTD\",dissolved,,,,,,EC1A 1BB,,,,,\"62020,70229\",ltd,"
                "england-wales,2001-02-03,,,,/company/00000001,12,stream,2024-03-01T00:00:00Z,"
                "active,active-proposal-to-strike-off,dissolved,\r\n"
                "3,dissolved,companies,2024-03-05,2024-03-05T00:00:00Z,"
                "petition-to-restore-dissolved,00000002,ACME LTD,dissolved,,,,,,,,,,,,ltd,"
                "england-wales,2001-02-03,,,,/company/00000002,13,stream,2024-03-05T00:00:00Z,,,"
                "dissolved,petition-to-restore-dissolved\r\n");
}

TEST(LeadsTest, APhaseOneViewIsPrintedWithThePhaseOneColumns) {
  StoreFixture f;
  Load(&f);
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->MigrateTo(&f.db(), 4).ok());
  const std::string csv = Leads(&f, LeadsQuery());
  EXPECT_EQ(csv.substr(0, csv.find('\n') + 1),
            "id,company_number,company_name,new_status,new_status_detail,changed_at,"
            "address_line_1,address_line_2,locality,region,postal_code,country,sic_codes,source,"
            "old_status,old_status_detail,company_status,company_status_detail,type,"
            "date_of_creation,date_of_cessation,timepoint\r\n");
  EXPECT_NE(csv.find("\n2,00000001,"), std::string::npos);  // the status change id
}

TEST(LeadsTest, ResumesAfterAnIdAndFiltersByDate) {
  StoreFixture f;
  Load(&f);
  LeadsQuery after;
  after.after_id = 1;
  after.format = LeadsFormat::kNdjson;
  const std::string ndjson = Leads(&f, after);
  EXPECT_EQ(ndjson.find("\"id\":1,"), std::string::npos);
  EXPECT_EQ(ndjson.substr(0, 50), "{\"id\":2,\"signal\":\"dissolved\",\"stream\":\"companies\",");
  EXPECT_NE(ndjson.find("\n{\"id\":3,"), std::string::npos);
  EXPECT_NE(ndjson.find("\"timepoint\":13,"), std::string::npos);
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

TEST(LeadsTest, ATableHasTheChosenColumnsAlignedAndACountLine) {
  StoreFixture f;
  Load(&f);
  LeadsQuery q;
  q.format = LeadsFormat::kTable;
  q.table_width = 100;
  EXPECT_EQ(Leads(&f, q),
            "id  signal                  date        company   name             officers  pscs\n"
            " 1  proposal-to-strike-off  2024-02-01  00000001  ACME, \"THE\" LTD\n"
            " 2  dissolved               2024-03-01  00000001  ACME, \"THE\" LTD\n"
            " 3  dissolved               2024-03-05  00000002  ACME LTD\n"
            "3 leads\n");
}

TEST(LeadsTest, ATableFitsItsWidthCuttingTheWideColumns) {
  StoreFixture f;
  Load(&f);
  LeadsQuery q;
  q.format = LeadsFormat::kTable;
  q.table_width = 70;
  const std::string table = Leads(&f, q);
  std::istringstream lines(table);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    size_t columns = 0;
    for (const char c : line) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    EXPECT_LE(columns, 70u) << line;
  }
  EXPECT_EQ(count, 5);
  // 70 - 42 - 6 separators = 16: pscs keeps its 4, name and officers get 6.
  EXPECT_NE(table.find("  name    offic\xE2\x80\xA6  pscs\n"), std::string::npos) << table;
  EXPECT_NE(table.find(" 1  proposal-to-strike-off  2024-02-01  00000001  ACME,\xE2\x80\xA6\n"),
            std::string::npos)
      << table;
}

TEST(LeadsTest, ATableOfNoLeadsIsTheCountAlone) {
  StoreFixture f;
  Load(&f);
  LeadsQuery q;
  q.format = LeadsFormat::kTable;
  q.after_id = 3;
  EXPECT_EQ(Leads(&f, q), "0 leads\n");
  q.after_id = 2;
  const std::string one = Leads(&f, q);
  EXPECT_EQ(one.substr(one.find("\n 3  ")),
            "\n 3  dissolved  2024-03-05  00000002  ACME LTD\n1 lead\n");
}

TEST(LeadsTest, APhaseOneViewHasItsOwnTable) {
  StoreFixture f;
  Load(&f);
  StatusOr<Migrator> m = Migrator::Embedded();
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->MigrateTo(&f.db(), 4).ok());
  LeadsQuery q;
  q.format = LeadsFormat::kTable;
  const std::string table = Leads(&f, q);
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "id  changed_at            company   name             status     detail");
  EXPECT_NE(table.find("\n 2  2024-02-01T00:00:00Z  00000001  ACME, \"THE\" LTD  active     "
                       "active-proposal-to-strike-off\n"),
            std::string::npos)
      << table;
}

TEST(LeadsTest, ATerminalGetsATableAndAPipeCsv) {
  EXPECT_EQ(DefaultLeadsFormat(true), LeadsFormat::kTable);
  EXPECT_EQ(DefaultLeadsFormat(false), LeadsFormat::kCsv);
}

}  // namespace
}  // namespace ch
