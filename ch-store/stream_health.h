// StreamHealth: what `ch-store status` knows of each followed stream (its
// member of "streams"): the stream's row of stream_state, its open gaps,
// the chain-stopped marker pipeline.sh leaves when a fatal exit stopped the
// stream's chain, and, with a metrics directory, its ch-fetch's state.
//
// Which streams are followed: --streams / CH_STREAMS when given (as
// pipeline.sh reads it: comma-separated names, or "all"), else every
// stream of stream_state with a checkpoint or an open gap, every stream
// with a chain-stopped marker, and --stream.
#ifndef CH_STORE_STREAM_HEALTH_H_
#define CH_STORE_STREAM_HEALTH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ch-store/fetch_metrics_reader.h"
#include "common/sqlite_db.h"
#include "common/status.h"

namespace ch {

/// pipeline.sh's marker $CH_DB.<stream>.stopped: the stream's chain
/// stopped for good (exit 64, 65 or 78) and was not restarted.
struct ChainStopped {
  int code = 0;
  std::string stage;  // the program that exited so ("ch-fetch", ...)
  std::string time;   // when, UTC "YYYY-MM-DDTHH:MM:SSZ"
};

struct StreamHealth {
  std::string stream;
  std::optional<int64_t> checkpoint;
  std::optional<std::string> last_event_published_at;
  std::optional<std::string> last_commit_at;
  std::optional<double> last_commit_age_seconds;
  int64_t gaps_open = 0;
  std::optional<ChainStopped> chain_stopped;
  /// A metrics directory was given: the stream's ch-fetch is judged by its file.
  bool fetch_metrics_expected = false;
  std::optional<FetchMetricsReading> fetch;
  /// Each stage's metrics file (fetch_metrics_reader.h StageReading), in
  /// chain order ch-fetch, ch-parse, ch-store (whose output, with
  /// --emit-changes, goes to the notifier); unset: no file, not judged.
  std::optional<StageReading> stages[3];
};

/// The stages of a chain in order (StreamHealth::stages), and the reader
/// of the last one's output.
inline constexpr const char* kChainStages[3] = {"ch-fetch", "ch-parse", "ch-store"};
inline constexpr const char* kNotifierName = "the notifier (CH_NOTIFY)";

/// The nine streams of the service (DESIGN.md "Every stream").
const std::vector<std::string>& KnownStreams();

// "companies,filings" or "all" into names (duplicates dropped, spaces
// ignored); an unknown or empty name is a Config error naming it.
StatusOr<std::vector<std::string>> ParseStreamList(const std::string& text);

// $db.<stream>.stopped.
std::string ChainStoppedPath(const std::string& db, const std::string& stream);

// The marker of `stream` next to `db`, unset when there is none. A marker
// that cannot be parsed still says the chain stopped (code 0, no stage).
std::optional<ChainStopped> ReadChainStopped(const std::string& db, const std::string& stream);

// The known streams that have a marker next to `db`.
std::vector<std::string> StreamsWithMarkers(const std::string& db);

// The followed streams: `given` when set (parsed; with `main` first when
// `main_named`, --stream or CH_STREAM given, and not in it), else the
// streams of stream_state with a checkpoint or an open gap (db may be null:
// none), those with a marker, and `main`; `main` first, then by name.
StatusOr<std::vector<std::string>> FollowedStreams(SqliteDb* db, const std::string& db_path,
                                                   const std::string& main,
                                                   const std::optional<std::string>& given,
                                                   bool main_named = false);

// Fills `health` (its `stream` set) from a migrated database: the row of
// stream_state and the open gaps.
Status ReadStreamHealth(SqliteDb* db, StreamHealth* health);

}  // namespace ch

#endif  // CH_STORE_STREAM_HEALTH_H_
