#include "ch-store/json_validator.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

TEST(JsonValidatorTest, AcceptsEveryKindOfValue) {
  for (const char* text : {"{}", "[]", "0", "-1.5e+3", "\"x\"", "true", "false", "null", " {\"a\" : [1, {\"b\":null}] } ",
                           "{\"k\":\"\\u00e9\\n\\\"\"}", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "[[],{}]"}) {
    EXPECT_TRUE(IsValidJsonValue(text)) << text;
  }
}

TEST(JsonValidatorTest, RejectsWhatIsNotExactlyOneValue) {
  for (const char* text : {"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "01", "1.", ".5", "-",
                           "1e", "tru", "nul", "\"open", "{} {}", "{}x", "[1 2]", "{\"a\":1 \"b\":2}", "'x'",
                           "\"\\x\"", "\"\\u12\"", "[}", "{]", "NaN", "Infinity"}) {
    EXPECT_FALSE(IsValidJsonValue(text)) << text;
  }
}

TEST(JsonValidatorTest, RejectsControlCharactersAndInvalidUtf8InStrings) {
  EXPECT_FALSE(IsValidJsonValue(std::string("\"a\nb\"")));
  EXPECT_FALSE(IsValidJsonValue(std::string("\"a\0b\"", 5)));
  EXPECT_FALSE(IsValidJsonValue("\"\xff\""));
  EXPECT_FALSE(IsValidJsonValue("\"\xc3\""));          // truncated sequence
  EXPECT_FALSE(IsValidJsonValue("\"\xc0\xaf\""));      // overlong
  EXPECT_FALSE(IsValidJsonValue("\"\xed\xa0\x80\""));  // a surrogate
  EXPECT_FALSE(IsValidJsonValue("[\xc3\xa9]"));        // UTF-8 outside a string
  // Long plain runs go through the eight-bytes-at-a-time path.
  EXPECT_TRUE(IsValidJsonValue("\"" + std::string(1000, 'a') + "\""));
  EXPECT_FALSE(IsValidJsonValue("\"" + std::string(1000, 'a') + "\x01" + std::string(20, 'b') + "\""));
  EXPECT_FALSE(IsValidJsonValue("\"" + std::string(1000, 'a') + "\xff" + std::string(20, 'b') + "\""));
}

TEST(JsonValidatorTest, LimitsNesting) {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(IsValidJsonValue(ok));
  EXPECT_FALSE(IsValidJsonValue(deep));
  EXPECT_FALSE(IsValidJsonValue(std::string(200000, '[')));
}

TEST(JsonValidatorTest, FindsTheLastMemberOfTheOutermostObject) {
  const std::string text = "{\"kind\":\"company\",\"x\":[1,{\"data\":2}],\"data\": {\"a\":[1,2],\"b\":\"}\"} }";
  JsonLastMember last;
  ASSERT_TRUE(IsValidJsonValue(text, &last));
  ASSERT_TRUE(last.found);
  EXPECT_EQ(text.substr(last.key_begin, last.key_end - last.key_begin), "data");
  EXPECT_EQ(text.substr(last.value_begin, last.value_end - last.value_begin), "{\"a\":[1,2],\"b\":\"}\"}");
  EXPECT_EQ(text.substr(0, last.members_end) + "}", "{\"kind\":\"company\",\"x\":[1,{\"data\":2}]}");
}

TEST(JsonValidatorTest, LastMemberOfAOneMemberObjectAndScalars) {
  JsonLastMember last;
  const std::string one = "{\"data\":null}";
  ASSERT_TRUE(IsValidJsonValue(one, &last));
  EXPECT_TRUE(last.found);
  EXPECT_EQ(one.substr(0, last.members_end) + "}", "{}");
  EXPECT_EQ(one.substr(last.value_begin, last.value_end - last.value_begin), "null");
  JsonLastMember none;
  ASSERT_TRUE(IsValidJsonValue("[1,2]", &none));
  EXPECT_FALSE(none.found);
  ASSERT_TRUE(IsValidJsonValue("{}", &none));
  EXPECT_FALSE(none.found);
}

}  // namespace
}  // namespace ch
