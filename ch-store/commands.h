// The commands of ch-store, each a function from the parsed options to an
// exit code: apply (the default: records from stdin), checkpoint, migrate
// and prune. status and leads have their own files (health.h, leads.h).
// Every failure is logged as one clear line on stderr before its exit code
// is returned.
#ifndef CH_STORE_COMMANDS_H_
#define CH_STORE_COMMANDS_H_

#include "ch-store/command_line.h"
#include "common/status.h"

namespace ch {

// Runs the command named in `options`.
int RunStoreCommand(const StoreOptions& options);

// apply: migrate up, then apply stdin until end of input or a stop signal.
int RunApply(const StoreOptions& options);
// checkpoint: the stored timepoint of --stream and a newline, or nothing.
int RunCheckpoint(const StoreOptions& options);
// migrate: up or down to --to (default: the newest version).
int RunMigrate(const StoreOptions& options);
// prune: delete old rejects; prints how many.
int RunPrune(const StoreOptions& options);

// Logs `status` as an error line and returns its exit code.
int ExitWithError(const Status& status);

}  // namespace ch

#endif  // CH_STORE_COMMANDS_H_
