// SignalWriter: see signal_writer.h.
#include "ch-store/signal_writer.h"

#include <string>
#include <utility>

#include "ch-store/statement_binder.h"

namespace ch {

namespace {

std::optional<std::string> ToOptional(OptText text) {
  if (!text) return std::nullopt;
  return std::string(*text);
}

}  // namespace

StatusOr<std::unique_ptr<SignalWriter>> SignalWriter::Create(ApplyTransaction* txn, bool collect) {
  std::unique_ptr<SignalWriter> writer(new SignalWriter(txn, collect));
  Status s = writer->Prepare();
  if (!s.ok()) return s;
  return writer;
}

Status SignalWriter::Prepare() {
  StatusOr<Statement> insert = txn_->db()->Prepare(
      "INSERT OR IGNORE INTO signals(company_number, signal, stream, timepoint, published_at,"
      " occurred_on, resource_uri, detail, recorded_at, signal_key, status_change_id, source)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!insert.ok()) return insert.status();
  insert_ = std::move(insert).value();
  StatusOr<Statement> name =
      txn_->db()->Prepare("SELECT company_name FROM companies WHERE company_number = ?1");
  if (!name.ok()) return name.status();
  select_name_ = std::move(name).value();
  return Status::Ok();
}

StatusOr<bool> SignalWriter::Record(const SignalFields& f) {
  {
    ResetOnExit reset(&insert_);
    Binder b(&insert_);
    b.Text(1, f.company_number);
    b.Text(2, f.signal);
    b.Text(3, f.stream);
    b.Int(4, f.timepoint);
    b.Text(5, f.published_at);
    b.Text(6, f.occurred_on);
    b.Text(7, f.resource_uri);
    b.Text(8, f.detail);
    b.Text(9, txn_->Now());
    b.Text(10, f.key);
    b.Int(11, f.status_change_id);
    b.Text(12, f.bulk ? "bulk" : "stream");
    if (!b.status().ok()) return b.status();
    Status s = insert_.Run();
    if (!s.ok()) return s;
  }
  if (txn_->db()->Changes() == 0) return false;
  ++txn_->pending().signals;
  if (!collect_) return true;
  Signal signal;
  signal.id = txn_->db()->LastInsertRowId();
  signal.signal = std::string(f.signal);
  signal.stream = std::string(f.stream);
  signal.company_number = ToOptional(f.company_number);
  signal.company_name = ToOptional(f.company_name);
  if (!signal.company_name && f.company_number) {
    StatusOr<std::optional<std::string>> name = CompanyName(*f.company_number);
    if (!name.ok()) return name.status();
    signal.company_name = std::move(name).value();
  }
  signal.occurred_on = ToOptional(f.occurred_on);
  signal.published_at = ToOptional(f.published_at);
  signal.detail = ToOptional(f.detail);
  signal.resource_uri = ToOptional(f.resource_uri);
  signal.timepoint = f.timepoint;
  txn_->pending_signals().push_back(std::move(signal));
  return true;
}

StatusOr<std::optional<std::string>> SignalWriter::CompanyName(std::string_view company_number) {
  ResetOnExit reset(&select_name_);
  Status s = select_name_.BindText(1, company_number, false);
  if (!s.ok()) return s;
  StatusOr<bool> row = select_name_.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return select_name_.ColumnOptionalText(0);
}

}  // namespace ch
