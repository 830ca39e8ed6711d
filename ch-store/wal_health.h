// WalHealth: what `ch-store status` says about the write-ahead log. A WAL
// that checkpoints cannot reset grows without end, and the likely cause is
// a reader holding a transaction open (wal_watch.h says why). status sees
// it two ways: the size of the `<db>-wal` file, which needs nothing but the
// database path, and, with a metrics directory, how long ch-store has found
// a checkpoint due without the WAL being reset
// (chstream_wal_checkpoint_due_seconds in ch-store's .prom files). The
// thresholds are the write path's (WritePathLimits: wal_warn_seconds,
// wal_warn_bytes), the ones ch-store's warn line uses.
#ifndef CH_STORE_WAL_HEALTH_H_
#define CH_STORE_WAL_HEALTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ch-store/write_path_limits.h"

namespace ch {

struct WalHealth {
  /// The -wal file's size (0 when there is none: no writer has the
  /// database open); unset when it cannot be read.
  std::optional<int64_t> wal_bytes;
  /// The longest time a running ch-store has found a checkpoint due without
  /// the WAL being reset (its .prom rewritten within the last 30 s, the
  /// file's age added); unset without a metrics directory or such a file.
  std::optional<double> checkpoint_due_seconds;
  int warn_seconds = 30;
  int64_t warn_bytes = 1000000000;
};

// Reads the -wal file of `db` and, when `metrics_dir` is not empty, the
// ch-store.prom and ch-store-<stream>.prom files there. Never fails: what
// cannot be read stays unset.
WalHealth ReadWalHealth(const std::string& db, const std::string& metrics_dir,
                        const WritePathLimits& limits);

// The largest chstream_wal_checkpoint_due_seconds among the texts of
// ch-store .prom files, each given with its age in seconds; files older
// than `stale_seconds` are skipped. Pure.
struct PromText {
  std::string text;
  double age_seconds = 0;
};
std::optional<double> LargestCheckpointDue(const std::vector<PromText>& files,
                                           double stale_seconds);

// The status problem, naming the likely cause; unset when the WAL is fine.
std::optional<std::string> WalProblem(const WalHealth& wal);

// Appends `,"wal_bytes":N,"wal_checkpoint_due_seconds":N` (null when unset).
void AppendWalHealthJson(std::string* out, const WalHealth& wal);

}  // namespace ch

#endif  // CH_STORE_WAL_HEALTH_H_
