// ch-store: applies normalized records (from ch-parse) to the SQLite
// database, exactly once, and answers questions about it (checkpoint,
// status, leads); also migrates the schema and prunes old rejects.
#include <optional>

#include "ch-store/command_line.h"
#include "ch-store/commands.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  ch::InstallSignalHandlers();
  ch::StoreOptions options;
  if (std::optional<int> exit = ch::ParseStoreCommandLine(argc, argv, &options)) return *exit;
  return ch::RunStoreCommand(options);
}
