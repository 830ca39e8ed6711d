// The command line of ch-store: options (each also a CH_* environment
// variable where it is configuration rather than an argument), the command
// (apply, checkpoint, status, leads, migrate, prune) and the rule that an
// option belonging to one command is a usage error on another.
//
//   ch-store [--db F] [--emit-changes] [apply]     < records.ndjson
//   ch-store checkpoint [--stream S]
//   ch-store status [--max-commit-age SECONDS] [--max-silence SECONDS]
//   ch-store leads [--after-id ID] [--since DATE] [--format csv|ndjson|table]
//   ch-store migrate [--to N]
//   ch-store prune --rejects-older-than DAYS
#ifndef CH_STORE_COMMAND_LINE_H_
#define CH_STORE_COMMAND_LINE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/line_reader.h"
#include "common/options.h"

namespace ch {

enum class StoreCommand { kApply, kCheckpoint, kStatus, kLeads, kMigrate, kPrune };

/// Everything ch-store can be told.
struct StoreOptions {
  StoreCommand command = StoreCommand::kApply;
  /// SQLite database (CH_DB).
  std::string db = "companies.db";
  /// Stream name: key of stream_state, default for records naming none (CH_STREAM).
  std::string stream = "companies";
  /// --stream or CH_STREAM was given (status then judges it, whatever --streams says).
  bool stream_named = false;
  /// Milliseconds a writer or reader waits for a lock before giving up (CH_BUSY_TIMEOUT).
  int busy_timeout_ms = 5000;
  /// apply: print each committed status change and new signal as NDJSON on stdout.
  bool emit_changes = false;
  /// apply: the longest event line ch-parse accepts (CH_MAX_LINE_BYTES, as
  /// ch-parse's): records up to LineReader::kRecordBytesPerLineByte times
  /// as long are read, longer ones are rejects.
  int64_t max_line_bytes = static_cast<int64_t>(LineReader::kDefaultMaxLineBytes);
  /// status: unhealthy when the last commit is older than this (CH_MAX_COMMIT_AGE).
  std::optional<double> max_commit_age_seconds;
  /// status, with --metrics-dir: unhealthy when ch-fetch has received no byte
  /// for longer than this (CH_MAX_SILENCE). Twice ch-fetch's default idle
  /// timeout: the server sends a heartbeat every 30 s, so this long without
  /// one is a stream that reconnecting has not brought back.
  double max_silence_seconds = 180;
  /// status, with --metrics-dir: a stage whose output has waited longer
  /// than this for the next stage to read is stuck (CH_WATCHDOG, as
  /// pipeline.sh's watchdog); 0: not judged.
  double watchdog_seconds = 120;
  /// status: the followed streams, comma-separated or "all" (CH_STREAMS);
  /// unset: those stream_state and the chain-stopped markers name, and
  /// --stream (stream_health.h).
  std::optional<std::string> streams;
  /// leads: only signals with a larger id.
  std::optional<int64_t> after_id;
  /// leads: only signals published at or after this date or timestamp.
  std::optional<std::string> since;
  /// leads: "csv", "ndjson" or "table"; empty: a table when stdout is a
  /// terminal, else CSV.
  std::string format;
  /// migrate: the wanted schema version (default: the newest).
  std::optional<int> to;
  /// prune: delete rejects received more than this many days ago.
  std::optional<double> rejects_older_than_days;
  /// --log-level and --metrics-dir.
  CommonOptions common;
};

// Parses argv and the environment into `options`. Returns nullopt to carry
// on, or the exit code to return now: 0 after --help/--version, 64 for a
// usage error (unknown command or option, an option of another command, a
// missing argument), 78 for an invalid value. Errors are reported on stderr.
std::optional<int> ParseStoreCommandLine(int argc, char** argv, StoreOptions* options);

}  // namespace ch

#endif  // CH_STORE_COMMAND_LINE_H_
