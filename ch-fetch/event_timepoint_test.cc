#include "ch-fetch/event_timepoint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace ch {
namespace {

TEST(EventTimepointTest, ReadsTheTimepointOfARealEvent) {
  std::ifstream in("samples/real/real-stream-events.ndjson");  // tests run from the root
  std::string line;
  if (!std::getline(in, line)) GTEST_SKIP() << "sample not available";
  EXPECT_EQ(ScanEventTimepoint(line), 68805561);
}

TEST(EventTimepointTest, ReadsTheEventMemberWhereverItIs) {
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":5,"type":"changed"},"data":{}})"), 5);
  EXPECT_EQ(ScanEventTimepoint(
                R"({"data":{"event":{"timepoint":1}},"event":{"type":"x","timepoint":7}})"),
            7);
  EXPECT_EQ(ScanEventTimepoint(" { \"event\" : { \"timepoint\" : 42 } } \r"), 42);
}

TEST(EventTimepointTest, IgnoresLookalikesInsideStringsAndNestedObjects) {
  EXPECT_EQ(ScanEventTimepoint(
                R"({"data":{"name":"\"event\":{\"timepoint\":9}"},"event":{"timepoint":3}})"),
            3);
  EXPECT_EQ(ScanEventTimepoint(R"({"data":{"timepoint":9},"event":{"timepoint":3}})"), 3);
  EXPECT_EQ(ScanEventTimepoint(R"({"data":{"s":"back\\"},"event":{"timepoint":4}})"), 4);
  EXPECT_EQ(ScanEventTimepoint(R"({"data":{"timepoint":9}})"), std::nullopt);
}

TEST(EventTimepointTest, AcceptsANumericString) {
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":"68805561"}})"), 68805561);
}

TEST(EventTimepointTest, RejectsTimepointsThatAreNotNonNegativeIntegers) {
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":-5}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":5.5}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":5e3}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":"abc"}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":007}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":null}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":{"x":1}}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":99999999999999999999}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":"timepoint"})"), std::nullopt);
}

TEST(EventTimepointTest, UsesTheFirstOfDuplicateMembers) {
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":1,"timepoint":2}})"), 1);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":1},"event":{"timepoint":2}})"), 1);
}

// Found by event_timepoint_fuzz: keys were compared undecoded, so the
// scanner took 9 where ch-parse (and so the checkpoint) takes 5.
TEST(EventTimepointTest, AnEscapedKeyWhereItMattersMakesTheTimepointUnknown) {
  EXPECT_EQ(ScanEventTimepoint(R"({"\u0065vent":{"timepoint":5},"event":{"timepoint":9}})"),
            std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"t\u0069mepoint":5,"timepoint":9}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":9,"ty\u0070e":"changed"}})"), std::nullopt);
  // Escapes elsewhere are no matter.
  EXPECT_EQ(ScanEventTimepoint(R"({"data":{"n\u0061me":"x"},"event":{"timepoint":9}})"), 9);
}

TEST(EventTimepointTest, ACutOffOrGarbledLineGivesNoTimepoint) {
  const std::string good =
      R"({"data":{"a":[1,2,{"b":"c"}]},"event":{"timepoint":77,"type":"changed"}})";
  ASSERT_EQ(ScanEventTimepoint(good), 77);
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(ScanEventTimepoint(good.substr(0, n)), std::nullopt) << n;
  }
  EXPECT_EQ(ScanEventTimepoint(good + "x"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(good + good), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint("this is not json{{"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(""), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event":{"timepoint":1}])"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"event" {"timepoint":1}})"), std::nullopt);
  EXPECT_EQ(ScanEventTimepoint(R"({"data":[1,,2],"event":{"timepoint":1}})"), std::nullopt);
}

TEST(EventTimepointTest, SurvivesDeepNestingWithoutRecursingForever) {
  std::string deep = "{\"data\":";
  for (int i = 0; i < 100000; ++i) deep += "[";
  for (int i = 0; i < 100000; ++i) deep += "]";
  deep += ",\"event\":{\"timepoint\":1}}";
  EXPECT_EQ(ScanEventTimepoint(deep), std::nullopt);
}

}  // namespace
}  // namespace ch
