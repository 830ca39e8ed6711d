#include "ch-parse/bulk_row_mapper.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ch-parse/csv_reader.h"
#include "ch-parse/status_mapping.h"
#include "common/json.h"

namespace ch {
namespace {

constexpr const char* kSample2021 = "samples/real/basic-company-data-sample.csv";
constexpr const char* kSample2023 = "samples/real/basic-company-data-sample-2023.csv";

size_t Col(std::string_view name) {
  for (size_t i = 0; i < kBulkColumns.size(); ++i) {
    if (kBulkColumns[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

class BulkRowMapperTest : public ::testing::Test {
 protected:
  BulkRowMapperTest() : mapper_("companies", *ParseIsoDate("2025-08-01")) {
    row_.assign(kBulkColumnCount, "");
    row_[Col("CompanyName")] = "ACME LTD";
    row_[Col("CompanyNumber")] = "08209948";
    row_[Col("CompanyCategory")] = "Private Limited Company";
    row_[Col("CompanyStatus")] = "Active";
  }
  std::vector<std::string_view> Views() const {
    return std::vector<std::string_view>(row_.begin(), row_.end());
  }
  bool Map() {
    out_.clear();
    const bool ok = mapper_.Map(Views(), &out_);
    if (ok) {
      EXPECT_TRUE(ParseJson(out_.view(), &doc_).ok()) << out_.view();
    }
    return ok;
  }
  std::string Str(const rapidjson::Value& v, const char* name) {
    const rapidjson::Value* m = FindMember(v, name);
    if (m == nullptr) return "(absent)";
    if (m->IsNull()) return "(null)";
    if (m->IsString()) return m->GetString();
    std::string json;
    AppendJsonValue(&json, *m);
    return json;
  }
  std::string Str(const char* name) { return Str(doc_, name); }
  std::string Data() { return Str("data"); }

  BulkRowMapper mapper_;
  std::vector<std::string> row_;
  JsonLine out_;
  rapidjson::Document doc_;
};

TEST_F(BulkRowMapperTest, AMinimalRow) {
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str("kind"), "company");
  EXPECT_EQ(Str("source"), "bulk");
  EXPECT_EQ(Str("timepoint"), "(null)");
  EXPECT_EQ(Str("published_at"), "(null)");
  EXPECT_EQ(Str("as_of"), "2025-08-01T00:00:00Z");
  EXPECT_EQ(Str("event_type"), "changed");
  EXPECT_EQ(Str("company_number"), "08209948");
  EXPECT_EQ(Str("company_name"), "ACME LTD");
  EXPECT_EQ(Str("company_status"), "active");
  EXPECT_EQ(Str("company_status_detail"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "Active");
  EXPECT_EQ(Str("type"), "ltd");
  EXPECT_EQ(Str("type_raw"), "Private Limited Company");
  EXPECT_EQ(Str("jurisdiction"), "england-wales");
  EXPECT_EQ(Str("registered_office_address"), "{}");
  EXPECT_EQ(Str("sic_codes"), "[]");
  EXPECT_EQ(
      Data(),
      R"({"company_name":"ACME LTD","company_number":"08209948","company_status":"active","type":"ltd",)"
      R"("jurisdiction":"england-wales"})");
  EXPECT_STREQ((doc_.MemberEnd() - 1)->name.GetString(), "data");
}

TEST_F(BulkRowMapperTest, AFullRowInTheCompanyProfileShape) {
  row_[Col("CompanyStatus")] = "Active - Proposal to Strike off";
  row_[Col("RegAddress.CareOf")] = "C/O X";
  row_[Col("RegAddress.POBox")] = "PO 7";
  row_[Col("RegAddress.AddressLine1")] = "METROHOUSE 57 PEPPER ROAD";
  row_[Col("RegAddress.AddressLine2")] = "HUNSLET";
  row_[Col("RegAddress.PostTown")] = "LEEDS";
  row_[Col("RegAddress.County")] = "YORKSHIRE";
  row_[Col("RegAddress.Country")] = "UNITED KINGDOM";
  row_[Col("RegAddress.PostCode")] = "LS10 2RU";
  row_[Col("DissolutionDate")] = "01/02/2024";
  row_[Col("IncorporationDate")] = "11/09/2012";
  row_[Col("Accounts.AccountRefDay")] = "30";
  row_[Col("Accounts.AccountRefMonth")] = "9";
  row_[Col("Accounts.NextDueDate")] = "30/06/2021";
  row_[Col("Accounts.LastMadeUpDate")] = "30/09/2019";
  row_[Col("SICCode.SicText_1")] = "01110 - Growing of cereals";
  row_[Col("SICCode.SicText_2")] = "None Supplied";
  row_[Col("SICCode.SicText_4")] = "99999 - Dormant Company";
  row_[Col("PreviousName_1.CONDATE")] = "15/07/2011";
  row_[Col("PreviousName_1.CompanyName")] = "OLD \"NAME\" LTD";
  row_[Col("PreviousName_2.CompanyName")] = "OLDER LTD";
  row_[Col("ConfStmtNextDueDate")] = "25/09/2021";
  row_[Col("ConfStmtLastMadeUpDate")] = "11/09/2020";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str("company_status"), "active");
  EXPECT_EQ(Str("company_status_detail"), "active-proposal-to-strike-off");
  EXPECT_EQ(Str("company_status_raw"), "Active - Proposal to Strike off");
  EXPECT_EQ(Str("date_of_creation"), "2012-09-11");
  EXPECT_EQ(Str("date_of_cessation"), "2024-02-01");
  EXPECT_EQ(
      Str("registered_office_address"),
      R"({"address_line_1":"METROHOUSE 57 PEPPER ROAD","address_line_2":"HUNSLET","locality":"LEEDS",)"
      R"("region":"YORKSHIRE","postal_code":"LS10 2RU","country":"UNITED KINGDOM","care_of":"C/O X","po_box":"PO 7"})");
  EXPECT_EQ(Str("sic_codes"), R"(["01110","99999"])");
  EXPECT_EQ(
      Data(),
      R"({"company_name":"ACME LTD","company_number":"08209948","company_status":"active",)"
      R"("company_status_detail":"active-proposal-to-strike-off","type":"ltd","jurisdiction":"england-wales",)"
      R"("date_of_creation":"2012-09-11","date_of_cessation":"2024-02-01",)"
      R"("registered_office_address":{"address_line_1":"METROHOUSE 57 PEPPER ROAD","address_line_2":"HUNSLET",)"
      R"("locality":"LEEDS","region":"YORKSHIRE","postal_code":"LS10 2RU","country":"UNITED KINGDOM",)"
      R"("care_of":"C/O X","po_box":"PO 7"},"sic_codes":["01110","99999"],)"
      R"("accounts":{"accounting_reference_date":{"day":"30","month":"09"},"next_due":"2021-06-30",)"
      R"("last_accounts":{"made_up_to":"2019-09-30"}},)"
      R"("confirmation_statement":{"next_due":"2021-09-25","last_made_up_to":"2020-09-11"},)"
      R"("previous_company_names":[{"ceased_on":"2011-07-15","name":"OLD \"NAME\" LTD"},{"name":"OLDER LTD"}]})");
}

TEST_F(BulkRowMapperTest, EveryStatusTextOfProtocolMd) {
  const std::pair<const char*, const char*> cases[] = {
      {"Active", "active|(null)"},
      {"Active - Proposal to Strike off", "active|active-proposal-to-strike-off"},
      {"Liquidation", "liquidation|(null)"},
      {"In Administration", "administration|(null)"},
      {"ADMINISTRATION ORDER", "administration|(null)"},
      {"In Administration/Receiver Manager", "administration|(null)"},
      {"In Administration/Administrative Receiver", "administration|(null)"},
      {"RECEIVERSHIP", "receivership|(null)"},
      {"RECEIVER MANAGER / ADMINISTRATIVE RECEIVER", "receivership|(null)"},
      {"ADMINISTRATIVE RECEIVER", "receivership|(null)"},
      {"Live but Receiver Manager on at least one charge", "receivership|(null)"},
      {"Voluntary Arrangement", "voluntary-arrangement|(null)"},
      {"VOLUNTARY ARRANGEMENT / ADMINISTRATIVE RECEIVER", "voluntary-arrangement|(null)"},
      {"VOLUNTARY ARRANGEMENT / RECEIVER MANAGER", "voluntary-arrangement|(null)"},
      {"Dissolved", "dissolved|(null)"},
      {"Converted/Closed", "converted-closed|(null)"},
      {"Open", "open|(null)"},
      {"Closed", "closed|(null)"},
      {"Registered", "registered|(null)"},
      {"Removed", "removed|(null)"},
      {" active - PROPOSAL TO STRIKE OFF ", "active|active-proposal-to-strike-off"},
  };
  for (const auto& [text, expected] : cases) {
    row_[Col("CompanyStatus")] = text;
    ASSERT_TRUE(Map()) << text;
    EXPECT_EQ(Str("company_status") + "|" + Str("company_status_detail"), expected) << text;
    EXPECT_EQ(Str("company_status_raw"), TrimBlanks(text));
    EXPECT_FALSE(mapper_.unknown_status());
  }
}

TEST_F(BulkRowMapperTest, UnknownStatusIsNullRawKeptAndCounted) {
  row_[Col("CompanyStatus")] = "Struck Off Somehow";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "Struck Off Somehow");
  EXPECT_TRUE(mapper_.unknown_status());
  EXPECT_EQ(Str(doc_["data"], "company_status"), "(absent)");
  row_[Col("CompanyStatus")] = "";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str("company_status"), "(null)");
  EXPECT_EQ(Str("company_status_raw"), "(null)");
  EXPECT_FALSE(mapper_.unknown_status());
}

TEST_F(BulkRowMapperTest, EveryCategoryOfProtocolMd) {
  const std::pair<const char*, const char*> cases[] = {
      {"Private Limited Company", "ltd"},
      {"Public Limited Company", "plc"},
      {"Limited Liability Partnership", "llp"},
      {"Limited Partnership", "limited-partnership"},
      {"PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)",
       "private-limited-guarant-nsc"},
      {"Private Unlimited Company", "private-unlimited"},
      {"Charitable Incorporated Organisation", "charitable-incorporated-organisation"},
      {"Other company type", "other"},
  };
  for (const auto& [text, expected] : cases) {
    row_[Col("CompanyCategory")] = text;
    ASSERT_TRUE(Map()) << text;
    EXPECT_EQ(Str("type"), expected);
    EXPECT_EQ(Str("type_raw"), text);
    EXPECT_FALSE(mapper_.unknown_type());
  }
  row_[Col("CompanyCategory")] = "Community Interest Company";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str("type"), "(null)");
  EXPECT_EQ(Str("type_raw"), "Community Interest Company");
  EXPECT_TRUE(mapper_.unknown_type());
}

TEST_F(BulkRowMapperTest, CompanyNumbersKeepPrefixesAndArePadded) {
  const std::pair<const char*, const char*> cases[] = {
      {"8209948", "08209948"},  {" 08209948 ", "08209948"}, {"SC606050", "SC606050"},
      {"fc031362", "FC031362"}, {"NI000001", "NI000001"},   {"CE000952", "CE000952"}};
  for (const auto& [text, expected] : cases) {
    row_[Col("CompanyNumber")] = text;
    ASSERT_TRUE(Map()) << text;
    EXPECT_EQ(Str("company_number"), expected);
    EXPECT_EQ(Str(doc_["data"], "company_number"), expected);
  }
}

TEST_F(BulkRowMapperTest, JurisdictionFromThePrefix) {
  const std::pair<const char*, const char*> cases[] = {{"SC606050", "scotland"},
                                                       {"NI000001", "northern-ireland"},
                                                       {"08209948", "england-wales"},
                                                       {"FC031362", "england-wales"}};
  for (const auto& [number, expected] : cases) {
    row_[Col("CompanyNumber")] = number;
    ASSERT_TRUE(Map());
    EXPECT_EQ(Str("jurisdiction"), expected);
  }
}

TEST_F(BulkRowMapperTest, BadRowsAreRejectedWithAReason) {
  for (const char* number : {"", "12-34", "ABCDEFGHIJK"}) {
    row_[Col("CompanyNumber")] = number;
    EXPECT_FALSE(Map());
    EXPECT_EQ(mapper_.reject_class(), RejectClass::kCompanyNumber);
  }
  EXPECT_EQ(mapper_.reason(), "invalid company number: \"ABCDEFGHIJK\"");
  row_[Col("CompanyNumber")] = "1";
  row_[Col("IncorporationDate")] = "31/02/2020";
  EXPECT_FALSE(Map());
  EXPECT_EQ(mapper_.reject_class(), RejectClass::kDate);
  EXPECT_EQ(mapper_.reason(), "invalid date in IncorporationDate: \"31/02/2020\"");
  row_[Col("IncorporationDate")] = "";
  row_[Col("PreviousName_3.CONDATE")] = "2020";
  EXPECT_FALSE(Map());
  EXPECT_EQ(mapper_.reason(), "invalid date in PreviousName_3.CONDATE: \"2020\"");
  row_[Col("PreviousName_3.CONDATE")] = "";
  EXPECT_TRUE(Map());
  row_.pop_back();
  EXPECT_FALSE(Map());
  EXPECT_EQ(mapper_.reject_class(), RejectClass::kCsvRow);
  EXPECT_EQ(mapper_.reason(), "wrong field count: 54 (expected 55)");
}

TEST_F(BulkRowMapperTest, OddAccountReferenceNumbersAreLeftOut) {
  row_[Col("Accounts.AccountRefDay")] = "32";
  row_[Col("Accounts.AccountRefMonth")] = "x";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str(doc_["data"], "accounts"), "(absent)");
  row_[Col("Accounts.AccountRefDay")] = "1";
  ASSERT_TRUE(Map());
  EXPECT_EQ(Str(doc_["data"], "accounts"), R"({"accounting_reference_date":{"day":"01"}})");
}

TEST(BulkHeaderTest, AcceptsTheRealHeaderWithItsLeadingSpaces) {
  std::vector<std::string> names;
  for (size_t i = 0; i < kBulkColumnCount; ++i)
    names.push_back((i % 3 == 1 ? " " : "") + std::string(kBulkColumns[i]));
  std::vector<std::string_view> fields(names.begin(), names.end());
  EXPECT_TRUE(IsBulkHeader(fields));
  EXPECT_TRUE(CheckBulkHeader(fields).ok());
}

TEST(BulkHeaderTest, AWrongHeaderNamesTheFirstBadColumn) {
  std::vector<std::string> names(kBulkColumns.begin(), kBulkColumns.end());
  names[11] = "Status";
  names[20] = "Other";
  std::vector<std::string_view> fields(names.begin(), names.end());
  const Status s = CheckBulkHeader(fields);
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "bulk CSV header: column 12 is 'Status', expected 'CompanyStatus'");
  fields.resize(40);
  names[11] = "CompanyStatus";
  fields.assign(names.begin(), names.begin() + 20);
  EXPECT_NE(CheckBulkHeader(fields).message().find("column 21 'Returns.NextDueDate' is missing"),
            std::string::npos);
  names[20] = "Returns.NextDueDate";
  names.emplace_back("Extra");
  fields.assign(names.begin(), names.end());
  EXPECT_NE(CheckBulkHeader(fields).message().find("unexpected column 56 'Extra'"),
            std::string::npos);
  EXPECT_FALSE(IsBulkHeader({"\"! LTD\"", "08209948"}));
  EXPECT_FALSE(IsBulkHeader({"COMPANYNAME", "COMPANYNUMBER"}));
}

// Reads a whole sample file: header, then every row must map.
std::vector<std::string> MapSample(const char* path,
                                   std::map<std::string, std::string>* by_number) {
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return {};
  LineReader lines(fileno(f));
  CsvReader reader(&lines, 1 << 20);
  BulkRowMapper mapper("companies", *ParseIsoDate("2021-01-01"));
  std::vector<std::string> out;
  EXPECT_EQ(reader.Next(-1), CsvReader::Result::kRecord);
  EXPECT_TRUE(IsBulkHeader(reader.fields()));
  EXPECT_TRUE(CheckBulkHeader(reader.fields()).ok()) << CheckBulkHeader(reader.fields()).message();
  for (;;) {
    const auto r = reader.Next(-1);
    if (r == CsvReader::Result::kEof) break;
    EXPECT_EQ(r, CsvReader::Result::kRecord);
    if (r != CsvReader::Result::kRecord) break;
    JsonLine json_line;
    EXPECT_TRUE(mapper.Map(reader.fields(), &json_line))
        << mapper.reason() << " in " << reader.raw();
    const std::string line(json_line.view());
    rapidjson::Document doc;
    EXPECT_TRUE(ParseJson(line, &doc).ok());
    (*by_number)[doc["company_number"].GetString()] = line;
    out.push_back(line);
  }
  std::fclose(f);
  return out;
}

TEST(BulkSampleTest, EveryRowOfThe2021SampleMaps) {
  std::map<std::string, std::string> rows;
  const auto lines = MapSample(kSample2021, &rows);
  if (lines.empty()) GTEST_SKIP() << "samples not available";
  EXPECT_EQ(lines.size(), 31u);
  const std::string& ltd = rows.at("08209948");
  EXPECT_NE(ltd.find("\"company_name\":\"! LTD\""), std::string::npos);
  EXPECT_NE(ltd.find("\"sic_codes\":[\"99999\"]"), std::string::npos);
  EXPECT_NE(ltd.find("\"date_of_creation\":\"2012-09-11\""), std::string::npos);
  EXPECT_NE(ltd.find("\"confirmation_statement\":{\"next_due\":\"2021-09-25\",\"last_made_up_to\":"
                     "\"2020-09-11\"}"),
            std::string::npos);
  EXPECT_NE(ltd.find("\"accounting_reference_date\":{\"day\":\"30\",\"month\":\"09\"}"),
            std::string::npos);
  // Names with doubled quotes, a comma inside a field, FC/SC/CE numbers.
  size_t quoted = 0;
  for (const auto& [number, line] : rows) {
    if (line.find("\"company_name\":\"\\\"") != std::string::npos) ++quoted;
  }
  EXPECT_GE(quoted, 15u);
  EXPECT_NE(rows.at("FC031362").find("\"jurisdiction\":\"england-wales\""), std::string::npos);
  EXPECT_NE(rows.at("SC606050").find("\"jurisdiction\":\"scotland\""), std::string::npos);
  EXPECT_NE(rows.at("CE000952").find("\"type\":\"charitable-incorporated-organisation\""),
            std::string::npos);
  bool comma_inside = false;
  bool previous_name = false;
  for (const auto& [number, line] : rows) {
    comma_inside |= line.find("ULAANBAATAR, MONGOLIA") != std::string::npos;
    previous_name |= line.find("\"previous_company_names\":[{\"ceased_on\":") != std::string::npos;
  }
  EXPECT_TRUE(comma_inside);
  EXPECT_TRUE(previous_name);
}

TEST(BulkSampleTest, EveryRowOfThe2023SampleMaps) {
  std::map<std::string, std::string> rows;
  const auto lines = MapSample(kSample2023, &rows);
  if (lines.empty()) GTEST_SKIP() << "samples not available";
  EXPECT_EQ(lines.size(), 11u);
  size_t liquidation = 0;
  for (const auto& [number, line] : rows) {
    if (line.find("\"company_status\":\"liquidation\"") != std::string::npos) ++liquidation;
  }
  EXPECT_EQ(liquidation, 1u);
  EXPECT_NE(rows.at("08209948").find("\"company_name\":\"! LTD\""), std::string::npos);
}

}  // namespace
}  // namespace ch
