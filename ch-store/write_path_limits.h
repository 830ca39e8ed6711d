// WritePathLimits: every bound of ch-store's write path in one place, with
// its release default, and CH_TEST_LIMITS to make them small.
//
// The write path holds bounded structures whose edges are where bugs hide:
// the remembered-state cache starts afresh when full (issue 13 was there),
// a transaction commits at so many records, a checkpoint starts at so many
// WAL frames, the reading thread runs so many slots ahead. At their release
// sizes a test reaches them only with hundreds of thousands of events; with
// CH_TEST_LIMITS it reaches them every few records, so the unit and
// end-to-end tests can run far past every bound, many times over, and
// compare with tests/oracle.py. The release defaults themselves are
// exercised by one full-size end-to-end test (38_store_bounds.sh).
//
// CH_TEST_LIMITS is for tests only (README.md, Development): a comma-separated
// list of name=value, e.g. "state_cache_entries=64,stream_batch_records=7".
// An unknown name or a value that is not a positive integer is a
// configuration error (exit 78); ch-store logs a warning when it is set.
#ifndef CH_STORE_WRITE_PATH_LIMITS_H_
#define CH_STORE_WRITE_PATH_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace ch {

struct WritePathLimits {
  /// Companies the remembered-state cache holds (CompanyStateCache).
  size_t state_cache_entries;
  /// Buckets of two resource ids each (ResourceIdCache).
  size_t resource_id_buckets;
  /// Records after which a transaction with stream records commits, and one
  /// of bulk records only (ApplyLoop).
  size_t stream_batch_records;
  size_t bulk_batch_records;
  /// WAL frames at which the checkpoint thread starts, and at which the
  /// writer checkpoints itself (BackgroundCheckpointer).
  int checkpoint_start_frames;
  int checkpoint_inline_frames;
  /// Records the reading thread decodes ahead, and how many it hands over
  /// at a time (ThreadedRecordSource).
  int reader_slots;
  size_t reader_wake_batch;
  /// WAL size the file is truncated back to after a checkpoint, and SQLite's
  /// own checkpoint threshold when no checkpoint thread runs (store_db.cc).
  int64_t journal_size_limit_bytes;
  int wal_autocheckpoint_frames;
  /// When the WAL counts as not being reset (WalWatch, and `ch-store
  /// status`): a checkpoint due for this many seconds without a reset, or
  /// a -wal file larger than this many bytes.
  int wal_warn_seconds;
  int64_t wal_warn_bytes;

  // The release defaults, taken from the classes that own them.
  static WritePathLimits Defaults();
  // Defaults() with the assignments of `spec` (CH_TEST_LIMITS) applied.
  static StatusOr<WritePathLimits> Parse(const std::string& spec);
  // Parse(getenv("CH_TEST_LIMITS")), Defaults() when unset or empty.
  static StatusOr<WritePathLimits> FromEnvironment();

  bool operator==(const WritePathLimits& o) const;
};

}  // namespace ch

#endif  // CH_STORE_WRITE_PATH_LIMITS_H_
