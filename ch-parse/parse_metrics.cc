// ParseMetrics: see parse_metrics.h.
#include "ch-parse/parse_metrics.h"

namespace ch {

ParseMetrics::ParseMetrics(std::string dir, std::chrono::milliseconds interval)
    // common/metrics.h rate-limits too; ours decides, so its limit is off.
    : metrics_(std::move(dir), "ch-parse", std::chrono::milliseconds(0)), interval_(interval) {}

uint64_t ParseMetrics::rejects() const {
  uint64_t total = 0;
  for (uint64_t n : rejects_) total += n;
  return total;
}

void ParseMetrics::Publish() {
  metrics_.Set("lines_total", static_cast<double>(lines_),
               "input lines read, blank heartbeat lines included");
  metrics_.Set("records_total", static_cast<double>(records_), "company records written");
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
  metrics_.Set("bulk_rows_total", static_cast<double>(bulk_rows_), "bulk CSV data rows read");
  metrics_.Set("input_bytes_total", static_cast<double>(input_bytes_), "bytes read from stdin");
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
