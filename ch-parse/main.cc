// ch-parse: reads stream event lines (or the bulk snapshot CSV) on stdin and
// writes normalized NDJSON records on stdout. Thin by design: signals,
// options, then the ParseRunner; the exit code comes from its Status.
#include <unistd.h>

#include "ch-parse/parse_metrics.h"
#include "ch-parse/parse_options.h"
#include "ch-parse/parse_runner.h"
#include "common/exit_code.h"
#include "common/log.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  ch::InstallSignalHandlers();
  ch::ParseOptions options;
  if (auto exit = ch::ParseParseOptions(argc, argv, &options)) return *exit;
  // Raising one's own niceness cannot fail for lack of privilege.
  if (options.nice > 0) (void)nice(static_cast<int>(options.nice));
  ch::ParseMetrics metrics(options.common.metrics_dir, options.stream);
  ch::ParseRunner runner(options, STDIN_FILENO, STDOUT_FILENO, &metrics);
  const ch::Status s = runner.Run();
  if (!s.ok()) ch::LogError(s.message(), {{"exit_code", ch::ExitCodeFor(s)}});
  return ch::ExitCodeFor(s);
}
