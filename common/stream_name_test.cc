#include "common/stream_name.h"

#include <gtest/gtest.h>

#include <string>

namespace ch {
namespace {

TEST(StreamNameTest, TheNamesOfStreamsAndNothingThatLeavesADirectory) {
  EXPECT_TRUE(ValidStreamName("companies"));
  EXPECT_TRUE(ValidStreamName("persons-with-significant-control-statements"));
  EXPECT_TRUE(ValidStreamName("test_1.v2"));
  EXPECT_TRUE(ValidStreamName(std::string(100, 'a')));
  EXPECT_FALSE(ValidStreamName(""));
  EXPECT_FALSE(ValidStreamName("../x"));
  EXPECT_FALSE(ValidStreamName("a b"));
  EXPECT_FALSE(ValidStreamName("a/b"));
  EXPECT_FALSE(ValidStreamName(std::string(101, 'a')));
}

}  // namespace
}  // namespace ch
