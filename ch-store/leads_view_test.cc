// The leads view (migrations/0005_leads_from_signals.sql): which signals
// are leads (the kinds a lead team sells, unless history: dated more than 30
// days before they were published), and the people to contact with each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ch-store/test_records.h"
#include "ch-store/test_resources.h"

namespace ch {
namespace {

using testing_records::Filing;
using testing_records::Insolvency;
using testing_records::Officer;
using testing_records::Psc;
using testing_records::StoreFixture;
using testing_records::TestResource;

TEST(LeadsViewTest, AFilingDatedMoreThanThirtyDaysBeforeItWasPublishedIsNoLead) {
  StoreFixture f;
  f.ApplyAll({
      // 30 days before publication: a lead.
      Filing(1, "2024-05-31T09:00:00Z", "00000001", "A", "DS01", "2024-05-01").Line(),
      // 31 days: history (an old GAZ1(A) re-published).
      Filing(2, "2024-06-01T09:00:00Z", "00000002", "B", "GAZ1(A)", "2024-05-01").Line(),
      // No date: a lead.
      Filing(3, "2024-06-01T09:00:00Z", "00000003", "C", "GAZ2", std::nullopt).Line(),
      // A halt is a signal, not a lead.
      Filing(4, "2024-06-01T09:00:00Z", "00000004", "D", "DS02", "2024-06-01").Line(),
  });
  EXPECT_EQ(f.Count("signals"), 4);
  EXPECT_EQ(f.Rows("SELECT id, signal, company_number, occurred_on FROM leads ORDER BY id"),
            (std::vector<std::string>{"1|strike-off-applied|00000001|2024-05-01",
                                      "3|dissolved|00000003|NULL"}));
}

TEST(LeadsViewTest, ASignalWithoutPublicationDateIsALead) {
  StoreFixture f;
  TestResource r = Filing(1, "2024-06-01T09:00:00Z", "00000001", "A", "GAZ1", "2001-01-01");
  r.published_at.reset();
  r.as_of.reset();
  f.Apply(r.Line());
  EXPECT_EQ(f.One("SELECT signal, published_at FROM leads"), "strike-off-gazetted|NULL");
}

TEST(LeadsViewTest, InsolvencyLeadsAreLiquidationAdministrationAndReceivershipOnly) {
  StoreFixture f;
  f.Apply(Insolvency(1, "2024-06-02T00:00:00Z", "00000001",
                     {{"1", "members-voluntary-liquidation", "2024-06-01"},
                      {"2", "in-administration", "2024-06-01"},
                      {"3", "compulsory-liquidation", std::nullopt}})
              .Line());
  EXPECT_EQ(f.Count("signals"), 3);
  EXPECT_EQ(f.Rows("SELECT signal, detail FROM leads ORDER BY id"),
            (std::vector<std::string>{"administration|in-administration",
                                      "liquidation|compulsory-liquidation"}));
}

TEST(LeadsViewTest, EachLeadNamesTheCurrentOfficersAndPscs) {
  StoreFixture f;
  TestResource deleted_officer = Officer(4, "00000001", "a4", "GONE, Deleted", "director");
  deleted_officer.event_type = "deleted";
  TestResource deleted_psc = Psc(15, "00000001", "company-psc-individual", "p5", "Deleted Psc");
  deleted_psc.event_type = "deleted";
  f.ApplyAll({
      testing_records::Stream(1, "2024-01-01T00:00:00Z", "00000001").Line(),
      Officer(1, "00000001", "a2", "SMITH, John", "director").Line(),
      Officer(2, "00000001", "a1", "JONES, Ann", "secretary").Line(),
      Officer(3, "00000001", "a3", "OLD, Resigned", "director", "2020-01-01").Line(),
      deleted_officer.Line(),
      Officer(5, "00000002", "b1", "OTHER, Company", "director").Line(),
      Psc(11, "00000001", "company-psc-individual", "p1", "Mr John Smith").Line(),
      Psc(12, "00000001", "company-psc-corporate", "p2", "HOLDINGS LTD").Line(),
      Psc(13, "00000001", "company-psc-supersecure", "p3", std::nullopt).Line(),
      Psc(14, "00000001", "company-psc-individual", "p4", "Ceased Person", "2023-01-01").Line(),
      deleted_psc.Line(),
      Psc(16, "00000001", "individual-beneficial-owner", "p6", "Owner", std::nullopt, 1).Line(),
      Psc(17, "00000001", "individual-beneficial-owner", "p7", "Abroad", std::nullopt, 0).Line(),
      Filing(1, "2024-06-01T09:00:00Z", "00000001", "A", "DS01", "2024-06-01").Line(),
  });
  EXPECT_EQ(f.One("SELECT company_name, officers, pscs FROM leads"),
            "ACME LTD|JONES, Ann (secretary); SMITH, John (director)|"
            "(protected) (supersecure); Abroad (individual-beneficial-owner); "
            "HOLDINGS LTD (corporate); Mr John Smith (individual)");
}

TEST(LeadsViewTest, NoOfficersOrPscsIsNull) {
  StoreFixture f;
  f.Apply(Filing(1, "2024-06-01T09:00:00Z", "00000001", "A", "DS01", "2024-06-01").Line());
  EXPECT_EQ(f.One("SELECT company_name, officers, pscs, new_status, changed_at FROM leads"),
            "NULL|NULL|NULL|NULL|2024-06-01T09:00:00Z");
}

}  // namespace
}  // namespace ch
