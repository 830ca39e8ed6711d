// The kinds table itself: what every row must hold for the rest of the
// program to work, so that a new row that breaks it fails here.
#include "ch-parse/resource_kinds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ch {
namespace {

TEST(ResourceKindsTest, EveryKindOfTheDesignIsInTheTableOnce) {
  std::set<std::string_view> kinds;
  for (const ResourceKind& kind : AllResourceKinds()) {
    EXPECT_TRUE(kinds.insert(kind.resource_kind).second) << kind.resource_kind;
  }
  EXPECT_EQ(
      kinds,
      (std::set<std::string_view>{
          "company-profile", "filing-history", "company-officers", "company-psc-individual",
          "company-psc-corporate", "company-psc-legal", "company-psc-supersecure",
          "individual-beneficial-owner", "corporate-entity-beneficial-owner",
          "legal-person-beneficial-owner", "super-secure-beneficial-owner",
          "persons-with-significant-control-statement", "company-charges", "company-insolvency",
          "disqualified-officer-natural", "disqualified-officer-corporate", "company-exemptions"}));
}

TEST(ResourceKindsTest, TheNineStreamsEachSendAKind) {
  std::set<std::string_view> streams;
  for (const ResourceKind& kind : AllResourceKinds()) streams.insert(kind.stream);
  EXPECT_EQ(streams, (std::set<std::string_view>{
                         "companies", "filings", "officers", "persons-with-significant-control",
                         "persons-with-significant-control-statements", "charges",
                         "insolvency-cases", "disqualified-officers", "company-exemptions"}));
}

TEST(ResourceKindsTest, EveryRowIsUsable) {
  for (const ResourceKind& kind : AllResourceKinds()) {
    SCOPED_TRACE(std::string(kind.resource_kind));
    EXPECT_EQ(FindResourceKind(kind.resource_kind), &kind);
    if (kind.company_number == CompanyNumberRule::kCompanyRecord) {
      EXPECT_EQ(kind.resource_kind, "company-profile");
      EXPECT_EQ(kind.table, nullptr);
      continue;
    }
    ASSERT_NE(kind.table, nullptr);
    EXPECT_NE(kind.table->extract, nullptr);
    EXPECT_NE(kind.company_number, CompanyNumberRule::kFromUriIfAny);  // for unknown kinds only
    EXPECT_EQ(kind.company_number == CompanyNumberRule::kNone,
              kind.stream == "disqualified-officers");
    if (!kind.snapshot_kind.empty()) {
      EXPECT_EQ(FindResourceKindBySnapshotKind(kind.snapshot_kind), &kind);
    }
  }
  EXPECT_EQ(FindResourceKind("Filing-History"), nullptr);
  EXPECT_EQ(FindResourceKind(""), nullptr);
  EXPECT_EQ(FindResourceKindBySnapshotKind(""), nullptr);
  EXPECT_EQ(FindResourceKindBySnapshotKind("exemptions")->resource_kind, "company-exemptions");
  EXPECT_EQ(
      FindResourceKindBySnapshotKind("individual-person-with-significant-control")->resource_kind,
      "company-psc-individual");
}

TEST(ResourceKindsTest, EveryTableHasDistinctColumnsAndReadsSomeData) {
  const std::vector<const ResourceTable*> tables = AllResourceTables();
  std::set<std::string_view> names;
  for (const ResourceTable* table : tables) names.insert(table->name);
  EXPECT_EQ(names, (std::set<std::string_view>{"filings", "officers", "pscs", "psc_statements",
                                               "charges", "insolvency_cases",
                                               "disqualified_officers", "company_exemptions"}));
  for (const ResourceTable* table : tables) {
    SCOPED_TRACE(std::string(table->name));
    std::set<std::string_view> columns;
    for (size_t i = 0; i < table->column_count; ++i) {
      EXPECT_TRUE(columns.insert(table->columns[i].name).second) << table->columns[i].name;
    }
    // ch-store adds these three itself.
    for (const char* added : {"resource_uri", "company_number", "deleted"})
      EXPECT_EQ(columns.count(added), 0u) << added;
    EXPECT_GT(table->data_member_count, 0u);
  }
}

}  // namespace
}  // namespace ch
