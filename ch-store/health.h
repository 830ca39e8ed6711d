// Health: what `ch-store status` reports. The figures are gathered into one
// struct of inputs (HealthInputs), judged by one function (EvaluateHealth)
// and printed as one JSON object, so that more inputs (ch-fetch's connection
// and breaker state, lag, events per minute) can be added in one place each.
//
// Healthy means: the database is migrated, no gap of the stream is open (a
// gap heals only with a complete bulk import), the last PSC snapshot
// imported was complete (or a complete one followed), and, when a maximum commit age
// is set, the stream's last commit is recent enough. With a metrics directory
// (CH_METRICS_DIR) ch-fetch is judged too, from its ch-fetch.prom and by
// local clocks only (fetch_metrics_reader.h): it must be running (the file
// rewritten within the last 30 s), have had its stream (a 200) open within
// --max-silence whatever the server answered meanwhile (429s, 503s), and
// have received a byte of it (a heartbeat at least) within --max-silence.
// The commit age is not judged by default: a quiet stream (at night)
// commits nothing for minutes while its heartbeats prove it alive. lag_seconds (now - the last
// event's published_at) is reported only: published_at's time zone is uncertain.
#ifndef CH_STORE_HEALTH_H_
#define CH_STORE_HEALTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ch-store/command_line.h"
#include "ch-store/fetch_metrics_reader.h"
#include "ch-store/stream_health.h"
#include "ch-store/wal_health.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

// A bulk import's state (the PSC snapshot's, database-wide, or the company
// bulk file's): the date of the last complete one, and of a newer
// incomplete one with what it lacked (cleared by a complete one at least
// as new).
struct SnapshotImportState {
  std::optional<std::string> last_complete_as_of;
  std::optional<std::string> incomplete_as_of;
  std::optional<std::string> incomplete;
  /// Seconds since the last commit of an import of that incomplete one
  /// still without its snapshot_end (migration 7); unset: none, or the
  /// import is over. Within the watchdog's time it is running, not a problem.
  std::optional<double> running_age_seconds;
};

struct HealthInputs {
  std::string stream;
  bool database_exists = false;
  int schema_version = 0;         // PRAGMA user_version (0: missing or unmigrated)
  int schema_version_latest = 0;  // what this binary knows
  std::optional<int64_t> checkpoint;
  std::optional<std::string> last_event_published_at;
  std::optional<std::string> last_commit_at;
  std::optional<double> last_commit_age_seconds;  // now - last_commit_at
  std::optional<double> lag_seconds;              // now - last_event_published_at (report only)
  std::optional<std::string> last_snapshot_as_of;
  int64_t companies = 0;
  int64_t companies_deleted = 0;
  int64_t status_changes = 0;
  int64_t rejects = 0;
  /// The daily PSC snapshot (database-wide, whatever the stream), and the
  /// company bulk file (the `companies` row of stream_state).
  SnapshotImportState psc_snapshot;
  SnapshotImportState company_bulk;
  int64_t gaps_open = 0;  // not healed (resumed or not)
  int64_t gaps_total = 0;
  /// --max-commit-age; unset: the commit age is not judged.
  std::optional<double> max_commit_age_seconds;
  /// --metrics-dir given: ch-fetch is judged by its ch-fetch.prom.
  bool fetch_metrics_expected = false;
  /// What ch-fetch.prom said; unset when it is missing or unreadable.
  std::optional<FetchMetricsReading> fetch;
  /// From two readings of ch-fetch.prom; unset when unknown.
  std::optional<double> events_per_minute;
  /// --max-silence: the longest time without a byte of the stream, or
  /// without the stream.
  double max_silence_seconds = 180;
  /// The write-ahead log: its size, and how long ch-store has found a
  /// checkpoint due without a reset (wal_health.h).
  WalHealth wal;
  /// --watchdog / CH_WATCHDOG (pipeline.sh's too): a stage alive but
  /// without progress for longer than this is a problem (StuckStageProblem);
  /// 0: not judged.
  double watchdog_seconds = 120;
  /// The followed streams (stream_health.h), each judged; the top-level
  /// fields above are those of `stream`. Empty: `stream` alone, from the
  /// fields above.
  std::vector<StreamHealth> streams;
};

struct HealthReport {
  bool healthy = false;
  std::vector<std::string> problems;  // why not healthy, one phrase each
};

// Judges the inputs (pure: no clock, no database): the database, then each
// followed stream; each stream's problem is prefixed with its name
// ("officers: gap open").
HealthReport EvaluateHealth(const HealthInputs& inputs);

// The problems of one stream, without its name. --max-commit-age is judged
// for the top-level stream only: streams differ in pace (insolvency cases
// come a few an hour).
std::vector<std::string> StreamProblems(const StreamHealth& stream, const HealthInputs& inputs);

// The stage of `stream`'s chain that is alive but has made no progress for
// longer than `watchdog_seconds` (0: none judged), from the stages' metrics
// files: the reader of the last output blocked for that long, or, with
// ch-fetch running, a ch-parse or ch-store whose file has not been
// rewritten for that long. "ch-store not making progress for 130 s
// (ch-fetch and ch-parse blocked on output; more than --watchdog)". Pure.
std::optional<std::string> StuckStageProblem(const StreamHealth& stream, double watchdog_seconds);

// Reads the figures of `stream` from a migrated database.
Status ReadHealthInputs(SqliteDb* db, HealthInputs* inputs);

// The status object, one line without the newline. Fields: stream,
// checkpoint, last_event_published_at, last_commit_at,
// last_commit_age_seconds, last_snapshot_as_of, companies,
// companies_deleted, status_changes, rejects, gaps_open, gaps_total,
// lag_seconds, then from ch-fetch.prom (null without it): connected,
// breaker_open, consecutive_failures, last_byte_age_seconds,
// disconnected_seconds, last_attempt, last_http_status,
// events_per_minute, fetch_metrics_age_seconds; psc_snapshot
// ({"last_complete_as_of","incomplete_as_of","missing",
// "import_last_commit_age_seconds"}, the last null unless an import without
// its totals line yet committed; null when no PSC snapshot was ever
// imported); bulk_import (the same for the company bulk file); wal_bytes,
// wal_checkpoint_due_seconds; then schema_version,
// schema_version_latest, streams (an object: a member per followed stream
// with checkpoint, last_event_published_at, last_commit_at,
// last_commit_age_seconds, gaps_open, chain_stopped, ch-fetch's connected,
// last_byte_age_seconds, disconnected_seconds, last_attempt,
// last_http_status, fetch_metrics_age_seconds, healthy, problems), healthy,
// problems.
std::string FormatStatusJson(const HealthInputs& inputs, const HealthReport& report);

// The status command: prints the object; exit 0 when healthy, 1 when not
// (a missing or unmigrated database is printed too, as not healthy).
int RunStatus(const StoreOptions& options);

}  // namespace ch

#endif  // CH_STORE_HEALTH_H_
