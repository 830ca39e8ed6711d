// WalWatch: tells when checkpoints stop resetting the write-ahead log, and
// why that most likely is.
//
// In WAL mode every commit appends to `<db>-wal`; a checkpoint copies the
// pages into the database, and SQLite starts the WAL afresh at the next
// write (the file is then cut back to journal_size_limit). A checkpoint
// cannot copy a page that a reader's open transaction may still need, and
// the WAL cannot start afresh while any reader uses it: one `sqlite3`
// session that leaves a read transaction open (a BEGIN, a paused query, a
// dashboard, an online backup) lets the WAL grow without end. In the test
// run of issue 16 one such session grew it to 1.68 GB (16 times the
// database) in 60 s of a catch-up, and nothing said so. SQLite cannot be
// made to checkpoint past a reader, so the fix is to say so: a metric, a
// warn line naming the likely cause, and a `ch-store status` problem
// (wal_health.h).
//
// The watch samples the -wal file: its size, and the checkpoint sequence
// number in its header, which SQLite increments each time it starts the WAL
// afresh (so a reset between two samples, by this writer or another one,
// is never missed). A checkpoint is due once the WAL is as large as the
// checkpoint thread's start threshold; trouble is a checkpoint due for
// longer than Options::warn_seconds without a reset, or a WAL file larger
// than Options::warn_bytes. The judgement (Observe) is pure; Poll reads
// the file, logs and sets the metrics.
#ifndef CH_STORE_WAL_WATCH_H_
#define CH_STORE_WAL_WATCH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/metrics.h"
#include "common/status.h"

namespace ch {

/// What the -wal file shows.
struct WalFileState {
  /// The file's size in bytes (0 when there is no file).
  int64_t bytes = 0;
  /// The checkpoint sequence number of its header; unset when the file is
  /// missing, shorter than a header, or not a WAL.
  std::optional<uint32_t> generation;
};

// Reads the size and header of the WAL file at `path` (`<db>-wal`). A
// missing file is an empty state, not an error.
StatusOr<WalFileState> ReadWalFileState(const std::string& path);

// The WAL file's size in bytes of a WAL of `frames` frames of `page_size`
// bytes: a 32-byte header, then each page with its 24-byte frame header.
int64_t WalBytesForFrames(int64_t frames, int64_t page_size);

// A size for people: "1.68 GB", "212.4 MB", "64 kB", "0 bytes" (decimal units).
std::string FormatByteSize(int64_t bytes);

class WalWatch {
 public:
  struct Options {
    /// WAL size (bytes) from which a checkpoint is due: the checkpoint
    /// thread's start threshold (WalBytesForFrames(start_frames, ...)).
    int64_t due_bytes = 0;
    /// Trouble: a checkpoint due this long without a reset (a checkpoint
    /// of a full WAL takes a few seconds; 30 s is none completing)...
    int warn_seconds = 30;
    /// ... or a WAL file larger than this: 1 GB, past anything checkpoints
    /// allow (the writer checkpoints itself at ~600 MB).
    int64_t warn_bytes = 1000000000;
    /// While in trouble, a warn line at most this often.
    double repeat_seconds = 60;
    /// Poll reads the file at most this often.
    double poll_seconds = 0.25;
  };

  enum class Verdict {
    kQuiet,      // nothing to say
    kWarn,       // in trouble: log a warn line now
    kRecovered,  // was in trouble and warned, no longer is
  };

  // `wal_path` is `<db>-wal`; `metrics` (not owned, may be disabled) gets
  // chstream_wal_bytes, chstream_wal_checkpoint_due_seconds and
  // chstream_wal_resets_total.
  WalWatch(std::string wal_path, Metrics* metrics, const Options& options);

  // Judges one sample taken at `now` (seconds on a steady clock). Pure:
  // no clock, no file.
  Verdict Observe(const WalFileState& state, double now);

  // Reads the file (at most every poll_seconds), judges it, logs a warn
  // line (or an info line once it recovers) and sets the metrics. Call after
  // each commit and while idle. A file that cannot be read is skipped.
  void Poll();

  int64_t wal_bytes() const { return bytes_; }
  // Seconds a checkpoint has been due without a reset at `now`; 0 when
  // none is due.
  double checkpoint_due_seconds(double now) const;
  // Seconds since the WAL was last seen reset (or since the first sample).
  double not_reset_seconds(double now) const;
  uint64_t resets() const { return resets_; }
  bool in_trouble() const { return warned_; }

 private:
  bool Trouble(double now) const;

  std::string wal_path_;
  Metrics* metrics_;
  Options options_;
  bool started_ = false;
  std::optional<uint32_t> generation_;
  int64_t bytes_ = 0;
  double reset_at_ = 0;                 // last reset seen, or the first sample
  std::optional<double> due_since_;     // the WAL reached due_bytes then
  double previous_reset_interval_ = 0;  // between the last two resets seen
  uint64_t resets_ = 0;
  bool warned_ = false;
  double warned_at_ = 0;
  std::optional<double> last_poll_;
};

}  // namespace ch

#endif  // CH_STORE_WAL_WATCH_H_
