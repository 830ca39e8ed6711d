// ParseOptions: see parse_options.h.
#include "ch-parse/parse_options.h"

#include <cstdlib>
#include <string_view>

#include "common/exit_code.h"
#include "common/log.h"
#include "common/stream_name.h"

namespace ch {

namespace {

constexpr const char* kSynopsis =
    "[--stream NAME] [--format stream|bulk-csv|psc-snapshot] [--as-of YYYY-MM-DD] [options]";
constexpr const char* kDescription =
    "Reads stream event lines (or, with --format bulk-csv, the Companies House bulk\n"
    "snapshot CSV; with --format psc-snapshot, the daily PSC snapshot) on stdin and\n"
    "writes one normalized NDJSON record per line on stdout: company records\n"
    "(company-profile events, bulk rows), resource records (every other\n"
    "resource_kind: filings, officers, PSCs, charges, insolvency cases...; the PSC\n"
    "snapshot's lines), reject records for input that cannot be used, and control\n"
    "lines. Bad input never stops it; logs go to stderr.\n"
    "\n"
    "  ch-fetch | ch-parse | ch-store\n"
    "  unzip -p BasicCompanyDataAsOneFile-2025-08-01.zip | ch-parse --format bulk-csv --as-of "
    "2025-08-01\n"
    "  unzip -p 'psc-snapshot-2026-12-05_*.zip' | ch-parse --format psc-snapshot --as-of "
    "2026-12-05";

bool TruthyEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return false;
  const std::string_view v(value);
  return !v.empty() && v != "0" && v != "false" && v != "no";
}

}  // namespace

Status ValidateParseOptions(const std::string& format_text, const std::string& as_of_text,
                            ParseOptions* options) {
  if (!ValidStreamName(options->stream)) {
    return Status::Config("invalid value for --stream/CH_STREAM: '" + options->stream + "' (" +
                          kStreamNameRule + ")");
  }
  if (format_text == "stream") {
    options->format = InputFormat::kStream;
  } else if (format_text == "bulk-csv") {
    options->format = InputFormat::kBulkCsv;
  } else if (format_text == "psc-snapshot") {
    options->format = InputFormat::kPscSnapshot;
  } else {
    return Status::Config("invalid value for --format/CH_FORMAT: '" + format_text +
                          "' (stream, bulk-csv or psc-snapshot)");
  }
  // The company bulk file is the companies register: filed under another
  // stream (a CH_STREAM left set in a cron job), its snapshot_end would heal
  // that stream's gaps and make that stream's next snapshot look not newer.
  if (options->format == InputFormat::kBulkCsv && options->stream != "companies") {
    return Status::Config(
        "--format bulk-csv reads the companies register: --stream/CH_STREAM "
        "must be companies, not '" +
        options->stream + "'");
  }
  options->as_of.reset();
  if (!as_of_text.empty()) {
    options->as_of = ParseIsoDate(as_of_text);
    if (!options->as_of) {
      return Status::Config("invalid value for --as-of/CH_AS_OF: '" + as_of_text +
                            "' (the snapshot date, YYYY-MM-DD)");
    }
  }
  if (options->format != InputFormat::kStream && !options->as_of) {
    return Status::Config("--as-of/CH_AS_OF is required with --format " + format_text +
                          ": the snapshot date, YYYY-MM-DD (the date in the file name)");
  }
  if (options->nice < 0 || options->nice > 19) {
    return Status::Config(
        "invalid value for --nice/CH_PARSE_NICE: " + std::to_string(options->nice) + " (0 to 19)");
  }
  return LineReader::CheckMaxLineBytes(options->max_line_bytes);
}

std::optional<int> ParseParseOptions(int argc, char** argv, ParseOptions* options) {
  OptionParser parser("ch-parse", kSynopsis, kDescription);
  const ParseOptions defaults;
  std::string format_text;
  std::string as_of_text;
  parser.Add("stream", "CH_STREAM", &options->stream, defaults.stream,
             "stream name the records are filed under");
  parser.Add("format", "CH_FORMAT", &format_text, std::string("stream"),
             "input format: stream (event lines), bulk-csv (the bulk snapshot) or psc-snapshot "
             "(the daily PSC snapshot)");
  parser.Add("as-of", "CH_AS_OF", &as_of_text, std::string(),
             "bulk-csv, psc-snapshot: the snapshot date YYYY-MM-DD (required with both)");
  parser.Add("max-line-bytes", "CH_MAX_LINE_BYTES", &options->max_line_bytes,
             defaults.max_line_bytes,
             "longest line (bulk: CSV record) accepted; longer ones become rejects");
  parser.Add("nice", "CH_PARSE_NICE", &options->nice, defaults.nice,
             "add this to the process's niceness (0-19), so ch-parse yields the CPU to ch-store");
  parser.AddSwitch(
      "progress", &options->progress,
      "bulk-csv, psc-snapshot: progress lines on stderr (also when stderr is a terminal, or "
      "CH_PROGRESS=1)");
  if (auto exit = parser.Parse(argc, argv)) return exit;
  options->common = parser.common();
  if (TruthyEnv("CH_PROGRESS")) options->progress = true;
  const Status s = ValidateParseOptions(format_text, as_of_text, options);
  if (!s.ok()) {
    LogError(s.message(), {{"exit_code", ExitCodeFor(s)}});
    return ExitCodeFor(s);
  }
  return std::nullopt;
}

}  // namespace ch
