// Metrics: a few gauges and counters written as <program>.prom (the stream
// companies) or <program>-<stream>.prom (any other stream) in
// CH_METRICS_DIR, in the Prometheus textfile-collector format, replaced
// atomically (write a temporary file, then rename) so node_exporter never
// reads half a file. Every sample carries program="..." and stream="..."
// labels, so the chains of several streams never make duplicate series.
// Writing is rate-limited: callers may call MaybeWrite() on every record.
#ifndef CH_COMMON_METRICS_H_
#define CH_COMMON_METRICS_H_

#include <chrono>
#include <map>
#include <string>

#include "common/status.h"

namespace ch {

// "ch-fetch.prom" for the stream companies (the name from before there were
// several streams), "ch-fetch-filings.prom" for filings.
std::string MetricsFileName(const std::string& program, const std::string& stream);

class Metrics {
 public:
  // `dir` empty: every call is a no-op. `program` and `stream` make the file
  // name (MetricsFileName) and labels; metric names are prefixed "chstream_".
  Metrics(std::string dir, std::string program, std::string stream = "companies",
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
  std::string stream_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_write_{};
  std::map<std::string, Sample> samples_;
};

}  // namespace ch

#endif  // CH_COMMON_METRICS_H_
