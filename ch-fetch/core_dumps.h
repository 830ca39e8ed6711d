// CoreDumps: ch-fetch holds the stream key in memory (and a crash would
// write it into a core file many times over: the key, its Basic
// credential, libcurl's copies). It turns core dumps off for itself at
// start: PR_SET_DUMPABLE 0 (which also makes /proc/<pid>/mem and environ
// root's, and refuses ptrace by its own user) and RLIMIT_CORE 0 (for
// systems whose fs.suid_dumpable would still dump a non-dumpable process).
#ifndef CH_FETCH_CORE_DUMPS_H_
#define CH_FETCH_CORE_DUMPS_H_

#include "common/status.h"

namespace ch {

// Makes the calling process non-dumpable and its core size limit 0.
Status DisableCoreDumps();

}  // namespace ch

#endif  // CH_FETCH_CORE_DUMPS_H_
