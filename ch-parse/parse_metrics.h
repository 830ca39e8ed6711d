// ParseMetrics: what ch-parse reports in CH_METRICS_DIR/ch-parse.prom (the
// file is written by common/metrics.h, atomically, at most every few
// seconds). Counting is a plain increment, so it can sit on the per-line
// path; the names live here only:
//   chstream_lines_total                     input lines read (heartbeats included)
//   chstream_records_total                   records written (company and resource)
//   chstream_resource_records_total{table=T} resource records, by typed table
//                                            (T="none": a kind not in the kinds table)
//   chstream_rejects_total{reason=CLASS}     reject records, by class
//   chstream_control_lines_total             gap lines passed on, snapshot_end written
//   chstream_unknown_values_total{field=F}   company_status / type / resource_kind
//                                            texts not recognised
//   chstream_bulk_rows_total                 bulk CSV data rows read
//   chstream_input_bytes_total               bytes read from stdin
#ifndef CH_PARSE_PARSE_METRICS_H_
#define CH_PARSE_PARSE_METRICS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ch-parse/record_writer.h"
#include "ch-parse/resource_table.h"
#include "common/metrics.h"
#include "common/status.h"

namespace ch {

class ParseMetrics {
 public:
  // `dir` empty: nothing is written (counting still works). `stream` names
  // the file and labels the samples (common/metrics.h).
  explicit ParseMetrics(std::string dir, std::string stream = "companies",
                        std::chrono::milliseconds interval = std::chrono::milliseconds(2000));

  void CountLine() { ++lines_; }
  void CountRecord() { ++records_; }
  // A resource record (also counted by CountRecord's total) of `table`;
  // nullptr: its kind is not in the kinds table.
  void CountResourceRecord(const ResourceTable* table);
  void CountReject(RejectClass reject_class) { ++rejects_[static_cast<size_t>(reject_class)]; }
  void CountControlLine() { ++control_lines_; }
  void CountUnknownStatus() { ++unknown_status_; }
  void CountUnknownType() { ++unknown_type_; }
  void CountBulkRow() { ++bulk_rows_; }
  void SetInputBytes(uint64_t bytes) { input_bytes_ = bytes; }
  // How long the current write to stdout has waited for ch-store (0: none).
  void SetOutputBlocked(double seconds) { output_blocked_seconds_ = seconds; }
  bool enabled() const { return metrics_.enabled(); }

  uint64_t lines() const { return lines_; }
  uint64_t records() const { return records_; }
  // Resource records of `table` (nullptr: of unknown kinds).
  uint64_t resource_records(const ResourceTable* table) const;
  uint64_t rejects() const;
  uint64_t rejects(RejectClass reject_class) const {
    return rejects_[static_cast<size_t>(reject_class)];
  }
  uint64_t control_lines() const { return control_lines_; }
  uint64_t unknown_status() const { return unknown_status_; }
  uint64_t unknown_type() const { return unknown_type_; }
  uint64_t bulk_rows() const { return bulk_rows_; }

  // Writes the file when the interval has passed since the last write.
  Status MaybeWrite();
  // Writes the file now (at exit).
  Status Write();

 private:
  void Publish();

  Metrics metrics_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_write_{};
  bool written_ = false;
  double output_blocked_seconds_ = 0;
  uint64_t lines_ = 0;
  uint64_t records_ = 0;
  // The typed tables and, at the same index, their records; the last
  // counter is for kinds without a table.
  std::vector<const ResourceTable*> tables_;
  std::vector<uint64_t> resource_records_;
  uint64_t unknown_kind_ = 0;
  std::array<uint64_t, kRejectClassCount> rejects_{};
  uint64_t control_lines_ = 0;
  uint64_t unknown_status_ = 0;
  uint64_t unknown_type_ = 0;
  uint64_t bulk_rows_ = 0;
  uint64_t input_bytes_ = 0;
};

}  // namespace ch

#endif  // CH_PARSE_PARSE_METRICS_H_
