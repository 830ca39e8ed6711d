// Metrics: a few gauges and counters written as <program>.prom in
// CH_METRICS_DIR, in the Prometheus textfile-collector format, replaced
// atomically (write a temporary file, then rename) so node_exporter never
// reads half a file. Writing is rate-limited: callers may call
// MaybeWrite() on every record.
#ifndef CH_COMMON_METRICS_H_
#define CH_COMMON_METRICS_H_

#include <chrono>
#include <map>
#include <string>

#include "common/status.h"

namespace ch {

class Metrics {
 public:
  // `dir` empty: every call is a no-op. `program` becomes the file name and a
  // label ("ch-fetch" -> ch-fetch.prom, metric names prefixed "chstream_").
  Metrics(std::string dir, std::string program,
          std::chrono::milliseconds interval = std::chrono::milliseconds(2000));

  bool enabled() const { return !dir_.empty(); }

  // Sets a sample. `name` may carry labels: "reconnects_total{reason=\"stall\"}".
  void Set(const std::string& name, double value, const std::string& help = "");
  void Add(const std::string& name, double delta, const std::string& help = "");
  // Drops a sample (an info-style sample whose labels changed, for one).
  void Remove(const std::string& name);

  // Writes the file when at least `interval` has passed since the last write.
  Status MaybeWrite();
  // Writes the file now.
  Status Write();

 private:
  struct Sample {
    double value = 0;
    std::string help;
  };
  std::string dir_;
  std::string program_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_write_{};
  std::map<std::string, Sample> samples_;
};

}  // namespace ch

#endif  // CH_COMMON_METRICS_H_
