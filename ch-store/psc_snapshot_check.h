// PscSnapshotCheck: whether a PSC snapshot's import was complete, from the
// counts its snapshot_end line carries (README.md "Record formats"), and if
// not, what was missing, in words an operator reads in the log and in
// `ch-store status`.
//
// Complete means: the totals line was read, the lines received of each
// family (PSCs and beneficial owners, statements, exemptions) are what it
// announced, and no line was rejected. Lines of kinds ch-parse does not
// know are stored; whether Companies House counts a new kind in the totals
// line is unknown, so both readings are complete: the families match
// exactly (unknown lines not counted), or no family got more than
// announced and together they lack exactly the unknown lines (counted in
// their family). They are named when the import is short.
// Only a complete snapshot heals the gaps of the streams it covers: one
// that lost a part, or was cut before its totals line, may lack exactly the
// resources the gap lost.
#ifndef CH_STORE_PSC_SNAPSHOT_CHECK_H_
#define CH_STORE_PSC_SNAPSHOT_CHECK_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ch-store/record_decoder.h"

namespace ch {

// The streams whose resources a PSC snapshot holds, and so whose gaps a
// complete one heals.
inline constexpr std::array<std::string_view, 3> kPscSnapshotStreams = {
    "persons-with-significant-control", "persons-with-significant-control-statements",
    "company-exemptions"};

struct PscSnapshotVerdict {
  bool complete = false;
  // Incomplete: what was missing ("pscs 14,500,000 of 15,029,813; 3
  // rejected lines"); empty when complete.
  std::string missing;
};

// REQUIRES: e.psc_snapshot.
PscSnapshotVerdict CheckPscSnapshot(const SnapshotEndRecord& e);

// The lines of `stream`'s family the snapshot held (recorded as that
// stream's last_snapshot_rows).
int64_t PscSnapshotRowsOf(const SnapshotEndRecord& e, std::string_view stream);

// 15029813 -> "15,029,813".
std::string WithThousands(int64_t n);

}  // namespace ch

#endif  // CH_STORE_PSC_SNAPSHOT_CHECK_H_
