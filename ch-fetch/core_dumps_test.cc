#include "ch-fetch/core_dumps.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ch {
namespace {

// In a child, so that the test binary itself stays dumpable.
TEST(CoreDumpsTest, TheProcessBecomesNonDumpableWithNoCoreSize) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) _exit(2);  // dumpable before
    if (!DisableCoreDumps().ok()) _exit(3);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) _exit(4);
    struct rlimit limit {};
    if (getrlimit(RLIMIT_CORE, &limit) != 0 || limit.rlim_cur != 0 || limit.rlim_max != 0) _exit(5);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace ch
