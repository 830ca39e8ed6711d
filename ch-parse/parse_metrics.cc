// ParseMetrics: see parse_metrics.h.
#include "ch-parse/parse_metrics.h"

#include "ch-parse/resource_kinds.h"

namespace ch {

ParseMetrics::ParseMetrics(std::string dir, std::string stream, std::chrono::milliseconds interval)
    // common/metrics.h rate-limits too; ours decides, so its limit is off.
    : metrics_(std::move(dir), "ch-parse", std::move(stream), std::chrono::milliseconds(0)),
      interval_(interval),
      tables_(AllResourceTables()),
      resource_records_(tables_.size() + 1, 0) {}

void ParseMetrics::CountResourceRecord(const ResourceTable* table) {
  ++records_;
  size_t i = 0;
  while (i < tables_.size() && tables_[i] != table) ++i;
  ++resource_records_[i];  // i == tables_.size(): no table
  if (table == nullptr) ++unknown_kind_;
}

uint64_t ParseMetrics::resource_records(const ResourceTable* table) const {
  size_t i = 0;
  while (i < tables_.size() && tables_[i] != table) ++i;
  return resource_records_[i];
}

uint64_t ParseMetrics::rejects() const {
  uint64_t total = 0;
  for (uint64_t n : rejects_) total += n;
  return total;
}

void ParseMetrics::Publish() {
  metrics_.Set("lines_total", static_cast<double>(lines_),
               "input lines read, blank heartbeat lines included");
  metrics_.Set("records_total", static_cast<double>(records_),
               "records written (company and resource)");
  for (size_t i = 0; i <= tables_.size(); ++i) {
    const std::string_view table = i < tables_.size() ? tables_[i]->name : "none";
    metrics_.Set("resource_records_total{table=\"" + std::string(table) + "\"}",
                 static_cast<double>(resource_records_[i]),
                 "resource records written, by typed table (none: a kind without one)");
  }
  for (int i = 0; i < kRejectClassCount; ++i) {
    metrics_.Set("rejects_total{reason=\"" +
                     std::string(RejectClassLabel(static_cast<RejectClass>(i))) + "\"}",
                 static_cast<double>(rejects_[i]), "reject records written, by class of reason");
  }
  metrics_.Set("control_lines_total", static_cast<double>(control_lines_),
               "control lines written (gap passed on, snapshot_end)");
  metrics_.Set("unknown_values_total{field=\"company_status\"}",
               static_cast<double>(unknown_status_),
               "status or category texts not recognised (kept raw, key null)");
  metrics_.Set("unknown_values_total{field=\"type\"}", static_cast<double>(unknown_type_));
  metrics_.Set("unknown_values_total{field=\"resource_kind\"}", static_cast<double>(unknown_kind_));
  metrics_.Set("bulk_rows_total", static_cast<double>(bulk_rows_), "bulk CSV data rows read");
  metrics_.Set("input_bytes_total", static_cast<double>(input_bytes_), "bytes read from stdin");
  metrics_.Set(
      "output_blocked_seconds", output_blocked_seconds_,
      "seconds the current write to stdout has waited for the next stage to read (0: not blocked)");
}

Status ParseMetrics::MaybeWrite() {
  if (!metrics_.enabled()) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (written_ && now - last_write_ < interval_) return Status::Ok();
  return Write();
}

Status ParseMetrics::Write() {
  if (!metrics_.enabled()) return Status::Ok();
  last_write_ = std::chrono::steady_clock::now();
  written_ = true;
  Publish();
  return metrics_.Write();
}

}  // namespace ch
