// ch-store's command line: see command_line.h.
#include "ch-store/command_line.h"

#include <sys/stat.h>

#include <map>
#include <set>
#include <vector>

#include "ch-store/stream_health.h"
#include "common/exit_code.h"
#include "common/log.h"
#include "common/stream_name.h"
#include "common/timestamp.h"

namespace ch {

namespace {

constexpr const char* kProgram = "ch-store";

const std::map<std::string, StoreCommand>& Commands() {
  static const std::map<std::string, StoreCommand> commands = {
      {"apply", StoreCommand::kApply},     {"checkpoint", StoreCommand::kCheckpoint},
      {"status", StoreCommand::kStatus},   {"leads", StoreCommand::kLeads},
      {"migrate", StoreCommand::kMigrate}, {"prune", StoreCommand::kPrune},
  };
  return commands;
}

// Options that are arguments of one command (they have no environment
// variable, so "given" always means "on this command line").
const std::map<std::string, StoreCommand>& CommandOptions() {
  static const std::map<std::string, StoreCommand> options = {
      {"emit-changes", StoreCommand::kApply}, {"after-id", StoreCommand::kLeads},
      {"since", StoreCommand::kLeads},        {"format", StoreCommand::kLeads},
      {"to", StoreCommand::kMigrate},         {"rejects-older-than", StoreCommand::kPrune},
  };
  return options;
}

int UsageError(const std::string& message) {
  LogError(message + ". Try '" + kProgram + " --help'.", {{"exit_code", kExitUsage}});
  return kExitUsage;
}

int ConfigError(const std::string& message) {
  LogError(message, {{"exit_code", kExitConfig}});
  return kExitConfig;
}

}  // namespace

std::optional<int> ParseStoreCommandLine(int argc, char** argv, StoreOptions* options) {
  OptionParser parser(
      kProgram, "[options] [apply|checkpoint|status|leads|migrate|prune]",
      "Applies normalized records (from ch-parse) on stdin to the SQLite database, or\n"
      "answers questions about it:\n"
      "  apply (default)  apply records from stdin; exit 0 at end of input or on SIGTERM\n"
      "  checkpoint       print the stored timepoint of --stream, or nothing\n"
      "  status           print one JSON object; exit 0 when healthy, 1 when not\n"
      "  leads            print leads: strike-off, dissolution and insolvency signals\n"
      "  migrate          migrate the schema up or down to --to (default: newest)\n"
      "  prune            delete rejects older than --rejects-older-than days");
  std::vector<std::string> positional;
  std::optional<int> busy_timeout;
  parser.Add("db", "CH_DB", &options->db, std::string("companies.db"), "SQLite database file");
  parser.Add("stream", "CH_STREAM", &options->stream, std::string("companies"), "stream name");
  parser.AddOptional("busy-timeout", "CH_BUSY_TIMEOUT", &busy_timeout,
                     "milliseconds to wait for a database lock (default 5000)");
  parser.AddSwitch("emit-changes", &options->emit_changes,
                   "apply: print each committed status change and signal as NDJSON on stdout");
  parser.Add("max-line-bytes", "CH_MAX_LINE_BYTES", &options->max_line_bytes,
             options->max_line_bytes,
             "apply: the longest event line ch-parse accepts (its --max-line-bytes); records up "
             "to " +
                 std::to_string(LineReader::kRecordBytesPerLineByte) +
                 " times as long are read, longer ones are rejects");
  parser.AddOptional(
      "max-commit-age", "CH_MAX_COMMIT_AGE", &options->max_commit_age_seconds,
      "status: unhealthy when the last commit is older (seconds; default: not checked)");
  std::optional<double> max_silence;
  parser.AddOptional(
      "max-silence", "CH_MAX_SILENCE", &max_silence,
      "status: unhealthy when ch-fetch (its metrics in --metrics-dir) has received nothing for "
      "longer (seconds; default 180)");
  std::optional<double> watchdog;
  parser.AddOptional("watchdog", "CH_WATCHDOG", &watchdog,
                     "status: a stage whose output has been blocked longer is stuck (seconds; "
                     "default 120; 0: not judged)");
  parser.AddOptional("streams", "CH_STREAMS", &options->streams,
                     "status: the followed streams, comma-separated, or all (default: those with "
                     "a checkpoint, an open gap or a chain-stopped marker, and --stream)");
  parser.AddOptional("after-id", "", &options->after_id, "leads: only signals with a larger id");
  parser.AddOptional("since", "", &options->since,
                     "leads: only signals published at or after DATE (YYYY-MM-DD or a timestamp)");
  std::optional<std::string> format;
  parser.AddOptional("format", "", &format,
                     "leads: table (the default on a terminal: aligned, cut to its width, a "
                     "count at the end), csv (the default into a pipe or file, with a header) "
                     "or ndjson");
  parser.AddOptional("to", "", &options->to,
                     "migrate: the schema version wanted (0 removes everything)");
  parser.AddOptional("rejects-older-than", "", &options->rejects_older_than_days,
                     "prune: delete rejects received more than DAYS days ago");
  parser.AddPositional(&positional);
  if (std::optional<int> exit = parser.Parse(argc, argv)) return exit;
  options->common = parser.common();

  if (positional.size() > 1) return UsageError("unexpected argument '" + positional[1] + "'");
  if (!positional.empty()) {
    auto it = Commands().find(positional[0]);
    if (it == Commands().end()) return UsageError("unknown command '" + positional[0] + "'");
    options->command = it->second;
  }
  for (const auto& [name, command] : CommandOptions()) {
    if (parser.WasSet(name) && command != options->command) {
      return UsageError("--" + name + " does not apply to this command");
    }
  }
  if (options->command == StoreCommand::kPrune && !options->rejects_older_than_days) {
    return UsageError("prune needs --rejects-older-than DAYS");
  }

  if (options->db.empty())
    return ConfigError("invalid value for " + parser.NameOf("db") + ": empty");
  if (struct stat st{}; stat(options->db.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return ConfigError("invalid value for " + parser.NameOf("db") + ": '" + options->db +
                       "' is a directory");
  options->stream_named = parser.WasSet("stream");
  // The name keys stream_state and names the metrics file (ch-store-<stream>.prom).
  if (!ValidStreamName(options->stream))
    return ConfigError("invalid value for " + parser.NameOf("stream") + ": '" + options->stream +
                       "' (" + kStreamNameRule + ")");
  if (Status s = LineReader::CheckMaxLineBytes(options->max_line_bytes); !s.ok())
    return ConfigError(s.message());
  if (busy_timeout) {
    if (*busy_timeout < 0)
      return ConfigError("invalid value for " + parser.NameOf("busy-timeout") + ": negative");
    options->busy_timeout_ms = *busy_timeout;
  }
  if (options->max_commit_age_seconds && !(*options->max_commit_age_seconds > 0)) {
    return ConfigError("invalid value for " + parser.NameOf("max-commit-age") +
                       ": must be more than 0");
  }
  if (max_silence) {
    if (!(*max_silence > 0)) {
      return ConfigError("invalid value for " + parser.NameOf("max-silence") +
                         ": must be more than 0");
    }
    options->max_silence_seconds = *max_silence;
  }
  if (options->streams && options->command == StoreCommand::kStatus) {
    // Only status reads it: pipeline.sh's stages inherit CH_STREAMS.
    StatusOr<std::vector<std::string>> streams = ParseStreamList(*options->streams);
    if (!streams.ok()) {
      return ConfigError("invalid value for " + parser.NameOf("streams") + ": " +
                         streams.status().message());
    }
  }
  if (watchdog) {
    if (!(*watchdog >= 0)) {
      return ConfigError("invalid value for " + parser.NameOf("watchdog") + ": negative");
    }
    options->watchdog_seconds = *watchdog;
  }
  if (options->after_id && *options->after_id < 0)
    return ConfigError("invalid value for --after-id: negative");
  if (format) {
    if (*format != "csv" && *format != "ndjson" && *format != "table") {
      return ConfigError("invalid value for --format: '" + *format +
                         "' (use csv, ndjson or table)");
    }
    options->format = *format;
  }
  if (options->since) {
    std::optional<UtcTimestamp> since = ParseTimestamp(*options->since);
    if (!since) {
      return ConfigError("invalid value for --since: '" + *options->since +
                         "' (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    }
    options->since = std::string(since->view());
  }
  if (options->rejects_older_than_days && !(*options->rejects_older_than_days >= 0)) {
    return ConfigError("invalid value for --rejects-older-than: must be 0 or more days");
  }
  return std::nullopt;
}

}  // namespace ch
