// CoreDumps: see core_dumps.h.
#include "ch-fetch/core_dumps.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>

namespace ch {

Status DisableCoreDumps() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Status::FromErrno("prctl", errno);
  const struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) return Status::FromErrno("setrlimit", errno);
  return Status::Ok();
}

}  // namespace ch
