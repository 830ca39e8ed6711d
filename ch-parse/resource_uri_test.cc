#include "ch-parse/resource_uri.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

std::string Normalized(std::string_view uri) {
  std::string scratch;
  const auto n = NormalizeResourceUri(uri, &scratch);
  return n ? std::string(*n) : "(none)";
}

std::string NumberOf(std::string_view uri) {
  const auto n = CompanyNumberFromUri(uri);
  return n ? std::string(n->view()) : "(none)";
}

TEST(ResourceUriTest, NormalisesToExactlyOneLeadingSlash) {
  EXPECT_EQ(Normalized("company/14438833/exemptions"), "/company/14438833/exemptions");
  EXPECT_EQ(Normalized("/company/14438833/exemptions"), "/company/14438833/exemptions");
  EXPECT_EQ(Normalized("///company/1"), "/company/1");
  EXPECT_EQ(Normalized("x"), "/x");
  EXPECT_EQ(Normalized("/company/1/"), "/company/1/");  // only the start is touched
  EXPECT_EQ(Normalized(""), "(none)");
  EXPECT_EQ(Normalized("/"), "(none)");
  EXPECT_EQ(Normalized("////"), "(none)");
}

TEST(ResourceUriTest, TheCompanyNumberIsTheSegmentAfterCompany) {
  EXPECT_EQ(NumberOf("/company/10676322/filing-history/MzI4"), "10676322");
  EXPECT_EQ(NumberOf("/company/oe003609/persons-with-significant-control/x/y"), "OE003609");
  EXPECT_EQ(NumberOf("/company/12325716/insolvency"), "12325716");
  EXPECT_EQ(NumberOf("/company/SC1"), "SC1");
  EXPECT_EQ(NumberOf("/company/ 123 /x"), "123");
  EXPECT_EQ(NumberOf("/company//x"), "(none)");
  EXPECT_EQ(NumberOf("/company/"), "(none)");
  EXPECT_EQ(NumberOf("/company"), "(none)");
  EXPECT_EQ(NumberOf("/company/12-34/x"), "(none)");
  EXPECT_EQ(NumberOf("/company/ABCDEFGHIJK/x"), "(none)");
  EXPECT_EQ(NumberOf("/companyX/1/x"), "(none)");
  EXPECT_EQ(NumberOf("/disqualified-officers/natural/X"), "(none)");
  EXPECT_EQ(NumberOf("/x/company/1"), "(none)");
}

TEST(ResourceUriTest, SegmentAfterAPrefix) {
  EXPECT_EQ(SegmentAfter("/disqualified-officers/natural/X", "disqualified-officers"), "natural");
  EXPECT_EQ(SegmentAfter("/disqualified-officers/corporate", "disqualified-officers"), "corporate");
  EXPECT_EQ(SegmentAfter("/disqualified-officers//X", "disqualified-officers"), std::nullopt);
  EXPECT_EQ(SegmentAfter("/disqualified-officers", "disqualified-officers"), std::nullopt);
  // Several segments, "*" for any one: a resource's id.
  EXPECT_EQ(SegmentAfter("/company/1/charges/X", "company/*/charges"), "X");
  EXPECT_EQ(SegmentAfter("/company/1/charges/X/", "company/*/charges"), "X");
  EXPECT_EQ(SegmentAfter("/company/1/persons-with-significant-control/individual/P",
                         "company/*/persons-with-significant-control/*"),
            "P");
  // A URI that lacks the id has none (not "filing-history", nor the number).
  EXPECT_EQ(SegmentAfter("/company/1/filing-history/", "company/*/filing-history"), std::nullopt);
  EXPECT_EQ(SegmentAfter("/company/1/filing-history", "company/*/filing-history"), std::nullopt);
  EXPECT_EQ(SegmentAfter("/company/1", "company/*/filing-history"), std::nullopt);
  EXPECT_EQ(SegmentAfter("/company/1/charges/X", "company/*/filing-history"), std::nullopt);
  EXPECT_EQ(SegmentAfter("company/1/charges/X", "company/*/charges"), std::nullopt);
  EXPECT_EQ(SegmentAfter("/disqualified-officersX/n/X", "disqualified-officers"), std::nullopt);
}

}  // namespace
}  // namespace ch
