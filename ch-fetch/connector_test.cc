#include "ch-fetch/connector.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ch {
namespace {

TEST(ConnectorTest, EveryEndHasADistinctName) {
  using End = ConnectionResult::End;
  std::set<std::string> names;
  for (End end : {End::kCleanEnd, End::kHttpStatus, End::kNetworkError, End::kFirstByteTimeout,
                  End::kIdleTimeout, End::kStopped, End::kSinkFailed}) {
    names.insert(EndName(end));
  }
  EXPECT_EQ(names.size(), 7u);
  EXPECT_EQ(std::string(EndName(End::kIdleTimeout)), "stall");
}

}  // namespace
}  // namespace ch
