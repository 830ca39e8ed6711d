// ParseOptions: everything ch-parse can be told, from flags or CH_* variables
// (the flag wins), parsed and checked in one place so that a bad value stops
// the program with one clear line and exit 78 before any input is read.
#ifndef CH_PARSE_PARSE_OPTIONS_H_
#define CH_PARSE_PARSE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/line_reader.h"
#include "common/options.h"
#include "common/status.h"
#include "common/timestamp.h"

namespace ch {

/// What the input is.
enum class InputFormat {
  kStream,       ///< stream event lines as ch-fetch writes them (default)
  kBulkCsv,      ///< the monthly bulk snapshot CSV (BasicCompanyData...)
  kPscSnapshot,  ///< the daily PSC snapshot's JSON lines (psc-snapshot-...txt)
};

struct ParseOptions {
  /// Stream name the records are filed under (--stream, CH_STREAM). Not
  /// with psc-snapshot, whose kinds say their stream (the kinds table).
  std::string stream = "companies";
  /// Input format (--format, CH_FORMAT).
  InputFormat format = InputFormat::kStream;
  /// Bulk: the snapshot date, the date in the file's name (--as-of,
  /// CH_AS_OF). Required with --format bulk-csv and psc-snapshot.
  std::optional<IsoDate> as_of;
  /// Longest input line (bulk CSV: record) accepted; longer ones become
  /// rejects (--max-line-bytes, CH_MAX_LINE_BYTES).
  int64_t max_line_bytes = static_cast<int64_t>(LineReader::kDefaultMaxLineBytes);
  /// Bulk (both formats): progress lines on stderr (--progress,
  /// CH_PROGRESS=1); also on when stderr is a terminal.
  bool progress = false;
  /// Added to the process's niceness at start, 0 to 19 (--nice,
  /// CH_PARSE_NICE). ch-parse feeds ch-store, whose single SQLite writer is
  /// the slow stage: CPU that ch-parse takes from it while both run only
  /// slows the chain (a 100,000-event replay on 2 cores: 0.94 s at 0,
  /// 0.86 s at 10). On an otherwise idle machine it changes nothing.
  int64_t nice = 10;
  /// Log level and metrics directory, shared by every program.
  CommonOptions common;
};

// Parses argv and the environment into `options` and checks the values.
// Returns nullopt to carry on, or the exit code to return now: 0 after
// --help/--version, 64 for a usage error, 78 for an invalid or missing value
// (reported on stderr, naming the flag and its variable).
std::optional<int> ParseParseOptions(int argc, char** argv, ParseOptions* options);

// The checks behind ParseParseOptions, on already-read text values: a
// Config status names the flag and the variable.
Status ValidateParseOptions(const std::string& format_text, const std::string& as_of_text,
                            ParseOptions* options);

}  // namespace ch

#endif  // CH_PARSE_PARSE_OPTIONS_H_
