#include "ch-store/snapshot_line_tally.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(SnapshotLineTallyTest, CountsTheLinesThatNamedAResourceAgainByFamily) {
  SnapshotLineTally tally;
  tally.Note("2026-12-05", 1, "pscs");
  tally.Note("2026-12-05", 2, "psc_statements");
  tally.Note("2026-12-05", 3, "company_exemptions");
  tally.Note("2026-12-05", 4, std::nullopt);
  EXPECT_EQ(tally.repeated("2026-12-05").pscs, 0);
  tally.Note("2026-12-05", 1, "pscs");
  tally.Note("2026-12-05", 1, "pscs");
  tally.Note("2026-12-05", 2, "psc_statements");
  tally.Note("2026-12-05", 3, "company_exemptions");
  tally.Note("2026-12-05", 4, std::nullopt);
  const PscSnapshotReceived r = tally.repeated("2026-12-05");
  EXPECT_EQ(r.pscs, 2);
  EXPECT_EQ(r.statements, 1);
  EXPECT_EQ(r.exemptions, 1);
  EXPECT_EQ(r.other, 1);
  EXPECT_EQ(tally.repeated("2026-12-06").pscs, 0);
}

TEST(SnapshotLineTallyTest, StartsAfreshForAnotherSnapshotAndGrowsPastAnyId) {
  SnapshotLineTally tally;
  tally.Note("2026-12-05", 5, "pscs");
  tally.Note("2026-12-06", 5, "pscs");  // another snapshot: not a repeat
  EXPECT_EQ(tally.repeated("2026-12-06").pscs, 0);
  EXPECT_EQ(tally.repeated("2026-12-05").pscs, 0);  // forgotten
  // Ids far past the bits held so far, many times over.
  for (int64_t id = 1; id <= 3000000; id += 997) tally.Note("2026-12-06", id, "pscs");
  for (int64_t id = 1; id <= 3000000; id += 997) tally.Note("2026-12-06", id, "pscs");
  EXPECT_EQ(tally.repeated("2026-12-06").pscs, 3000000 / 997 + 1);
}

}  // namespace
}  // namespace ch
