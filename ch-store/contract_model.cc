// ContractModel: see contract_model.h.
#include "ch-store/contract_model.h"

#include <sstream>

namespace ch {

namespace {

using Text = ContractModel::Text;

Text Own(OptText text) {
  if (!text) return std::nullopt;
  return std::string(*text);
}

std::string Show(const Text& t) { return t ? "'" + *t + "'" : std::string("NULL"); }

}  // namespace

bool ContractModel::Company::operator==(const Company& o) const {
  return name == o.name && status == o.status && detail == o.detail && as_of == o.as_of &&
         source == o.source && deleted == o.deleted;
}

bool ContractModel::Change::operator==(const Change& o) const {
  return company_number == o.company_number && timepoint == o.timepoint &&
         published_at == o.published_at && old_status == o.old_status &&
         old_detail == o.old_detail && new_status == o.new_status && new_detail == o.new_detail &&
         source == o.source;
}

std::string ContractModel::Describe(const Company& c) {
  return "name " + Show(c.name) + ", status " + Show(c.status) + ", detail " + Show(c.detail) +
         ", as_of " + Show(c.as_of) + ", source " + c.source + ", deleted " +
         (c.deleted ? "1" : "0");
}

std::string ContractModel::Describe(const Change& c) {
  return c.company_number + " at " + (c.timepoint ? std::to_string(*c.timepoint) : "NULL") + " (" +
         Show(c.published_at) + "): " + Show(c.old_status) + "/" + Show(c.old_detail) + " -> " +
         Show(c.new_status) + "/" + Show(c.new_detail) + " " + c.source;
}

std::optional<int64_t> ContractModel::checkpoint(const std::string& stream) const {
  auto it = checkpoints_.find(stream);
  return it == checkpoints_.end() ? std::nullopt : it->second;
}

void ContractModel::Remember(const std::string& number) {
  auto it = companies_.find(number);
  undo_.companies.emplace_back(
      number, it == companies_.end() ? std::nullopt : std::optional<Company>(it->second));
}

void ContractModel::Apply(const CompanyRecord& c) {
  const std::string number(c.company_number);
  const std::string source = c.bulk ? "bulk" : "stream";
  if (!c.bulk) {
    const std::string stream(c.stream);
    std::optional<int64_t>& checkpoint = checkpoints_[stream];
    if (checkpoint && c.timepoint && *c.timepoint <= *checkpoint) return;  // seen already
    undo_.checkpoints.emplace(stream, checkpoint);  // keeps the first value of the transaction
    checkpoint = c.timepoint;
  }
  Remember(number);
  auto it = companies_.find(number);
  if (it == companies_.end()) {
    Company row;
    row.as_of = Own(c.as_of);
    row.source = source;
    row.deleted = c.deleted;
    if (!c.deleted) {
      row.name = Own(c.company_name);
      if (c.company_status) {
        row.status = Own(c.company_status);
        row.detail = Own(c.company_status_detail);
        // The stream's first sighting is a change; a snapshot is the baseline.
        if (!c.bulk) {
          changes_.push_back(Change{number, c.timepoint, Own(c.published_at), std::nullopt,
                                    std::nullopt, row.status, row.detail, source});
        }
      }
    }
    companies_.emplace(number, std::move(row));
    return;
  }
  Company& row = it->second;
  bool wins;
  if (!c.bulk) {
    // Stream against stream: the checkpoint already put them in order.
    wins = row.source == "stream" || !row.as_of || (c.as_of && std::string(*c.as_of) >= *row.as_of);
  } else {
    wins = !row.as_of || (c.as_of && std::string(*c.as_of) > *row.as_of);
  }
  if (!wins) return;
  if (c.deleted) {
    row.deleted = true;  // and nothing else
    return;
  }
  if (c.company_name) row.name = Own(c.company_name);
  row.as_of = Own(c.as_of);
  row.source = source;
  row.deleted = false;
  if (!c.company_status) return;  // the stored pair stays
  const Text status = Own(c.company_status);
  const Text detail = Own(c.company_status_detail);
  if (status == row.status && detail == row.detail) return;
  changes_.push_back(Change{number, c.bulk ? std::nullopt : c.timepoint,
                            c.bulk ? Own(c.as_of) : Own(c.published_at), row.status, row.detail,
                            status, detail, source});
  row.status = status;
  row.detail = detail;
}

void ContractModel::Commit() {
  undo_ = Undo();
  undo_.changes = changes_.size();
}

void ContractModel::Rollback() {
  for (auto it = undo_.companies.rbegin(); it != undo_.companies.rend(); ++it) {
    if (it->second) {
      companies_[it->first] = *it->second;
    } else {
      companies_.erase(it->first);
    }
  }
  for (const auto& [stream, before] : undo_.checkpoints) {
    if (before) {
      checkpoints_[stream] = before;
    } else {
      checkpoints_.erase(stream);
    }
  }
  changes_.resize(undo_.changes);
  undo_ = Undo();
  undo_.changes = changes_.size();
}

std::string ContractModel::CompareWith(SqliteDb* db) const {
  std::ostringstream diff;
  // Companies, by number.
  {
    StatusOr<Statement> stmt = db->Prepare(
        "SELECT company_number, company_name, company_status, company_status_detail, as_of, source,"
        " deleted FROM companies ORDER BY company_number");
    if (!stmt.ok()) return "query companies: " + stmt.status().ToString();
    auto want = companies_.begin();
    for (;;) {
      StatusOr<bool> row = stmt->Step();
      if (!row.ok()) return "read companies: " + row.status().ToString();
      if (!*row) break;
      const std::string number(stmt->ColumnText(0));
      Company got{stmt->ColumnOptionalText(1),      stmt->ColumnOptionalText(2),
                  stmt->ColumnOptionalText(3),      stmt->ColumnOptionalText(4),
                  std::string(stmt->ColumnText(5)), stmt->ColumnInt64(6) != 0};
      if (want == companies_.end() || want->first > number) {
        diff << "company " << number << " is in the database, not in the model: " << Describe(got);
        return diff.str();
      }
      if (want->first < number) {
        diff << "company " << want->first
             << " is missing from the database (model: " << Describe(want->second) << ")";
        return diff.str();
      }
      if (!(got == want->second)) {
        diff << "company " << number << ": database " << Describe(got) << "; model "
             << Describe(want->second);
        return diff.str();
      }
      ++want;
    }
    if (want != companies_.end()) {
      diff << "company " << want->first
           << " is missing from the database (model: " << Describe(want->second) << ")";
      return diff.str();
    }
  }
  // Status changes, in order.
  {
    StatusOr<Statement> stmt = db->Prepare(
        "SELECT company_number, timepoint, published_at, old_status, old_status_detail,"
        " new_status, new_status_detail, source FROM status_changes ORDER BY id");
    if (!stmt.ok()) return "query status_changes: " + stmt.status().ToString();
    size_t i = 0;
    for (;; ++i) {
      StatusOr<bool> row = stmt->Step();
      if (!row.ok()) return "read status_changes: " + row.status().ToString();
      if (!*row) break;
      Change got{std::string(stmt->ColumnText(0)), stmt->ColumnOptionalInt64(1),
                 stmt->ColumnOptionalText(2),      stmt->ColumnOptionalText(3),
                 stmt->ColumnOptionalText(4),      stmt->ColumnOptionalText(5),
                 stmt->ColumnOptionalText(6),      std::string(stmt->ColumnText(7))};
      if (i >= changes_.size()) {
        diff << "status change #" << i + 1 << " is not in the model: " << Describe(got);
        return diff.str();
      }
      if (!(got == changes_[i])) {
        diff << "status change #" << i + 1 << ": database " << Describe(got) << "; model "
             << Describe(changes_[i]);
        return diff.str();
      }
    }
    if (i < changes_.size()) {
      diff << "status change #" << i + 1
           << " is missing from the database: " << Describe(changes_[i]) << " ("
           << changes_.size() - i << " missing in all)";
      return diff.str();
    }
  }
  // Checkpoints.
  for (const auto& [stream, want] : checkpoints_) {
    StatusOr<Statement> stmt = db->Prepare("SELECT timepoint FROM stream_state WHERE stream = ?1");
    if (!stmt.ok()) return "query stream_state: " + stmt.status().ToString();
    Status s = stmt->BindText(1, stream);
    if (!s.ok()) return s.ToString();
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return "read stream_state: " + row.status().ToString();
    const std::optional<int64_t> got = *row ? stmt->ColumnOptionalInt64(0) : std::nullopt;
    if (got != want) {
      diff << "checkpoint of " << stream << ": database " << (got ? std::to_string(*got) : "none")
           << ", model " << (want ? std::to_string(*want) : "none");
      return diff.str();
    }
  }
  return std::string();
}

}  // namespace ch
