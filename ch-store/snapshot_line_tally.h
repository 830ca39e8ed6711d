// SnapshotLineTally: which resources the lines of one PSC snapshot import
// have named so far, to count the lines that named a resource again.
//
// ch-parse counts the lines it received of each family; the totals line says
// how many there should be. A part imported twice while another is missing
// gave the same counts, and the import healed the stream's gaps though a
// part's PSCs never arrived (an audit run). The completeness check therefore
// takes off the lines that named a resource an earlier line of the same
// snapshot named (the family of the table it goes to). One bit per resource
// id up to the largest one noted (resources.id: dense integers): under 2 MB
// for a first import of 15 million PSCs, about 6 MB in a database of 50
// million resources of every stream; the bits start afresh when the
// snapshot date changes.
#ifndef CH_STORE_SNAPSHOT_LINE_TALLY_H_
#define CH_STORE_SNAPSHOT_LINE_TALLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ch-store/record_decoder.h"

namespace ch {

class SnapshotLineTally {
 public:
  // A line of the snapshot of `as_of_date` named resource `id`, whose rows go
  // to `table` (none: a kind without a typed table).
  void Note(std::string_view as_of_date, int64_t id, std::optional<std::string_view> table);
  // The lines of the snapshot of `as_of_date` that named a resource again, by
  // family (rejects: 0).
  PscSnapshotReceived repeated(std::string_view as_of_date) const;

 private:
  std::string date_;
  std::vector<bool> seen_;  // by resource id
  PscSnapshotReceived repeated_;
};

}  // namespace ch

#endif  // CH_STORE_SNAPSHOT_LINE_TALLY_H_
