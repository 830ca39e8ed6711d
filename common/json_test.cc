#include "common/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

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
  for (const std::string& s : {std::string(""), std::string("a"), std::string("ab"),
                               std::string("abc"), std::string("\0\xff\x10xyz", 6)}) {
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

// Found by event_parser_fuzz: RapidJSON's length-based Parse skipped the
// bytes EF, BB, BF at the start one by one, so "\xEF\"timepoint\"" parsed.
TEST(JsonTest, ParseRefusesByteOrderMarkBytesBeforeTheValue) {
  rapidjson::Document doc;
  EXPECT_FALSE(ParseJson("\xEF\"timepoint\"", &doc).ok());
  EXPECT_FALSE(ParseJson("\xBB{}", &doc).ok());
  EXPECT_FALSE(ParseJson("\xBF\xBB{}", &doc).ok());
  const Status bom = ParseJson("\xEF\xBB\xBF{}", &doc);
  EXPECT_FALSE(bom.ok());
  EXPECT_EQ(bom.message(), "invalid JSON: Invalid value. at offset 0");
  EXPECT_TRUE(ParseJson(" {\"a\":\"\xEF\xBB\xBF\"}", &doc).ok());  // inside a string: text
}

// Found by event_parser_fuzz (UBSan: clz(0) in RapidJSON's diyfp.h): with
// RapidJSON's own full-precision conversion, "0e99" parsed as 6.5e296.
TEST(JsonTest, ParsesZeroWithALargeExponentAsZero) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson("[0e99,-0e300,0.0e-50,0e40,0E+300,0.000e23]", &doc).ok());
  for (const rapidjson::Value& v : doc.GetArray()) {
    ASSERT_TRUE(v.IsDouble());
    EXPECT_EQ(v.GetDouble(), 0.0);
  }
  std::string text;
  AppendJsonValue(&text, doc);
  EXPECT_EQ(text, "[0.0,-0.0,0.0,0.0,0.0,0.0]");
}

TEST(JsonTest, ParsesNumbersAsAFullPrecisionParseWould) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson("[7,-7,-9223372036854775808,18446744073709551615,18446744073709551616,"
                        "-9223372036854775809,0.1,1.10,2.2250738585072011e-308,1e-400,"
                        "1.7976931348623157e308,123456789012345678901234567890]",
                        &doc)
                  .ok());
  const auto& a = doc.GetArray();
  EXPECT_TRUE(a[0].IsInt());
  EXPECT_EQ(a[0].GetInt(), 7);
  EXPECT_EQ(a[1].GetInt(), -7);
  EXPECT_EQ(a[2].GetInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(a[3].GetUint64(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(a[4].IsDouble());
  EXPECT_EQ(a[4].GetDouble(), 18446744073709551616.0);
  EXPECT_EQ(a[5].GetDouble(), -9223372036854775809.0);
  EXPECT_EQ(a[6].GetDouble(), 0.1);
  EXPECT_EQ(a[7].GetDouble(), 1.1);
  EXPECT_EQ(a[8].GetDouble(), 2.2250738585072011e-308);
  EXPECT_EQ(a[9].GetDouble(), 0.0);
  EXPECT_EQ(a[10].GetDouble(), std::numeric_limits<double>::max());
  EXPECT_EQ(a[11].GetDouble(), 1.2345678901234568e29);
  EXPECT_EQ(GetInt64(doc, "x"), std::nullopt);
  ASSERT_TRUE(ParseJson(R"({"t":68805561,"s":"30"})", &doc).ok());
  EXPECT_EQ(GetInt64(doc, "t"), 68805561);
}

TEST(JsonTest, NumbersTooLargeForADoubleAreRefused) {
  rapidjson::Document doc;
  for (const char* big : {"1.8e308", "[1e400]", "-1e309"}) {
    const Status s = ParseJson(big, &doc);
    EXPECT_FALSE(s.ok()) << big;
    EXPECT_EQ(s.message().rfind("invalid JSON: Number too big to be stored in double.", 0), 0u)
        << s.message();
  }
}

TEST(JsonTest, NumbersMayArriveAsStrings) {
  rapidjson::Document doc;
  ASSERT_TRUE(
      ParseJson(
          R"({"a":"30","b":30,"c":"abc","d":1e30,"e":-5,"f":30.5,"g":"99999999999999999999"})",
          &doc)
          .ok());
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
