#include "common/signals.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace ch {
namespace {

// Installs the handlers with CH_EXIT_WITH_PARENT=`value`; whether the
// process then considers itself asked to stop.
bool StopsWith(const std::string& value) {
  ResetStopForTest();
  setenv("CH_EXIT_WITH_PARENT", value.c_str(), 1);
  InstallSignalHandlers();
  unsetenv("CH_EXIT_WITH_PARENT");
  const bool stop = StopRequested();
  ResetStopForTest();
  return stop;
}

// A stage started just as pipeline.sh died has another parent already: it
// must stop at once, not run on as an orphan (a chain of tests/e2e/74 did).
TEST(SignalsTest, ExitWithParentStopsAtOnceWhenTheParentIsNotTheSupervisor) {
  EXPECT_FALSE(StopsWith(std::to_string(getppid())));
  EXPECT_TRUE(StopsWith(std::to_string(getppid() + 100000)));
  EXPECT_FALSE(StopsWith("1"));  // whichever parent it has now
  EXPECT_FALSE(StopsWith("0"));
  EXPECT_FALSE(StopsWith("x"));
  EXPECT_FALSE(StopsWith(""));
}

}  // namespace
}  // namespace ch
