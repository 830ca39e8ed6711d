// Fuzz target: ch-store's applier against the contract. The input is a
// program of 3-byte operations, each a company record, a commit or a
// rollback; the records go as normalized record lines through RecordDecoder
// into RecordApplier (its public API, on an in-memory database, with a
// state cache of 4 companies so that it starts afresh every few records)
// and into ContractModel (contract_model.h: DESIGN.md's rules written
// again). After every commit the tables must be exactly what the model
// says: the companies, every status change in order, the checkpoints.
//
// An operation (bytes b0 b1 b2):
//   b0 % 16: 0-10 a stream record, 11-12 a snapshot row, 13-14 commit,
//            15 rollback;
//   b0 / 16: 13 the timepoint goes back (a duplicate or an older event),
//            14 no company name, 15 a `deleted` event;
//   b1: the company (b1 % 12), the stream (b1 & 0x40: a second stream with
//       its own checkpoint), a timepoint gap (b1 & 0x80);
//   b2: the status (b2 % 8, 0 and 7: none), the detail ((b2 / 8) % 4), the
//       day of published_at or of the snapshot ((b2 / 32) % 4, so that
//       stream and snapshot states tie).
// A program is committed at its end; only its first 256 operations count.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "ch-store/contract_model.h"
#include "ch-store/migrator.h"
#include "ch-store/record_applier.h"
#include "ch-store/record_decoder.h"
#include "common/json.h"
#include "common/sqlite_db.h"

namespace ch {
namespace {

constexpr size_t kCompanies = 12;
constexpr size_t kStateCacheEntries = 4;
const char* const kStatuses[8] = {
    nullptr,          "active",       "dissolved",        "liquidation",
    "administration", "receivership", "converted-closed", nullptr};
const char* const kDetails[4] = {nullptr, nullptr, "active-proposal-to-strike-off",
                                 "petition-to-restore-dissolved"};

void Text(std::string* out, const char* key, const std::optional<std::string>& value) {
  out->append(",\"").append(key).append("\":");
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out->append("null");
  }
}

// One normalized company record, as ch-parse writes it (README.md).
struct RecordSpec {
  std::string stream = "companies";
  bool bulk = false;
  bool deleted = false;
  std::optional<int64_t> timepoint;
  std::optional<std::string> published_at;
  std::string as_of;
  std::string number;
  std::optional<std::string> name;
  std::optional<std::string> status;
  std::optional<std::string> detail;

  std::string Line() const {
    std::string s = "{\"kind\":\"company\"";
    Text(&s, "stream", stream);
    Text(&s, "source", std::string(bulk ? "bulk" : "stream"));
    s += ",\"timepoint\":" + (timepoint ? std::to_string(*timepoint) : std::string("null"));
    Text(&s, "published_at", published_at);
    Text(&s, "as_of", as_of);
    Text(&s, "event_type", std::string(deleted ? "deleted" : "changed"));
    Text(&s, "company_number", number);
    Text(&s, "company_name", name);
    Text(&s, "company_status", status);
    Text(&s, "company_status_detail", detail);
    Text(&s, "company_status_raw", status);
    s += ",\"type\":\"ltd\",\"registered_office_address\":{},\"sic_codes\":[]";
    s += ",\"data\":{\"company_number\":\"" + number + "\"}}";
    return s;
  }
};

std::optional<std::string> Opt(const char* text) {
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

[[noreturn]] void Fail(const std::string& what, const std::string& log) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n  operations:\n%s", what.c_str(), log.c_str());
  std::abort();
}

void Check(bool ok, const std::string& what, const Status& s, const std::string& log) {
  if (!ok) Fail(what + ": " + s.ToString(), log);
}

// The migrated database, made once: each input starts from its empty tables
// (migrating for every input made the target five times slower).
SqliteDb* EmptyDatabase() {
  static SqliteDb* db = [] {
    StatusOr<Migrator> migrator = Migrator::Embedded();
    StatusOr<SqliteDb> opened = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
    if (!migrator.ok() || !opened.ok()) std::abort();
    auto* made = new SqliteDb(std::move(opened).value());
    if (!migrator->MigrateTo(made, migrator->latest()).ok()) std::abort();
    return made;
  }();
  if (!db->Exec("DELETE FROM companies; DELETE FROM status_changes; DELETE FROM stream_state;"
                " DELETE FROM gaps; DELETE FROM rejects;")
           .ok()) {
    std::abort();
  }
  return db;
}

class Run {
 public:
  // A new applier each time: nothing it remembers outlives one input.
  Run() : db_(EmptyDatabase()) {
    RecordApplier::Options options;
    options.state_cache_entries = kStateCacheEntries;
    StatusOr<std::unique_ptr<RecordApplier>> applier = RecordApplier::Create(db_, options);
    if (!applier.ok()) std::abort();
    applier_ = std::move(applier).value();
  }
  ~Run() { applier_.reset(); }

  void Operation(uint8_t b0, uint8_t b1, uint8_t b2) {
    const int op = b0 % 16;
    if (op >= 13) {
      if (!applier_->in_transaction()) return;
      if (op == 15) {
        log_ += "  rollback\n";
        applier_->Rollback();
        model_.Rollback();
      } else {
        Commit();
      }
      return;
    }
    RecordSpec r;
    r.bulk = op >= 11;
    char number[16];
    std::snprintf(number, sizeof number, "%08zu", static_cast<size_t>(b1 % kCompanies));
    r.number = number;
    r.status = Opt(kStatuses[b2 % 8]);
    r.detail = Opt(kDetails[(b2 / 8) % 4]);
    const std::string day = "2024-01-0" + std::to_string(1 + (b2 / 32) % 4);
    r.name = "COMPANY " + r.number;
    if (r.bulk) {
      r.as_of = day + "T00:00:00Z";
    } else {
      const int flags = b0 / 16;
      r.stream = (b1 & 0x40) ? "other" : "companies";
      int64_t& last = (b1 & 0x40) ? last_other_ : last_companies_;
      if (flags == 13) {
        r.timepoint = last - (b1 >> 4) % 4;  // at or below the checkpoint
      } else {
        last += (b1 & 0x80) ? 7 : 1;
        r.timepoint = last;
      }
      if (flags == 14) r.name.reset();
      r.deleted = flags == 15;
      r.published_at = day + "T00:00:0" + std::to_string(b1 % 2) + "Z";
      r.as_of = *r.published_at;
    }
    const std::string line = r.Line();
    log_ += "  " + line + "\n";
    if (!applier_->in_transaction()) {
      Status s = applier_->Begin();
      Check(s.ok(), "Begin", s, log_);
    }
    const Record& record = decoder_.Decode(line);
    if (record.kind != RecordKind::kCompany) Fail("not a company record: " + line, log_);
    Status s = applier_->Apply(record);
    Check(s.ok(), "Apply", s, log_);
    model_.Apply(record.company);
  }

  void Commit() {
    if (!applier_->in_transaction()) return;
    log_ += "  commit\n";
    Status s = applier_->Commit();
    Check(s.ok(), "Commit", s, log_);
    model_.Commit();
    const std::string diff = model_.CompareWith(db_);
    if (!diff.empty()) Fail("the database is not what the contract says: " + diff, log_);
  }

 private:
  SqliteDb* db_;
  std::unique_ptr<RecordApplier> applier_;
  RecordDecoder decoder_{"companies"};
  ContractModel model_;
  int64_t last_companies_ = 100;
  int64_t last_other_ = 100;
  std::string log_;
};

}  // namespace
}  // namespace ch

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Longer programs find nothing a shorter one would not, only slower: the
  // cache of 4 starts afresh every few records.
  if (size > 3 * 256) size = 3 * 256;
  ch::Run run;
  for (size_t i = 0; i + 3 <= size; i += 3) run.Operation(data[i], data[i + 1], data[i + 2]);
  run.Commit();
  return 0;
}
