// SignalWriter: adds signals (signal.h) inside the transaction an
// ApplyTransaction owns, exactly once: `signals.signal_key` is unique and
// the insert is INSERT OR IGNORE, so the same filing re-published, the same
// insolvency case sent again, a replay or a restart adds nothing. Only new
// signals are counted and, with --emit-changes, collected for output after
// the commit. Both the company applier (status changes) and the resource
// applier (filings, insolvency cases) write through it.
#ifndef CH_STORE_SIGNAL_WRITER_H_
#define CH_STORE_SIGNAL_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "ch-store/apply_transaction.h"
#include "ch-store/record_decoder.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// The columns of one signal, as views valid for the call.
struct SignalFields {
  std::string_view signal;
  std::string_view key;     // unique: what makes it the same signal again
  std::string_view stream;  // of the record that gave it
  bool bulk = false;        // the record came from a snapshot
  OptText company_number;
  std::optional<int64_t> timepoint;
  OptText published_at;
  OptText occurred_on;
  OptText resource_uri;
  OptText detail;
  std::optional<int64_t> status_change_id;
  // The company's name when the caller knows it; else, when collecting, it
  // is read from `companies`.
  OptText company_name;
};

class SignalWriter {
 public:
  // `collect`: keep each new signal for --emit-changes. REQUIRES: `txn`
  // outliving the writer.
  static StatusOr<std::unique_ptr<SignalWriter>> Create(ApplyTransaction* txn, bool collect);
  SignalWriter(const SignalWriter&) = delete;
  SignalWriter& operator=(const SignalWriter&) = delete;

  // Adds the signal unless one with its key exists. True when it was new.
  // REQUIRES: txn->open().
  StatusOr<bool> Record(const SignalFields& f);

 private:
  SignalWriter(ApplyTransaction* txn, bool collect) : txn_(txn), collect_(collect) {}
  Status Prepare();
  // The stored name of `company_number`, for a collected signal.
  StatusOr<std::optional<std::string>> CompanyName(std::string_view company_number);

  ApplyTransaction* txn_;
  bool collect_;
  Statement insert_;
  Statement select_name_;
};

}  // namespace ch

#endif  // CH_STORE_SIGNAL_WRITER_H_
