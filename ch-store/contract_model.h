// ContractModel: DESIGN.md's rules for applying company records, written a
// second time from the contract alone, as the reference RecordApplier is
// compared with (the differential unit tests and record_applier_fuzz.cc).
//
// It keeps, in plain maps, what the tables must hold: one row per company
// (name, status pair, as_of, source, deleted mark), every status change in
// the order it happened, and a checkpoint per stream. The rules it models:
//
//  * dedupe: a stream record whose timepoint is not above its stream's
//    checkpoint changes nothing; any other stream record moves it;
//  * newest state wins: among stream records the timepoint (so the later
//    record); between a snapshot state and anything else as_of, a tie to the
//    stream; a snapshot replaces only a strictly older state;
//  * status changes: one row exactly when the stored (status, detail) pair
//    changes; a stream first sighting with a status is a change from
//    (NULL, NULL); a snapshot first sighting is the baseline (none); a
//    record without a status leaves the stored pair as it is (for a new
//    company: no status, no detail); a change found by a snapshot has source
//    bulk, no timepoint, and the snapshot's as_of as its published_at;
//  * deletes: a `deleted` record only sets the mark (creating a row with no
//    name and no status for an unknown company) and writes no change; a
//    later winning `changed` record clears it;
//  * an absent name keeps the stored one;
//  * transactions: Rollback() forgets everything since the last Commit().
//
// It shares no code with the applier: a bug there is not a bug here too.
// Used by tests only (it is not part of the ch-store binary).
#ifndef CH_STORE_CONTRACT_MODEL_H_
#define CH_STORE_CONTRACT_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ch-store/record_decoder.h"
#include "common/sqlite_db.h"

namespace ch {

class ContractModel {
 public:
  using Text = std::optional<std::string>;

  struct Company {
    Text name;
    Text status;
    Text detail;
    Text as_of;
    std::string source;  // "stream" or "bulk"
    bool deleted = false;
    bool operator==(const Company& o) const;
  };

  struct Change {
    std::string company_number;
    std::optional<int64_t> timepoint;
    Text published_at;
    Text old_status;
    Text old_detail;
    Text new_status;
    Text new_detail;
    std::string source;
    bool operator==(const Change& o) const;
  };

  // Applies a company record to the open transaction.
  void Apply(const CompanyRecord& c);
  void Commit();
  void Rollback();

  // The committed state (or the open transaction's, before Commit()).
  const std::map<std::string, Company>& companies() const { return companies_; }
  const std::vector<Change>& changes() const { return changes_; }
  std::optional<int64_t> checkpoint(const std::string& stream) const;

  // Compares the model with the tables of `db` (companies, status_changes in
  // id order, stream_state): empty when they agree, else a description of
  // the first difference.
  std::string CompareWith(SqliteDb* db) const;

  static std::string Describe(const Company& c);
  static std::string Describe(const Change& c);

 private:
  // What Rollback() needs to undo the open transaction.
  struct Undo {
    std::vector<std::pair<std::string, std::optional<Company>>> companies;  // before, in order
    std::map<std::string, std::optional<int64_t>> checkpoints;              // before, first touch
    size_t changes = 0;
  };
  void Remember(const std::string& number);

  std::map<std::string, Company> companies_;
  std::vector<Change> changes_;
  std::map<std::string, std::optional<int64_t>> checkpoints_;
  Undo undo_;
};

}  // namespace ch

#endif  // CH_STORE_CONTRACT_MODEL_H_
