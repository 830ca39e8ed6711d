// PscSnapshotCheck: a PSC snapshot is complete only with its totals line,
// every family's count matching it, and no rejected line; otherwise the
// words say what was missing.
#include "ch-store/psc_snapshot_check.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

SnapshotEndRecord Matching() {
  SnapshotEndRecord e;
  e.stream = "persons-with-significant-control";
  e.as_of_date = "2026-12-05";
  e.psc_snapshot = true;
  e.expected = PscSnapshotExpected{15029813, 922564, 108};
  e.received.pscs = 15029813;
  e.received.statements = 922564;
  e.received.exemptions = 108;
  return e;
}

TEST(PscSnapshotCheckTest, MatchingCountsWithoutRejectsAreComplete) {
  const PscSnapshotVerdict v = CheckPscSnapshot(Matching());
  EXPECT_TRUE(v.complete);
  EXPECT_EQ(v.missing, "");
  // Lines of unknown kinds are stored, not compared.
  SnapshotEndRecord e = Matching();
  e.received.other = 3;
  EXPECT_TRUE(CheckPscSnapshot(e).complete);
  // ... or counted in their family: the families lack exactly them.
  e.received.pscs -= 2;
  e.received.statements -= 1;
  EXPECT_TRUE(CheckPscSnapshot(e).complete);
}

TEST(PscSnapshotCheckTest, UnknownKindsDoNotHideAShortOrLongFamily) {
  SnapshotEndRecord e = Matching();
  e.received.other = 3;
  e.received.pscs -= 2;  // lacks 2, not 0 or 3
  PscSnapshotVerdict v = CheckPscSnapshot(e);
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.missing, "pscs 15,029,811 of 15,029,813; 3 lines of unknown kinds");
  e = Matching();
  e.received.other = 1;
  e.received.pscs -= 2;
  e.received.exemptions += 1;  // lacks 1 in all, but exemptions got one too many
  v = CheckPscSnapshot(e);
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.missing,
            "pscs 15,029,811 of 15,029,813; exemptions 109 of 108; 1 line of unknown kinds");
}

TEST(PscSnapshotCheckTest, ShortFamiliesRejectsAndAMissingTotalsLineAreNamed) {
  SnapshotEndRecord e = Matching();
  e.received.pscs = 14500000;
  e.received.exemptions = 109;
  PscSnapshotVerdict v = CheckPscSnapshot(e);
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.missing, "pscs 14,500,000 of 15,029,813; exemptions 109 of 108");

  e = Matching();
  e.received.rejects = 1;
  e.received.other = 2;
  v = CheckPscSnapshot(e);
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.missing, "1 rejected line; 2 lines of unknown kinds");

  e = Matching();
  e.expected.reset();
  e.received.pscs = 500000;
  v = CheckPscSnapshot(e);
  EXPECT_FALSE(v.complete);
  EXPECT_EQ(v.missing,
            "totals line missing (received pscs 500,000, statements 922,564, exemptions 108)");
}

TEST(PscSnapshotCheckTest, RowsAreCountedPerStreamFamily) {
  const SnapshotEndRecord e = Matching();
  EXPECT_EQ(PscSnapshotRowsOf(e, "persons-with-significant-control"), 15029813);
  EXPECT_EQ(PscSnapshotRowsOf(e, "persons-with-significant-control-statements"), 922564);
  EXPECT_EQ(PscSnapshotRowsOf(e, "company-exemptions"), 108);
}

TEST(PscSnapshotCheckTest, ThousandsSeparators) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(15029813), "15,029,813");
  EXPECT_EQ(WithThousands(-1234), "-1,234");
}

}  // namespace
}  // namespace ch
