#include "ch-parse/json_line.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

TEST(JsonLineTest, BuildsALinePieceByPiece) {
  JsonLine line;
  line.Append('{');
  line.AppendKey("a");
  line.AppendString("plain text");
  line.Append(',');
  line.AppendKey("n");
  line.AppendInt(-42);
  line.Append(',');
  line.AppendKey("u");
  line.AppendUint(18446744073709551615u);
  line.Append('}');
  EXPECT_EQ(line.view(), R"({"a":"plain text","n":-42,"u":18446744073709551615})");
  line.clear();
  EXPECT_EQ(line.view(), "");
}

TEST(JsonLineTest, EscapesLikeAppendJsonString) {
  for (const std::string& s : {std::string("a\"b\\c\n\x01"), std::string("CAF\xC3\x89 \xff"),
                               std::string(""), std::string("tab\there"), std::string("\x7f")}) {
    JsonLine line;
    line.AppendString(s);
    std::string expected;
    AppendJsonString(&expected, s);
    EXPECT_EQ(line.view(), expected);
  }
}

TEST(JsonLineTest, GrowsPastItsInitialSizeAndTruncates) {
  JsonLine line;
  const std::string big(200000, 'x');
  line.Append("[");
  line.AppendString(big);
  const size_t mark = line.size();
  line.Append(",1");
  line.truncate(mark);
  line.Append("]");
  EXPECT_EQ(line.view(), "[\"" + big + "\"]");
}

TEST(JsonLineTest, ClearAfterAHugeLineStillWorks) {
  JsonLine line;
  line.Append(std::string(5u << 20, 'y'));
  line.clear();
  EXPECT_EQ(line.size(), 0u);
  line.AppendString("after");
  EXPECT_EQ(line.view(), "\"after\"");
}

}  // namespace
}  // namespace ch
