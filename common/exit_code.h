// Exit codes are API: scripts and pipeline.sh depend on them, so they are
// listed here once (the table in DESIGN.md and README.md) and never renumbered.
// The values follow BSD sysexits.h.
#ifndef CH_COMMON_EXIT_CODE_H_
#define CH_COMMON_EXIT_CODE_H_

namespace ch {

class Status;

enum ExitCode : int {
  kExitOk = 0,         // end of input, or stopped cleanly by a signal
  kExitUsage = 64,     // unknown flag, missing argument
  kExitDataErr = 65,   // input unusable as a whole (bad bulk header, gap under --on-gap=exit)
  kExitSoftware = 70,  // internal error: a bug
  kExitIoErr = 74,     // stdout closed, disk full, database unwritable
  kExitTempFail = 75,  // temporary failure: try again
  kExitConfig = 78,    // configuration error, including a rejected key
};

// The one mapping from a Status to a process exit code.
int ExitCodeFor(const Status& status);

}  // namespace ch

#endif  // CH_COMMON_EXIT_CODE_H_
