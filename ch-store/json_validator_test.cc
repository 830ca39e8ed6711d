#include "ch-store/json_validator.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json.h"

namespace ch {
namespace {

TEST(JsonValidatorTest, AcceptsEveryKindOfValue) {
  for (const char* text : {"{}", "[]", "0", "-1.5e+3", "\"x\"", "true", "false", "null",
                           " {\"a\" : [1, {\"b\":null}] } ", "{\"k\":\"\\u00e9\\n\\\"\"}",
                           "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "[[],{}]"}) {
    EXPECT_TRUE(IsValidJsonValue(text)) << text;
  }
}

TEST(JsonValidatorTest, RejectsWhatIsNotExactlyOneValue) {
  for (const char* text : {"",           " ",       "{",         "}",     "[1,]",
                           "{\"a\":1,}", "{\"a\"}", "{a:1}",     "01",    "1.",
                           ".5",         "-",       "1e",        "tru",   "nul",
                           "\"open",     "{} {}",   "{}x",       "[1 2]", "{\"a\":1 \"b\":2}",
                           "'x'",        "\"\\x\"", "\"\\u12\"", "[}",    "{]",
                           "NaN",        "Infinity"}) {
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
  EXPECT_FALSE(
      IsValidJsonValue("\"" + std::string(1000, 'a') + "\x01" + std::string(20, 'b') + "\""));
  EXPECT_FALSE(
      IsValidJsonValue("\"" + std::string(1000, 'a') + "\xff" + std::string(20, 'b') + "\""));
}

TEST(JsonValidatorTest, LimitsNesting) {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(IsValidJsonValue(ok));
  EXPECT_FALSE(IsValidJsonValue(deep));
  EXPECT_FALSE(IsValidJsonValue(std::string(200000, '[')));
}

TEST(JsonValidatorTest, LocatesEveryMemberOfTheOutermostObject) {
  const std::string text =
      " {\"kind\":\"company\", \"x\":[1,{\"data\":2}],\"e\":{},\"data\": {\"a\":[1,2],\"b\":\"}\"} "
      "} ";
  JsonMembers m;
  ASSERT_TRUE(IsValidJsonValue(text, &m));
  ASSERT_TRUE(m.complete);
  ASSERT_EQ(m.count, 4);
  auto key = [&](int i) {
    return text.substr(m.members[i].key_begin, m.members[i].key_end - m.members[i].key_begin);
  };
  auto value = [&](int i) {
    return text.substr(m.members[i].value_begin, m.members[i].value_end - m.members[i].value_begin);
  };
  EXPECT_EQ(key(0), "kind");
  EXPECT_EQ(value(0), "\"company\"");
  EXPECT_EQ(key(1), "x");
  EXPECT_EQ(value(1), "[1,{\"data\":2}]");
  EXPECT_EQ(value(2), "{}");
  EXPECT_EQ(key(3), "data");
  EXPECT_EQ(value(3), "{\"a\":[1,2],\"b\":\"}\"}");
}

TEST(JsonValidatorTest, MembersOfOtherValuesAndOverflow) {
  JsonMembers m;
  ASSERT_TRUE(IsValidJsonValue("{\"data\":null}", &m));
  EXPECT_TRUE(m.complete);
  ASSERT_EQ(m.count, 1);
  EXPECT_EQ(m.members[0].value_end - m.members[0].value_begin, 4u);
  JsonMembers none;
  ASSERT_TRUE(IsValidJsonValue("[1,{\"a\":2}]", &none));
  EXPECT_FALSE(none.complete);
  EXPECT_EQ(none.count, 0);
  JsonMembers empty;
  ASSERT_TRUE(IsValidJsonValue("{}", &empty));
  EXPECT_TRUE(empty.complete);
  EXPECT_EQ(empty.count, 0);
  std::string many = "{";
  for (int i = 0; i < JsonMembers::kCapacity + 5; ++i)
    many += (i > 0 ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  many += "}";
  JsonMembers full;
  ASSERT_TRUE(IsValidJsonValue(many, &full));
  EXPECT_FALSE(full.complete);
  EXPECT_EQ(full.count, JsonMembers::kCapacity);
}

}  // namespace
}  // namespace ch
