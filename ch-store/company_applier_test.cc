// CompanyApplier and signals: a status change into dissolved or into a
// strike-off proposal adds its signal in the same transaction, once; other
// changes add none. (The company rules themselves: record_applier_test.cc.)
#include "ch-store/company_applier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-store/test_records.h"

namespace ch {
namespace {

using testing_records::Bulk;
using testing_records::StoreFixture;
using testing_records::Stream;

TEST(CompanyApplierTest, StatusChangesIntoStrikeOffOrDissolvedAreSignals) {
  StoreFixture f;
  f.ApplyAll({
      Stream(1, "2024-01-01T10:00:00Z", "00000001", "active").Line(),  // change 1: no signal
      Stream(2, "2024-02-01T10:00:00Z", "00000001", "active", "active-proposal-to-strike-off")
          .Line(),                                                        // 2
      Stream(3, "2024-02-02T10:00:00Z", "00000001", "active").Line(),     // 3: back to active
      Stream(4, "2024-03-01T10:00:00Z", "00000001", "dissolved").Line(),  // 4
      Stream(5, "2024-03-02T10:00:00Z", "00000001", "dissolved", "petition-to-restore-dissolved")
          .Line(),                                                          // 5: no signal
      Stream(6, "2024-03-03T10:00:00Z", "00000002", "liquidation").Line(),  // 6: no signal
  });
  EXPECT_EQ(f.Rows("SELECT id, signal, stream, company_number, timepoint, published_at,"
                   " occurred_on, resource_uri, detail, signal_key, status_change_id, source"
                   " FROM signals ORDER BY id"),
            (std::vector<std::string>{
                "1|proposal-to-strike-off|companies|00000001|2|2024-02-01T10:00:00Z|2024-02-01|"
                "/company/00000001|active-proposal-to-strike-off|status:2|2|stream",
                "2|dissolved|companies|00000001|4|2024-03-01T10:00:00Z|2024-03-01|"
                "/company/00000001|dissolved|status:4|4|stream"}));
  EXPECT_EQ(f.applier().totals().signals, 2u);
}

TEST(CompanyApplierTest, FirstSightingDissolvedIsASignalAndReplayAddsNothing) {
  StoreFixture f;
  const std::string line = Stream(7, "2024-03-01T10:00:00Z", "00000003", "dissolved").Line();
  f.Apply(line);
  f.Apply(line);
  EXPECT_EQ(f.Count("signals"), 1);
  EXPECT_EQ(f.One("SELECT signal, status_change_id FROM signals"), "dissolved|1");
}

TEST(CompanyApplierTest, SnapshotChangeIsASignalDatedBySnapshot) {
  StoreFixture f;
  f.Apply(Bulk("2025-08-01", "00000009", "active").Line());
  f.Apply(Bulk("2025-09-01", "00000009", "active", "active-proposal-to-strike-off").Line());
  EXPECT_EQ(f.One("SELECT signal, timepoint, published_at, occurred_on, source FROM signals"),
            "proposal-to-strike-off|NULL|2025-09-01T00:00:00Z|2025-09-01|bulk");
}

TEST(CompanyApplierTest, RolledBackChangeLeavesNoSignal) {
  StoreFixture f;
  ASSERT_TRUE(f.applier().Begin().ok());
  ASSERT_TRUE(f.applier()
                  .Apply(f.decoder().Decode(
                      Stream(1, "2024-03-01T10:00:00Z", "00000003", "dissolved").Line()))
                  .ok());
  f.applier().Rollback();
  EXPECT_EQ(f.Count("signals"), 0);
  EXPECT_EQ(f.Count("status_changes"), 0);
}

TEST(CompanyApplierTest, CollectedSignalFollowsItsChange) {
  StoreFixture f(/*collect_changes=*/true);
  f.Apply(Stream(1, "2024-03-01T10:00:00Z", "00000003", "dissolved").Line());
  ASSERT_EQ(f.applier().committed_changes().size(), 1u);
  ASSERT_EQ(f.applier().committed_signals().size(), 1u);
  const Signal& s = f.applier().committed_signals()[0];
  EXPECT_EQ(s.signal, "dissolved");
  EXPECT_EQ(s.company_name, "ACME LTD");
  EXPECT_EQ(s.occurred_on, "2024-03-01");
  EXPECT_EQ(s.resource_uri, "/company/00000003");
}

}  // namespace
}  // namespace ch
