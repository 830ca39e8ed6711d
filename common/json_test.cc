#include "common/json.h"

#include <gtest/gtest.h>

namespace ch {
namespace {

TEST(JsonTest, EscapesControlCharactersQuotesAndBackslashes) {
  std::string out;
  AppendJsonString(&out, std::string_view("a\"b\\c\n\x01", 7));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(JsonTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonString(&out, "CAF\xC3\x89 \xff");
  EXPECT_EQ(out, "\"CAF\xC3\x89 \xEF\xBF\xBD\"");
  EXPECT_TRUE(IsValidUtf8("\xC3\x89"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));      // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(JsonTest, Base64RoundTripsArbitraryBytes) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10xyz", 6)}) {
    auto decoded = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(Base64Encode("abcd"), "YWJjZA==");
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("a=bc").has_value());
}

TEST(JsonTest, ParseRejectsTrailingGarbageDeepNestingAndBadUtf8) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson("{\"a\":1}  \r", &doc).ok());
  EXPECT_FALSE(ParseJson("{\"a\":1} x", &doc).ok());
  EXPECT_FALSE(ParseJson(std::string(100000, '['), &doc).ok());
  EXPECT_FALSE(ParseJson("\"\xff\"", &doc).ok());
  EXPECT_FALSE(ParseJson("", &doc).ok());
}

TEST(JsonTest, NumbersMayArriveAsStrings) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(R"({"a":"30","b":30,"c":"abc","d":1e30,"e":-5,"f":30.5,"g":"99999999999999999999"})", &doc).ok());
  EXPECT_EQ(GetInt64(doc, "a"), 30);
  EXPECT_EQ(GetInt64(doc, "b"), 30);
  EXPECT_FALSE(GetInt64(doc, "c").has_value());
  EXPECT_FALSE(GetInt64(doc, "d").has_value());
  EXPECT_EQ(GetInt64(doc, "e"), -5);
  EXPECT_FALSE(GetInt64(doc, "f").has_value());
  EXPECT_FALSE(GetInt64(doc, "g").has_value());
  EXPECT_FALSE(GetInt64(doc, "missing").has_value());
  EXPECT_EQ(GetString(doc, "a"), "30");
  EXPECT_FALSE(GetString(doc, "b").has_value());
}

}  // namespace
}  // namespace ch
