#include "common/json_validator.h"

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

TEST(JsonValidatorTest, MembersOfTheNamedInnerObject) {
  const std::string text =
      R"({"a":{"x":1},"data":{"k":"v","n":[1,{"z":2}],"o":{"p":null}},"data":{"q":1}})";
  JsonMembers top;
  JsonMembers inner;
  ASSERT_TRUE(IsValidJsonValue(text, &top, "data", &inner));
  EXPECT_EQ(top.count, 3);
  ASSERT_TRUE(inner.complete);
  ASSERT_EQ(inner.count, 3);  // of the first "data" only
  auto key = [&](int i) {
    return text.substr(inner.members[i].key_begin,
                       inner.members[i].key_end - inner.members[i].key_begin);
  };
  auto value = [&](int i) {
    return text.substr(inner.members[i].value_begin,
                       inner.members[i].value_end - inner.members[i].value_begin);
  };
  EXPECT_EQ(key(0), "k");
  EXPECT_EQ(value(0), "\"v\"");
  EXPECT_EQ(key(1), "n");
  EXPECT_EQ(value(1), "[1,{\"z\":2}]");
  EXPECT_EQ(key(2), "o");
  EXPECT_EQ(value(2), "{\"p\":null}");
}

TEST(JsonValidatorTest, InnerTableIsIncompleteWhenTheMemberIsNoObjectOrAbsent) {
  JsonMembers top;
  JsonMembers inner;
  ASSERT_TRUE(IsValidJsonValue(R"({"data":[1],"x":{"data":{}}})", &top, "data", &inner));
  EXPECT_FALSE(inner.complete);
  EXPECT_EQ(inner.count, 0);
  ASSERT_TRUE(IsValidJsonValue(R"({"x":{"data":{"a":1}}})", &top, "data", &inner));
  EXPECT_FALSE(inner.complete);  // only a top-level member counts
  ASSERT_TRUE(IsValidJsonValue(R"({"data":{}})", &top, "data", &inner));
  EXPECT_TRUE(inner.complete);
  EXPECT_EQ(inner.count, 0);
  EXPECT_FALSE(IsValidJsonValue(R"({"data":{"a":1,}})", &top, "data", &inner));
}

TEST(JsonValidatorTest, NotesUnicodeEscapesAndNumbersThatMightNotFitADouble) {
  JsonMembers m;
  ASSERT_TRUE(IsValidJsonValue(R"({"a":"x\n","b":[1.5,-2,0]})", &m));
  EXPECT_FALSE(m.unicode_escapes);
  EXPECT_FALSE(m.large_numbers);
  ASSERT_TRUE(IsValidJsonValue(R"({"a":{"b":"\u00e9"}})", &m));
  EXPECT_TRUE(m.unicode_escapes);
  ASSERT_TRUE(IsValidJsonValue(R"({"\u0061":1})", &m));
  EXPECT_TRUE(m.unicode_escapes);
  ASSERT_TRUE(IsValidJsonValue(R"({"a":[{"b":1e5}]})", &m));
  EXPECT_TRUE(m.large_numbers);
  ASSERT_TRUE(IsValidJsonValue("{\"a\":" + std::string(300, '9') + "}", &m));
  EXPECT_TRUE(m.large_numbers);
  ASSERT_TRUE(IsValidJsonValue("{\"a\":" + std::string(299, '9') + "}", &m));
  EXPECT_FALSE(m.large_numbers);
}

TEST(JsonValidatorTest, SkipsOverValuesOfAValidText) {
  const std::string s = R"({"a" : "q\"\\", "b":[1,{"c":"]}"}] , "d":-1.5e3})";
  ASSERT_TRUE(IsValidJsonValue(s));
  size_t i = s.find("\"q");
  EXPECT_EQ(s.substr(i, SkipJsonString(s, i) - i), R"("q\"\\")");
  i = s.find('[');
  EXPECT_EQ(s.substr(i, SkipJsonValue(s, i) - i), R"([1,{"c":"]}"}])");
  i = s.find("-1");
  EXPECT_EQ(s.substr(i, SkipJsonValue(s, i) - i), "-1.5e3");
  EXPECT_EQ(SkipJsonBlanks(s, s.find(" : ")), s.find(": "));
  EXPECT_EQ(SkipJsonValue(s, 0), s.size());
}

}  // namespace
}  // namespace ch
