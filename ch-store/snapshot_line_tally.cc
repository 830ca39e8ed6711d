// SnapshotLineTally: see snapshot_line_tally.h.
#include "ch-store/snapshot_line_tally.h"

namespace ch {

void SnapshotLineTally::Note(std::string_view as_of_date, int64_t id,
                             std::optional<std::string_view> table) {
  if (id < 0) return;
  if (as_of_date != date_) {
    date_.assign(as_of_date);
    seen_.clear();
    repeated_ = PscSnapshotReceived();
  }
  const auto bit = static_cast<size_t>(id);
  if (bit >= seen_.size()) seen_.resize(bit + bit / 2 + 1024, false);
  if (!seen_[bit]) {
    seen_[bit] = true;
    return;
  }
  // The families of ch-parse's counts (psc_snapshot_parser.cc), by table.
  if (!table) {
    ++repeated_.other;
  } else if (*table == "psc_statements") {
    ++repeated_.statements;
  } else if (*table == "company_exemptions") {
    ++repeated_.exemptions;
  } else {
    ++repeated_.pscs;
  }
}

PscSnapshotReceived SnapshotLineTally::repeated(std::string_view as_of_date) const {
  return as_of_date == date_ ? repeated_ : PscSnapshotReceived();
}

}  // namespace ch
