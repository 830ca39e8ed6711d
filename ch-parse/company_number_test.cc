#include "ch-parse/company_number.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

std::string Norm(std::string_view text, bool pad = false) {
  auto n = NormalizeCompanyNumber(text, pad);
  return n ? std::string(n->view()) : "(invalid)";
}

TEST(CompanyNumberTest, KeepsLeadingZerosAndPrefixes) {
  EXPECT_EQ(Norm("05954546"), "05954546");
  EXPECT_EQ(Norm("SC606050"), "SC606050");
  EXPECT_EQ(Norm("FC031362"), "FC031362");
  EXPECT_EQ(Norm("CE000952"), "CE000952");
  EXPECT_EQ(Norm("NI000001"), "NI000001");
  EXPECT_EQ(Norm("OC301234"), "OC301234");
}

TEST(CompanyNumberTest, TrimsAndUpperCases) {
  EXPECT_EQ(Norm("  sc606050\t"), "SC606050");
  EXPECT_EQ(Norm("\r\n08209948 "), "08209948");
}

TEST(CompanyNumberTest, AcceptsOneToTenCharacters) {
  EXPECT_EQ(Norm("1"), "1");
  EXPECT_EQ(Norm("ABCDEFGHIJ"), "ABCDEFGHIJ");
  EXPECT_EQ(Norm("ABCDEFGHIJK"), "(invalid)");
}

TEST(CompanyNumberTest, RejectsAnythingButLettersAndDigits) {
  for (const char* bad : {"", "   ", "12-34/56", "12 34 56", "SC/12345", "\u00C5B123456"}) {
    EXPECT_EQ(Norm(bad), "(invalid)") << bad;
  }
  EXPECT_EQ(Norm(std::string_view("0595\0"
                                  "4546",
                                  9)),
            "(invalid)");
}

TEST(CompanyNumberTest, StreamNumbersAreNotPadded) { EXPECT_EQ(Norm("1234567"), "1234567"); }

TEST(CompanyNumberTest, BulkPadsAllDigitNumbersToEight) {
  EXPECT_EQ(Norm("8209948", true), "08209948");
  EXPECT_EQ(Norm("1", true), "00000001");
  EXPECT_EQ(Norm("08209948", true), "08209948");
  EXPECT_EQ(Norm("123456789", true), "123456789");
  EXPECT_EQ(Norm("SC1234", true), "SC1234");  // prefixed numbers are kept as they are
}

TEST(CompanyNumberTest, JurisdictionFollowsThePrefix) {
  EXPECT_EQ(JurisdictionForNumber("SC606050"), "scotland");
  EXPECT_EQ(JurisdictionForNumber("NI000001"), "northern-ireland");
  EXPECT_EQ(JurisdictionForNumber("08209948"), "england-wales");
  EXPECT_EQ(JurisdictionForNumber("FC031362"), "england-wales");
  EXPECT_EQ(JurisdictionForNumber("S"), "england-wales");
}

}  // namespace
}  // namespace ch
